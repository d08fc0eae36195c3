package io.holdfast.odds;

public enum MarketStatus {
    OPEN, SUSPENDED, CLOSED, SETTLED, VOID, SETTLEMENT_FAILED
}
