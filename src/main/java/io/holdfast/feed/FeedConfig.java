package io.holdfast.feed;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Typed configuration under {@code holdfast.feed.*}. */
@ConfigMapping(prefix = "holdfast.feed")
interface FeedConfig {

    /** The feed's base URL (the simulator's); empty: no feed client (messages only arrive in-process, in tests). */
    Optional<String> url();

    /**
     * Without any message from a producer for this long (alive comes every second), or when applying lags the
     * producer's clock by this much, the producer is down and its markets suspended. UOF's SDK allows 10–180 s
     * with alive every 10 s; ours is three missed alives.
     */
    @WithDefault("3s")
    Duration maxInactivity();

    /** The producer a pre-match market is handed over to at kick-off. */
    @WithDefault("live")
    String handoverTo();

    /** A recovery with no snapshot_complete after this long is asked again (UOF rate-limits recovery requests). */
    @WithDefault("10s")
    Duration recoveryTimeout();

    /** Pause before reconnecting the stream after it failed, doubled up to {@link #reconnectMax()}. */
    @WithDefault("200ms")
    Duration reconnectMin();

    @WithDefault("2s")
    Duration reconnectMax();
}
