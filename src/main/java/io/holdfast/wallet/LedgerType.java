package io.holdfast.wallet;

public enum LedgerType {
    DEPOSIT, WITHDRAWAL, STAKE, PAYOUT, REFUND, ADJUSTMENT, REVERSAL
}
