package io.holdfast.betting;

public enum BetStatus {
    PENDING, ACCEPTED, REJECTED, WON, LOST, VOID
}
