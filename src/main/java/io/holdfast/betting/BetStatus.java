package io.holdfast.betting;

import io.holdfast.platform.ModuleApi;

@ModuleApi
public enum BetStatus {
    PENDING, ACCEPTED, REJECTED, WON, LOST, VOID, CASHED_OUT
}
