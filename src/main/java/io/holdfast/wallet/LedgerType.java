package io.holdfast.wallet;

import io.holdfast.platform.ModuleApi;

@ModuleApi
public enum LedgerType {
    DEPOSIT, WITHDRAWAL, STAKE, PAYOUT, REFUND, ADJUSTMENT, REVERSAL, CASH_OUT
}
