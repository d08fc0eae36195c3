package io.holdfast.platform;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Typed configuration under {@code holdfast.*}; defaults live in application.properties. */
@ConfigMapping(prefix = "holdfast")
public interface HoldfastConfig {

    Node node();

    Db db();

    Lease lease();

    String currency();

    Limits limits();

    Betting betting();

    Settlement settlement();

    Bootstrap bootstrap();

    Security security();

    Session session();

    interface Node {
        String name();
    }

    interface Db {
        /** Base JDBC URL; the datasources add their own properties (ApplicationName, timeouts). */
        String url();
    }

    interface Lease {
        Duration renewInterval();

        /** T of ARCHITECTURE.md §2, also the lease length written to {@code expires_at}. */
        Duration ttl();

        Duration lockTimeout();
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

        Duration retryAfter();
    }

    interface Bootstrap {
        String adminPassword();

        String opsPassword();
    }

    interface Security {
        @WithDefault("10")
        int bcryptCost();

        int loginFailuresBeforeThrottle();

        Duration loginThrottle();
    }

    interface Session {
        String encryptionKey();

        Duration timeout();
    }
}
