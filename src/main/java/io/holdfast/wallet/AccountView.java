package io.holdfast.wallet;

import java.time.Instant;
import java.util.List;

import io.holdfast.platform.ModuleApi;

/**
 * An account as its owner or an admin sees it; {@code timedOutUntil} is set while a time-out runs,
 * {@code selfExcludedUntil} once the account excluded itself.
 */
@ModuleApi
public record AccountView(long id, String username, long balance, String currency, AccountStatus status,
        List<String> roles, Long dailyStakeLimit, long stakedToday, Instant createdAt, Instant timedOutUntil,
        Instant selfExcludedUntil) {
}
