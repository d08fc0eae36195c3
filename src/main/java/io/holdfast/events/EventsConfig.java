package io.holdfast.events;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The outbox publisher's settings ({@code holdfast.events.*}, docs/events.md). */
@ConfigMapping(prefix = "holdfast.events")
interface EventsConfig {

    /** Kafka's bootstrap servers (host:port,…); empty: the publisher is off and the outbox only grows. */
    Optional<String> bootstrapServers();

    /** Topics are this prefix plus the aggregate: holdfast.bet, holdfast.account, holdfast.market. */
    @WithDefault("holdfast.")
    String topicPrefix();

    /**
     * The producer's transactional id, the same on both nodes of a pair: Kafka lets one producer of an id live at a
     * time, so the new ACTIVE's fences the old one's. Two pairs that share a Kafka need different ids.
     */
    @WithDefault("holdfast-outbox")
    String transactionalId();

    /** Rows read, sent and acknowledged per cursor move: one transaction per batch, not per event. */
    @WithDefault("500")
    int batch();

    /** Published rows deleted per cleanup statement: short deletes, so no long lock and no vacuum debt at once. */
    @WithDefault("2000")
    int cleanupBatch();

    /** The topics the publisher creates when they are missing: partitions, replication factor, min.insync.replicas. */
    @WithDefault("6")
    int partitions();

    @WithDefault("3")
    short replicationFactor();

    @WithDefault("2")
    int minInsyncReplicas();

    /**
     * Longest the producer keeps one record unacknowledged before the batch counts as failed and is sent again by
     * a fresh producer: long enough to ride out a broker's failover (leader election, a few seconds), short enough
     * that a dead cluster shows as failing in the readiness detail within seconds.
     */
    @WithDefault("20s")
    Duration deliveryTimeout();
}
