package io.holdfast.feed;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.holdfast.platform.ModuleApi;

/** The feed as ops see it (GET /api/ops/feed and the ops console): the database's producer rows, this node's lag. */
@ApplicationScoped
@ModuleApi
public class FeedStatusView {

    public record LastRecovery(Instant after, Long tookMillis) {
    }

    /**
     * {@code lagMillis}: how far behind the producer's clock the last message was when this node applied it (null on
     * a node that does not apply the feed); {@code silentMillis}: since that message.
     */
    public record Producer(String name, String status, Instant lastAliveAt, Long lagMillis, LastRecovery lastRecovery,
            Instant statusSince, String downReason, long downs, Instant lastDownAt, Long silentMillis) {
    }

    public record Feed(boolean connected, List<Producer> producers) {
    }

    private final FeedTransactions tx;
    private final FeedIngester ingester;
    private final FeedClient client;

    FeedStatusView(FeedTransactions tx, FeedIngester ingester, FeedClient client) {
        this.tx = tx;
        this.ingester = ingester;
        this.client = client;
    }

    public Feed feed() {
        Map<String, FeedIngester.Watch> watches = ingester.watches();
        long now = System.nanoTime();
        List<Producer> producers = tx.producers().stream().map(p -> {
            FeedIngester.Watch w = watches.get(p.name());
            return new Producer(p.name(), p.status().name(), millis(p.lastAliveTs()), w == null ? null : w.lagMillis,
                    p.lastRecoveryAfter() == null && p.lastRecoveryMillis() == null ? null
                            : new LastRecovery(millis(p.lastRecoveryAfter()), p.lastRecoveryMillis()),
                    p.statusSince(), p.downReason(), p.downs(), p.lastDownAt(),
                    w == null ? null : (now - w.lastReceivedNanos) / 1_000_000);
        }).toList();
        return new Feed(client.connected(), producers);
    }

    private static Instant millis(Long ms) {
        return ms == null ? null : Instant.ofEpochMilli(ms);
    }
}
