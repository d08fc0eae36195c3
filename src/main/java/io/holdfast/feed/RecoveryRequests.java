package io.holdfast.feed;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.Asynchronous;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.jboss.logging.Logger;

/**
 * Asks the feed for a recovery, as UOF's {@code POST /v1/{product}/recovery/initiate_request?after=…&request_id=…}:
 * the answer is only an acknowledgement; the messages come on the stream, tagged with the request id, and end with
 * snapshot_complete. Sent off the stream's thread (it must go on reading them), through SmallRye Fault Tolerance:
 * a refused connection, a 5xx or a 429 (UOF rate-limits recoveries) is tried again three times with a growing pause;
 * a 4xx other than 429 is not (the request itself is wrong); after most of the last requests failed the breaker opens
 * and requests fail at once for 5 s, sparing a feed that is down. A request that failed for good is asked again by
 * the next alive once the recovery timeout passed.
 */
@ApplicationScoped
class RecoveryRequests {

    private static final Logger LOG = Logger.getLogger(RecoveryRequests.class);

    /** The feed did not answer, or answered a 5xx or 429: worth asking again a little later. */
    static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message);
        }
    }

    /** The feed refused the request itself (4xx other than 429): asking again would get the same answer. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private final FeedConfig config;
    private final Sender sender;

    RecoveryRequests(FeedConfig config, Sender sender) {
        this.config = config;
        this.sender = sender;
    }

    /** Sends the request for this producer's messages after {@code after} (null: a snapshot); never blocks. */
    void request(String producer, Long after, long requestId) {
        if (config.url().isEmpty() || config.url().get().isBlank()) {
            return; // no feed client: tests send snapshot_complete themselves
        }
        URI uri = URI.create(config.url().get().replaceAll("/+$", "") + "/v1/" + producer
                + "/recovery/initiate_request?request_id=" + requestId + (after == null ? "" : "&after=" + after));
        sender.send(uri).whenComplete((status, failure) -> {
            if (failure != null) {
                LOG.warnf("Recovery request %d for %s failed: %s", requestId, producer, failure.getMessage());
            }
        });
    }

    /** The HTTP request itself, a bean of its own so that its fault tolerance is applied (through its CDI proxy). */
    @ApplicationScoped
    static class Sender {

        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

        @Asynchronous
        @Retry(maxRetries = 3, delay = 200, jitter = 100, maxDuration = 5, durationUnit = ChronoUnit.SECONDS,
                abortOn = Refused.class)
        @CircuitBreaker(requestVolumeThreshold = 4, failureRatio = 0.75, delay = 5_000, successThreshold = 1,
                skipOn = Refused.class)
        public CompletionStage<Integer> send(URI uri) {
            HttpResponse<String> resp;
            try {
                resp = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new Unavailable("no answer: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Refused("interrupted");
            }
            int status = resp.statusCode();
            if (status / 100 == 2) {
                return CompletableFuture.completedFuture(status);
            }
            if (status == 429 || status / 100 == 5) {
                throw new Unavailable("the feed answered " + status + ": " + resp.body());
            }
            throw new Refused("the feed answered " + status + ": " + resp.body());
        }
    }
}
