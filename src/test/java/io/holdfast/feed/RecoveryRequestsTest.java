package io.holdfast.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

import jakarta.inject.Inject;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.junit.QuarkusTest;

/** The recovery request's fault tolerance, against a stand-in feed that answers what each test needs. */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecoveryRequestsTest {

    @Inject
    RecoveryRequests.Sender sender;

    /** A feed whose n-th request (from 1) is answered {@code status.applyAsInt(n)}; counts the requests. */
    private static final class Feed implements AutoCloseable {
        final AtomicInteger requests = new AtomicInteger();
        final HttpServer server;

        Feed(IntUnaryOperator status) throws Exception {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", ex -> {
                int code = status.applyAsInt(requests.incrementAndGet());
                ex.sendResponseHeaders(code, -1);
                ex.close();
            });
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/live/recovery/initiate_request"
                    + "?request_id=1");
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    @Order(1)
    void shouldAskAgainWhenTheFeedIsBusyOrRateLimits() throws Exception {
        try (Feed feed = new Feed(n -> n == 1 ? 503 : n == 2 ? 429 : 202)) {
            assertThat(sender.send(feed.uri()).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(202);
            assertThat(feed.requests.get()).isEqualTo(3);
        }
    }

    @Test
    @Order(2)
    void shouldNotAskAgainWhenTheFeedRefusesTheRequestItself() throws Exception {
        try (Feed feed = new Feed(n -> 400)) {
            assertThatThrownBy(() -> sender.send(feed.uri()).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RecoveryRequests.Refused.class);
            assertThat(feed.requests.get()).isEqualTo(1);
        }
    }

    @Test
    @Order(3)
    void shouldStopAskingAFeedThatKeepsFailingUntilTheBreakerCloses() throws Exception {
        try (Feed feed = new Feed(n -> 503)) {
            assertThatThrownBy(() -> sender.send(feed.uri()).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
            int asked = feed.requests.get();
            // the first try and three retries, the last one refused by the breaker if it opened already (it counts
            // the earlier tests' outcomes too: its window is the last 4 requests)
            assertThat(asked).isBetween(3, 4);
            // the breaker is open: the next request fails without reaching the feed
            assertThatThrownBy(() -> sender.send(feed.uri()).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
            assertThat(feed.requests.get()).isEqualTo(asked);
        }
    }
}
