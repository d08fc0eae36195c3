package io.holdfast.odds;

import io.holdfast.platform.ModuleApi;

@ModuleApi
public enum EventStatus {
    SCHEDULED, LIVE, FINISHED, CANCELLED
}
