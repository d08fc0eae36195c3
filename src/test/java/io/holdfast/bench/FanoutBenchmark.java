package io.holdfast.bench;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Odds fan-out: N open connections to the odds stream ({@code GET /api/odds/stream}, server-sent events) on one node,
 * price changes posted through the back office at a constant rate; prints the time from each change's request to
 * its event arriving on every connection (an upper bound of commit-to-byte: the clock starts before the change's
 * own request, so its round trip is included), the events lost, and the node's resident memory per connection.
 * For ha-config/bench-throughput (d):
 *
 *   java ... io.holdfast.bench.FanoutBenchmark NODE_URL API_URL NODE_PID CONNECTIONS CHANGES_PER_S SECONDS
 */
public final class FanoutBenchmark {

    private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");
    private static final Pattern EVENT = Pattern.compile("\"selectionId\":(\\d+),\"odds\":([0-9.]+)");

    public static void main(String[] args) throws Exception {
        String node = args[0];
        String api = args[1];
        long pid = Long.parseLong(args[2]);
        int connections = Integer.parseInt(args[3]);
        double rate = Double.parseDouble(args[4]);
        int seconds = Integer.parseInt(args[5]);
        String password = System.getenv().getOrDefault("HOLDFAST_ADMIN_PASSWORD", "admin");
        String admin = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
        HttpClient control = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        // the changes go with an admin session: Basic authentication is a bcrypt per request (tens of ms of CPU)
        HttpResponse<String> login = control.send(HttpRequest.newBuilder(URI.create(api + "/api/session"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"admin\",\"password\":\"" + password + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        String session = login.headers().firstValue("set-cookie").orElseThrow(
                () -> new IllegalStateException("admin login: " + login.statusCode() + " " + login.body())).split(";")[0];

        long event = firstId(send(control, api + "/api/admin/events", "POST", "{\"name\":\"Fan-out FC v Refresh Rovers "
                + System.nanoTime() + "\",\"startsAt\":\"2031-01-01T00:00:00Z\"}", admin));
        Matcher m = ID.matcher(send(control, api + "/api/admin/events/" + event + "/markets", "POST",
                "{\"name\":\"Match result\",\"selections\":[{\"name\":\"Home\",\"odds\":2.00},{\"name\":\"Away\","
                        + "\"odds\":2.00}]}", session));
        m.find();
        long[] selections = new long[2];
        for (int i = 0; i < 2 && m.find(); i++) {
            selections[i] = Long.parseLong(m.group(1));
        }

        long rssBefore = rssKb(pid);
        // the change's key (selection:odds) -> when its request was sent
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Recorder latency = new Recorder(3);
        AtomicLongArray received = new AtomicLongArray(connections);
        AtomicInteger open = new AtomicInteger();
        AtomicInteger ended = new AtomicInteger();
        AtomicLong unknown = new AtomicLong();
        List<HttpClient> clients = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(30)).build());
        }
        for (int c = 0; c < connections; c++) {
            int me = c;
            clients.get(c % clients.size()).sendAsync(HttpRequest.newBuilder(URI.create(node + "/api/odds/stream"))
                    .header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.fromLineSubscriber(new Flow.Subscriber<String>() {
                        @Override
                        public void onSubscribe(Flow.Subscription s) {
                            open.incrementAndGet();
                            s.request(Long.MAX_VALUE);
                        }

                        @Override
                        public void onNext(String line) {
                            if (!line.startsWith("data:")) {
                                return;
                            }
                            long now = System.nanoTime();
                            Matcher e = EVENT.matcher(line);
                            if (!e.find()) {
                                return;
                            }
                            Long sent = sentAt.get(e.group(1) + ":" + new BigDecimal(e.group(2)).stripTrailingZeros()
                                    .toPlainString());
                            if (sent == null) {
                                unknown.incrementAndGet(); // a change from before the measured part, or another source
                                return;
                            }
                            received.incrementAndGet(me);
                            latency.recordValue(Math.max(1, (now - sent) / 1000));
                        }

                        @Override
                        public void onError(Throwable t) {
                            ended.incrementAndGet();
                        }

                        @Override
                        public void onComplete() {
                            ended.incrementAndGet();
                        }
                    }));
            if (c % 500 == 499) {
                Thread.sleep(200); // not all at once: the accept queue is finite
            }
        }
        long waitUntil = System.nanoTime() + 60_000_000_000L;
        int warm = 0;
        while (open.get() < connections && System.nanoTime() < waitUntil) {
            Thread.sleep(2_000);
            // a stream may send its headers only with its first event: a change no one times (counted as unknown)
            send(control, api + "/api/admin/selections/" + selections[0] + "/odds", "PUT", "{\"odds\":"
                    + new BigDecimal("50.00").add(BigDecimal.valueOf(warm++, 2)) + "}", session);
        }
        Thread.sleep(2_000);
        long rssOpen = rssKb(pid);

        // changes at a constant rate, alternating between the two selections, each to an odds value not used before
        long interval = (long) (1_000_000_000L / rate);
        int changes = (int) (rate * seconds);
        latency.getIntervalHistogram(); // from here on
        long start = System.nanoTime();
        int sentOk = 0;
        int late = 0;
        for (int i = 0; i < changes; i++) {
            long due = start + i * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            if (System.nanoTime() - due > 20_000_000L) {
                late++;
            }
            long selection = selections[i % 2];
            BigDecimal odds = new BigDecimal("2.01").add(BigDecimal.valueOf(i / 2, 2));
            sentAt.put(selection + ":" + odds.stripTrailingZeros().toPlainString(), System.nanoTime());
            try {
                send(control, api + "/api/admin/selections/" + selection + "/odds", "PUT", "{\"odds\":" + odds + "}",
                        session);
                sentOk++;
            } catch (Exception e) {
                System.err.println("change " + i + ": " + e.getMessage());
            }
        }
        double took = (System.nanoTime() - start) / 1e9;
        Thread.sleep(3_000); // the last events on their way
        Histogram h = latency.getIntervalHistogram();
        long min = Long.MAX_VALUE;
        long total = 0;
        for (int c = 0; c < connections; c++) {
            min = Math.min(min, received.get(c));
            total += received.get(c);
        }
        long expected = (long) sentOk * open.get();
        System.out.printf("FANOUT %d %d %.1f %d %.2f %.2f %.2f %.2f %d %d %d %d %.1f %d%n", connections, open.get(),
                sentOk / took, sentOk, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0, total, expected - total,
                min == Long.MAX_VALUE ? 0 : min, ended.get(), (rssOpen - rssBefore) / (double) Math.max(1, open.get()),
                late);
        System.exit(0);
    }

    private static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static String send(HttpClient http, String url, String method, String json, String auth) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type",
                "application/json").header(auth.startsWith("Basic ") ? "Authorization" : "Cookie", auth)
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private static long firstId(String json) {
        Matcher m = ID.matcher(json);
        m.find();
        return Long.parseLong(m.group(1));
    }
}
