package io.holdfast.odds;

import io.holdfast.platform.ModuleApi;

@ModuleApi
public enum MarketStatus {
    OPEN, SUSPENDED, CLOSED, SETTLED, VOID, SETTLEMENT_FAILED
}
