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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Odds fan-out: N open connections to the odds stream ({@code GET /api/odds/stream}, server-sent events) on one node,
 * read by one thread ({@link SseLoad}: the client shares the machine), price changes posted through the back office
 * at a constant arrival rate (sent without waiting for the previous answer); prints the time from each change's
 * request to its event arriving on every connection (an upper bound of commit-to-byte: the clock starts before the
 * change's own request, so its round trip is included), the events lost, the node's resident memory per connection,
 * and the CPU the node and this client used meanwhile (cores), to tell which of the two was the limit.
 * For ha-config/bench-throughput (d):
 *
 *   java ... io.holdfast.bench.FanoutBenchmark NODE_URL API_URL NODE_PID CONNECTIONS CHANGES_PER_S SECONDS
 */
public final class FanoutBenchmark {

    private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");

    public static void main(String[] args) throws Exception {
        String node = args[0];
        // the changes go to the ACTIVE node itself, as the streams do: what is measured is the node's fan-out, not
        // HAProxy's health checks (on a loaded machine they flap, and a change through it gets a 503)
        String api = node; // args[1], the balancer's URL, is not used
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
        // the change's key (selection, odds in hundredths) -> when its request was sent
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        Recorder latency = new Recorder(3);
        long[] received = new long[connections]; // written on the load's one thread, read after it stopped
        AtomicLong unknown = new AtomicLong();
        byte[] selectionKey = "\"selectionId\":".getBytes(StandardCharsets.US_ASCII);
        byte[] oddsKey = "\"odds\":".getBytes(StandardCharsets.US_ASCII);
        URI nodeUri = URI.create(node);
        SseLoad load = new SseLoad(nodeUri.getHost(), nodeUri.getPort(), "/api/odds/stream", (stream, line, from, to) -> {
            long now = System.nanoTime();
            long selection = SseLoad.number(line, from, to, selectionKey);
            long odds = SseLoad.hundredths(line, from, to, oddsKey);
            Long sent = selection < 0 || odds < 0 ? null : sentAt.get(key(selection, odds));
            if (sent == null) {
                unknown.incrementAndGet(); // a change from before the measured part, or another source
                return;
            }
            received[stream]++;
            latency.recordValue(Math.max(1, (now - sent) / 1000));
        });
        Thread loader = new Thread(load, "sse-load");
        loader.setDaemon(true);
        loader.start();
        for (int c = 0; c < connections; c++) {
            load.open(c);
            if (c % 500 == 499) {
                Thread.sleep(200); // not all at once: the accept queue is finite
            }
        }
        AtomicInteger open = load.open;
        AtomicInteger ended = load.ended;
        long waitUntil = System.nanoTime() + 60_000_000_000L;
        int warm = 0;
        while (open.get() < connections && System.nanoTime() < waitUntil) {
            Thread.sleep(2_000);
            // a stream may send its headers only with its first event: a change no one times (counted as unknown)
            try {
                send(control, api + "/api/admin/selections/" + selections[0] + "/odds", "PUT", "{\"odds\":"
                        + new BigDecimal("50.00").add(BigDecimal.valueOf(warm++, 2)) + "}", session);
            } catch (Exception e) {
                System.err.println("warm-up change: " + e.getMessage());
            }
        }
        Thread.sleep(2_000);
        long rssOpen = rssKb(pid);

        // changes at a constant rate, alternating between the two selections, each to an odds value not used before
        long interval = (long) (1_000_000_000L / rate);
        int changes = (int) (rate * seconds);
        latency.getIntervalHistogram(); // from here on
        long nodeTicks0 = cpuTicks("/proc/" + pid + "/stat");
        long selfTicks0 = cpuTicks("/proc/self/stat");
        long start = System.nanoTime();
        AtomicInteger sentOk = new AtomicInteger();
        List<java.util.concurrent.CompletableFuture<?>> inFlight = new ArrayList<>();
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
            sentAt.put(key(selection, odds.movePointRight(2).longValueExact()), System.nanoTime());
            int n = i;
            // sent without waiting for the answer: a constant arrival rate, whatever one change takes
            inFlight.add(control.sendAsync(request(api + "/api/admin/selections/" + selection + "/odds", "PUT",
                    "{\"odds\":" + odds + "}", session), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                        if (e == null && r.statusCode() / 100 == 2) {
                            sentOk.incrementAndGet();
                        } else {
                            System.err.println("change " + n + ": " + (e != null ? e : r.statusCode() + " " + r.body()));
                        }
                    }));
        }
        double took = (System.nanoTime() - start) / 1e9;
        for (var f : inFlight) {
            try {
                f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // counted above
            }
        }
        Thread.sleep(3_000); // the last events on their way
        double cpuSeconds = (System.nanoTime() - start) / 1e9;
        double nodeCores = (cpuTicks("/proc/" + pid + "/stat") - nodeTicks0) / 100.0 / cpuSeconds;
        double selfCores = (cpuTicks("/proc/self/stat") - selfTicks0) / 100.0 / cpuSeconds;
        load.stop();
        loader.join(5_000);
        Histogram h = latency.getIntervalHistogram();
        long min = Long.MAX_VALUE;
        long total = 0;
        for (int c = 0; c < connections; c++) {
            min = Math.min(min, received[c]);
            total += received[c];
        }
        long expected = (long) sentOk.get() * open.get();
        System.out.printf("FANOUT %d %d %.1f %d %.2f %.2f %.2f %.2f %d %d %d %d %.1f %d %.2f %.2f%n", connections,
                open.get(), sentOk.get() / took, sentOk.get(), h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0,
                total, expected - total, min == Long.MAX_VALUE ? 0 : min, ended.get(),
                (rssOpen - rssBefore) / (double) Math.max(1, open.get()), late, nodeCores, selfCores);
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

    private static long key(long selection, long hundredths) {
        return selection * 10_000_000L + hundredths;
    }

    /** User plus system CPU time of a process in clock ticks (1/100 s), from its /proc stat line. */
    private static long cpuTicks(String stat) throws Exception {
        String line = Files.readString(Path.of(stat));
        String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static HttpRequest request(String url, String method, String json, String auth) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header(auth.startsWith("Basic ") ? "Authorization" : "Cookie", auth).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static String send(HttpClient http, String url, String method, String json, String auth) throws Exception {
        HttpResponse<String> r = http.send(request(url, method, json, auth), HttpResponse.BodyHandlers.ofString());
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
