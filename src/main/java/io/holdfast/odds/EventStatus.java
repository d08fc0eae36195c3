package io.holdfast.odds;

public enum EventStatus {
    SCHEDULED, LIVE, FINISHED, CANCELLED
}
