package io.holdfast.feed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.holdfast.cluster.NodeRole;
import io.holdfast.cluster.RoleChanged;

/**
 * The stream from the feed ({@code GET /v1/stream}, server-sent events of one JSON message each), read on the ACTIVE
 * node only, on its own thread, each message handed to the ingester in order. A broken or refused stream is opened
 * again after a pause that doubles from {@code reconnect-min} to {@code reconnect-max}; each (re)connection makes
 * every producer recover what was missed. Off when {@code holdfast.feed.url} is empty.
 */
@ApplicationScoped
class FeedClient {

    private static final Logger LOG = Logger.getLogger(FeedClient.class);

    private final FeedConfig config;
    private final FeedIngester ingester;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private volatile Thread reader;
    private volatile InputStream current;
    private volatile boolean connected;

    FeedClient(FeedConfig config, FeedIngester ingester, ObjectMapper json) {
        this.config = config;
        this.ingester = ingester;
        this.json = json;
    }

    void onRoleChange(@Observes RoleChanged change) {
        ingester.roleChanged(change);
        if (change.to() == NodeRole.ACTIVE) {
            start();
        } else {
            stop();
        }
    }

    boolean connected() {
        return connected;
    }

    private boolean configured() {
        return config.url().isPresent() && !config.url().get().isBlank();
    }

    synchronized void start() {
        if (!configured() || reader != null) {
            return;
        }
        Thread t = new Thread(this::run, "feed-client");
        t.setDaemon(true);
        reader = t;
        t.start();
    }

    @PreDestroy
    synchronized void stop() {
        Thread t = reader;
        reader = null;
        if (t != null) {
            t.interrupt();
            closeCurrent();
        }
    }

    private void run() {
        URI uri = URI.create(config.url().get().replaceAll("/+$", "") + "/v1/stream");
        long pause = config.reconnectMin().toMillis();
        ingester.takeOver("this node turned ACTIVE: recovering from the last alive");
        while (reader == Thread.currentThread()) {
            try {
                HttpResponse<InputStream> resp = http.send(HttpRequest.newBuilder(uri)
                        .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                if (resp.statusCode() != 200) {
                    resp.body().close();
                    throw new IOException("the feed answered " + resp.statusCode());
                }
                current = resp.body();
                connected = true;
                pause = config.reconnectMin().toMillis();
                LOG.infof("Feed stream connected: %s", uri);
                ingester.connected();
                read(resp.body());
                LOG.warn("Feed stream ended; reconnecting");
            } catch (IOException | RuntimeException e) {
                LOG.warnf("Feed stream unavailable (%s); retrying in %d ms", e.getMessage(), pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                connected = false;
                closeCurrent();
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                break;
            }
            pause = Math.min(pause * 2, config.reconnectMax().toMillis());
        }
    }

    private void read(InputStream body) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        StringBuilder data = new StringBuilder();
        String line;
        while (reader == Thread.currentThread() && (line = lines.readLine()) != null) {
            if (line.startsWith("data:")) {
                data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
            } else if (line.isEmpty() && data.length() > 0) {
                dispatch(data.toString());
                data.setLength(0);
            }
        }
    }

    private void dispatch(String text) {
        FeedMessage message;
        try {
            message = json.readValue(text, FeedMessage.class);
        } catch (IOException e) {
            LOG.warnf("Unreadable feed message dropped (%s): %s", e.getMessage(),
                    text.length() > 200 ? text.substring(0, 200) : text);
            return;
        }
        ingester.handle(message);
    }

    private void closeCurrent() {
        InputStream in = current;
        current = null;
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // already broken
            }
        }
    }
}
