package io.holdfast.wallet;

import java.time.Instant;
import java.util.List;

/** An account as its owner or an admin sees it. */
public record AccountView(long id, String username, long balance, String currency, AccountStatus status,
        List<String> roles, Long dailyStakeLimit, long stakedToday, Instant createdAt) {
}
