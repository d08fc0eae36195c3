package io.holdfast.platform;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Typed configuration under {@code holdfast.*}; defaults live in application.properties. */
@ConfigMapping(prefix = "holdfast")
@ModuleApi
public interface HoldfastConfig {

    Node node();

    Db db();

    Patroni patroni();

    Lease lease();

    String currency();

    Limits limits();

    Betting betting();

    Settlement settlement();

    Bootstrap bootstrap();

    Security security();

    Session session();

    Shedding shedding();

    CashOut cashOut();

    interface Node {
        String name();
    }

    interface Db {
        /** Base JDBC URL; the datasources add their own properties (ApplicationName, timeouts). */
        String url();

        /** More pgjdbc URL properties, each starting with '&' (e.g. targetServerType=primary for a multi-host URL). */
        String options();
    }

    interface Patroni {
        /** Patroni REST base URLs; when absent, the ops page reads pg_stat_replication on the primary. */
        Optional<List<String>> urls();
    }

    interface Lease {
        Duration renewInterval();

        /** T of docs/ARCHITECTURE.md §2, also the lease length written to {@code expires_at}. */
        Duration ttl();

        Duration lockTimeout();

        /**
         * How long a node that just became ACTIVE serves bets before its background work starts (cache rebuilds,
         * the outbox publisher, settlement, pending-bet completion): the first placements after a failover are
         * the bettors' gap, and they should not share two cores with catch-up work (docs/ARCHITECTURE.md §3).
         */
        @WithDefault("1s")
        Duration settle();
    }

    interface Limits {
        long minStake();

        long maxStake();

        long maxPayout();

        /** Default daily stake limit of a new account; a bettor may set a lower one. */
        long dailyStake();

        long maxDeposit();
    }

    interface Betting {
        Duration liveDelay();

        int pendingBatch();
    }

    interface Settlement {
        int batch();

        /** Transactions that settle one market's batches side by side (each claims its own with SKIP LOCKED). */
        @WithDefault("1")
        int workers();

        Duration retryAfter();
    }

    interface Bootstrap {
        String adminPassword();

        String opsPassword();
    }

    interface Security {
        @WithDefault("10")
        int bcryptCost();

        /** Login attempts for one account from one client address before the growing delay starts. */
        int loginAttemptsPerAccount();

        /** Login attempts from one client address (any usernames) before the growing delay starts. */
        int loginAttemptsPerAddress();

        /** Sign-ups from one client address before the growing delay starts. */
        int signupsPerAddress();

        /** The first delay past an allowance; it doubles with every further attempt. */
        Duration throttleDelay();

        Duration throttleMaxDelay();

        /** A throttle's count is forgotten after this long without an attempt. */
        Duration throttleForgetAfter();

        /** Peers (the load balancer) whose X-Forwarded-For and X-Forwarded-Proto are believed; nobody's by default. */
        Optional<List<String>> trustedProxies();
    }

    interface Shedding {
        /** Bet placements in flight on one node at once; beyond it 429 at once. */
        int placements();

        /** Bet placements in flight for one client (session or Basic credentials) at once. */
        int placementsPerBettor();

        /** Longest a placement beyond the node's limit waits for a slot before 429; 0 refuses it at once. */
        Duration queueWait();

        /** Placements that may wait for a slot at once; beyond, 429 at once. */
        int queued();
    }

    interface CashOut {
        /** The house's share of a cash-out: the quote is the bet's value at the current price times (1 - margin). */
        java.math.BigDecimal margin();

        /** How long a quote may be taken; past it the bettor asks again (prices move in seconds in play). */
        Duration quoteTtl();
    }

    interface Session {
        String encryptionKey();

        /** Idle timeout: a session unused this long ends. */
        Duration timeout();

        /** Absolute lifetime: no session lives longer, however busy. */
        Duration lifetime();

        /** How long the row of a session stays after its lifetime ended (a recent history), then it is deleted. */
        Duration retention();
    }
}
