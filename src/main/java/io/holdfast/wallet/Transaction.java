package io.holdfast.wallet;

import java.time.Instant;

import io.holdfast.platform.ModuleApi;

/** One player-side ledger row, as the wallet's history shows it. */
@ModuleApi
public record Transaction(long id, LedgerType type, long amount, long balanceAfter, String reference, Instant at) {
}
