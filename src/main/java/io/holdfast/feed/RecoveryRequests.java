package io.holdfast.feed;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

/**
 * Asks the feed for a recovery, as UOF's {@code POST /v1/{product}/recovery/initiate_request?after=…&request_id=…}:
 * the answer is only an acknowledgement; the messages come on the stream, tagged with the request id, and end with
 * snapshot_complete. Sent without waiting (the stream's own thread must go on reading them); a request that fails
 * is asked again by the next alive once the recovery timeout passed.
 */
@ApplicationScoped
class RecoveryRequests {

    private static final Logger LOG = Logger.getLogger(RecoveryRequests.class);

    private final FeedConfig config;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    RecoveryRequests(FeedConfig config) {
        this.config = config;
    }

    void request(String producer, Long after, long requestId) {
        if (config.url().isEmpty() || config.url().get().isBlank()) {
            return; // no feed client: tests send snapshot_complete themselves
        }
        URI uri = URI.create(config.url().get().replaceAll("/+$", "") + "/v1/" + producer
                + "/recovery/initiate_request?request_id=" + requestId + (after == null ? "" : "&after=" + after));
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((resp, failure) -> {
            if (failure != null) {
                LOG.warnf("Recovery request %d for %s failed: %s", requestId, producer, failure.getMessage());
            } else if (resp.statusCode() / 100 != 2) {
                LOG.warnf("Recovery request %d for %s answered %d: %s", requestId, producer, resp.statusCode(),
                        resp.body());
            }
        });
    }
}
