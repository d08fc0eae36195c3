package io.holdfast.wallet;

import java.time.Instant;

/** One player-side ledger row, as the wallet's history shows it. */
public record Transaction(long id, LedgerType type, long amount, long balanceAfter, String reference, Instant at) {
}
