package io.holdfast.feed.sim;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The odds feed simulator: a process of its own (JDK only, started with {@code java -cp <app jar>
 * io.holdfast.feed.sim.FeedSimulator}) playing soccer matches in compressed time for two producers, "prematch" and
 * "live", in the shape of Sportradar's Unified Odds Feed. Every match is a pure function of (seed, epoch, its index),
 * so the feed's history survives a restart of this process: a client recovers what it missed from the same
 * timestamps, whichever process of the simulator answers.
 *
 * <pre>
 * GET  /v1/stream                                          server-sent events, one JSON message each
 * POST /v1/{producer}/recovery/initiate_request?request_id=N[&amp;after=T]   202; the messages after T follow on the
 *                                                          stream with request_id N, then snapshot_complete
 * POST /control/silence?seconds=S[&amp;producer=P]             send nothing (not even alive) for S seconds
 * POST /control/subscribed0[?producer=P]                   the next alive says subscribed=0
 * POST /control/duplicate?count=N                          the next N stateful messages are sent twice
 * POST /control/reorder?count=N                            the next N pairs of stateful messages are swapped
 * GET  /control/state                                      what is playing, what is silenced
 * </pre>
 */
final class FeedSimulator {

    static final String PREMATCH = "prematch";
    static final String LIVE = "live";
    static final List<String> PRODUCERS = List.of(PREMATCH, LIVE);

    /** One message of a producer at its scheduled timestamp (its JSON without request_id). */
    record Msg(long ts, String producer, String json) {
    }

    private final long seed;
    private final long epoch;
    private final long prematchMillis;
    private final long liveMillis;
    private final long wrapMillis = 20_000;
    private final int concurrent;
    private final long windowMillis = 3_600_000;
    private final Map<Integer, List<Msg>> timelines = new ConcurrentHashMap<>();
    private final List<LinkedBlockingQueue<String>> subscribers = new CopyOnWriteArrayList<>();
    private final Map<String, Long> silencedUntil = new ConcurrentHashMap<>();
    private final Map<String, Boolean> unsubscribe = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> recoveryTimes = new ConcurrentHashMap<>();
    private volatile int duplicates;
    private volatile int reorders;
    private long sentUpTo;
    private long nextAlive;

    FeedSimulator(long seed, long epoch, long prematchMillis, long liveMillis, int concurrent) {
        this.seed = seed;
        this.epoch = epoch;
        this.prematchMillis = prematchMillis;
        this.liveMillis = liveMillis;
        this.concurrent = concurrent;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int port = Integer.parseInt(opts.getOrDefault("port", "8090"));
        long prematch = Long.parseLong(opts.getOrDefault("prematch-seconds", "60")) * 1000;
        long live = Long.parseLong(opts.getOrDefault("live-seconds", "120")) * 1000;
        int matches = Integer.parseInt(opts.getOrDefault("matches", "3"));
        // a first start begins one cycle in the past: matches are already in every phase
        long[] state = state(opts.get("state"), opts.get("seed"), System.currentTimeMillis() - prematch - live - 20_000);
        FeedSimulator sim = new FeedSimulator(state[0], state[1], prematch, live, matches);
        sim.serve(port);
        log("feed simulator on 127.0.0.1:" + port + " seed=" + state[0] + " epoch=" + Instant.ofEpochMilli(state[1])
                + " prematch=" + prematch / 1000 + "s live=" + live / 1000 + "s matches=" + matches);
    }

    /** Seed and epoch, kept in the state file so that a restarted simulator plays the same history. */
    private static long[] state(String file, String seedOption, long firstEpoch) throws IOException {
        if (file != null && Files.exists(Path.of(file))) {
            Map<String, String> kv = new HashMap<>();
            for (String line : Files.readAllLines(Path.of(file))) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    kv.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
            return new long[] { Long.parseLong(kv.get("seed")), Long.parseLong(kv.get("epoch")) };
        }
        long seed = seedOption == null ? System.nanoTime() % 1_000_000 : Long.parseLong(seedOption);
        long epoch = firstEpoch;
        if (file != null) {
            Path path = Path.of(file);
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            Files.writeString(path, "seed=" + seed + "\nepoch=" + epoch + "\n");
        }
        return new long[] { seed, epoch };
    }

    static void log(String line) {
        System.out.println(Instant.now() + " " + line);
        System.out.flush();
    }

    // ---- the matches ------------------------------------------------------------------------------------

    long cycle() {
        return prematchMillis + liveMillis + wrapMillis;
    }

    long created(int k) {
        return epoch + k * (cycle() / concurrent);
    }

    List<Msg> timeline(int k) {
        return timelines.computeIfAbsent(k, i -> new Match(this, i, seed, created(i), prematchMillis, liveMillis).play());
    }

    /** The matches whose messages may fall between from and to. */
    List<Integer> matchesBetween(long from, long to) {
        List<Integer> ks = new ArrayList<>();
        long spacing = cycle() / concurrent;
        int first = (int) Math.max(0, (from - epoch - cycle()) / spacing - 1);
        for (int k = first; created(k) <= to; k++) {
            if (created(k) + cycle() + 60_000 >= from) {
                ks.add(k);
            }
        }
        return ks;
    }

    List<Msg> between(long from, long to, String producer) {
        List<Msg> out = new ArrayList<>();
        for (int k : matchesBetween(from, to)) {
            for (Msg m : timeline(k)) {
                if (m.ts() > from && m.ts() <= to && (producer == null || m.producer().equals(producer))) {
                    out.add(m);
                }
            }
        }
        out.sort(Comparator.comparingLong(Msg::ts));
        return out;
    }

    // ---- the stream ------------------------------------------------------------------------------------

    void serve(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sim-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/v1/stream", this::stream);
        server.createContext("/v1/", this::recovery);
        server.createContext("/control/", this::control);
        server.createContext("/health", ex -> answer(ex, 200, "{\"status\":\"UP\"}"));
        server.start();
        sentUpTo = System.currentTimeMillis();
        nextAlive = sentUpTo;
        Thread ticker = new Thread(this::tick, "sim-ticker");
        ticker.start();
    }

    private void tick() {
        while (true) {
            try {
                long now = System.currentTimeMillis();
                List<Msg> due = between(sentUpTo, now, null);
                List<String> out = new ArrayList<>();
                for (int i = 0; i < due.size(); i++) {
                    Msg m = due.get(i);
                    if (reorders > 0 && i + 1 < due.size()) {
                        reorders--;
                        log("fault: reordered " + kind(due.get(i + 1)) + " before " + kind(m));
                        send(due.get(i + 1), out);
                        send(m, out);
                        i++;
                        continue;
                    }
                    send(m, out);
                }
                sentUpTo = now;
                if (now >= nextAlive) {
                    for (String p : PRODUCERS) {
                        int subscribed = unsubscribe.remove(p) != null ? 0 : 1;
                        if (!silenced(p, now)) {
                            out.add("{\"type\":\"alive\",\"producer\":\"" + p + "\",\"timestamp\":" + now
                                    + ",\"subscribed\":" + subscribed + "}");
                        }
                    }
                    nextAlive = now + 1000;
                }
                for (String json : out) {
                    publish(json);
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log("ticker: " + e);
            }
        }
    }

    private void send(Msg m, List<String> out) {
        if (silenced(m.producer(), m.ts())) {
            return; // lost on the wire; a recovery finds it
        }
        out.add(m.json());
        if (duplicates > 0) {
            duplicates--;
            log("fault: duplicated " + kind(m));
            out.add(m.json());
        }
    }

    private boolean silenced(String producer, long at) {
        Long until = silencedUntil.get(producer);
        return until != null && at < until;
    }

    private static String kind(Msg m) {
        int start = m.json().indexOf("\"type\":\"") + 8;
        return m.json().substring(start, m.json().indexOf('"', start)) + "@" + m.ts();
    }

    private void publish(String json) {
        for (LinkedBlockingQueue<String> q : subscribers) {
            q.offer(json);
        }
    }

    private void stream(HttpExchange ex) throws IOException {
        LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
        subscribers.add(queue);
        log("stream: client connected from " + ex.getRemoteAddress() + " (" + subscribers.size() + " connected)");
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.getResponseHeaders().add("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(": holdfast feed simulator\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                String json = queue.poll(5, TimeUnit.SECONDS);
                if (json == null) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                } else {
                    StringBuilder batch = new StringBuilder("data: ").append(json).append("\n\n");
                    for (String more; (more = queue.poll()) != null;) {
                        batch.append("data: ").append(more).append("\n\n");
                    }
                    out.write(batch.toString().getBytes(StandardCharsets.UTF_8));
                }
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            log("stream: client gone (" + e.getMessage() + ")");
        } finally {
            subscribers.remove(queue);
        }
    }

    /** POST /v1/{producer}/recovery/initiate_request?request_id=N[&after=T]. */
    private void recovery(HttpExchange ex) throws IOException {
        String[] parts = ex.getRequestURI().getPath().split("/");
        if (!ex.getRequestMethod().equals("POST") || parts.length != 5 || !parts[3].equals("recovery")
                || !parts[4].equals("initiate_request") || !PRODUCERS.contains(parts[2])) {
            answer(ex, 404, "{\"error\":\"not found\"}");
            return;
        }
        String producer = parts[2];
        Map<String, String> q = query(ex.getRequestURI());
        long requestId;
        Long after;
        try {
            requestId = Long.parseLong(q.get("request_id"));
            after = q.containsKey("after") ? Long.parseLong(q.get("after")) : null;
        } catch (RuntimeException e) {
            answer(ex, 400, "{\"error\":\"request_id (and after) must be numbers\"}");
            return;
        }
        long now = System.currentTimeMillis();
        List<Long> recent = recoveryTimes.computeIfAbsent(producer, p -> new CopyOnWriteArrayList<>());
        recent.removeIf(t -> t < now - 60_000);
        if (recent.size() >= 30) {
            answer(ex, 429, "{\"error\":\"too many recovery requests\"}");
            return;
        }
        recent.add(now);
        answer(ex, 202, "{\"request_id\":" + requestId + "}");
        Thread replay = new Thread(() -> replay(producer, requestId, after, now), "sim-recovery");
        replay.setDaemon(true);
        replay.start();
    }

    /**
     * The stateful messages after {@code after} (within the window); without one, or before the window, the current
     * matches from their start (a snapshot). Then snapshot_complete. A silenced producer's answer is lost too.
     */
    private void replay(String producer, long requestId, Long after, long now) {
        long from;
        String how;
        if (after != null && after >= now - windowMillis) {
            from = after;
            how = "after " + after;
        } else {
            from = now - cycle() - 60_000;
            how = "snapshot";
        }
        List<Msg> msgs = between(from, now, producer);
        if (silenced(producer, System.currentTimeMillis())) {
            log("recovery " + requestId + " of " + producer + ": silenced, nothing sent");
            return;
        }
        for (Msg m : msgs) {
            publish("{\"request_id\":" + requestId + "," + m.json().substring(1));
        }
        publish("{\"type\":\"snapshot_complete\",\"producer\":\"" + producer + "\",\"timestamp\":"
                + System.currentTimeMillis() + ",\"request_id\":" + requestId + "}");
        log("recovery " + requestId + " of " + producer + " (" + how + "): " + msgs.size() + " messages");
    }

    private void control(HttpExchange ex) throws IOException {
        String what = ex.getRequestURI().getPath().substring("/control/".length());
        Map<String, String> q = query(ex.getRequestURI());
        String producer = q.get("producer");
        if (producer != null && !PRODUCERS.contains(producer)) {
            answer(ex, 400, "{\"error\":\"producer is prematch or live\"}");
            return;
        }
        List<String> which = producer == null ? PRODUCERS : List.of(producer);
        try {
            switch (what) {
                case "silence" -> {
                    long seconds = Long.parseLong(q.getOrDefault("seconds", "10"));
                    long until = System.currentTimeMillis() + seconds * 1000;
                    which.forEach(p -> silencedUntil.put(p, until));
                    log("fault: " + which + " silent for " + seconds + " s");
                }
                case "subscribed0" -> {
                    which.forEach(p -> unsubscribe.put(p, true));
                    log("fault: next alive of " + which + " says subscribed=0");
                }
                case "duplicate" -> {
                    duplicates = Integer.parseInt(q.getOrDefault("count", "5"));
                    log("fault: the next " + duplicates + " messages are sent twice");
                }
                case "reorder" -> {
                    reorders = Integer.parseInt(q.getOrDefault("count", "5"));
                    log("fault: the next " + reorders + " pairs of messages are swapped");
                }
                case "state" -> {
                    answer(ex, 200, state());
                    return;
                }
                default -> {
                    answer(ex, 404, "{\"error\":\"unknown control " + what + "\"}");
                    return;
                }
            }
        } catch (NumberFormatException e) {
            answer(ex, 400, "{\"error\":\"not a number\"}");
            return;
        }
        answer(ex, 200, state());
    }

    private String state() {
        long now = System.currentTimeMillis();
        StringBuilder s = new StringBuilder("{\"now\":").append(now).append(",\"seed\":").append(seed)
                .append(",\"epoch\":").append(epoch).append(",\"clients\":").append(subscribers.size())
                .append(",\"silencedUntil\":{");
        String sep = "";
        for (String p : PRODUCERS) {
            s.append(sep).append('"').append(p).append("\":").append(silencedUntil.getOrDefault(p, 0L));
            sep = ",";
        }
        s.append("},\"matches\":[");
        sep = "";
        for (int k : matchesBetween(now, now)) {
            long c = created(k);
            String phase = now < c ? "scheduled" : now < c + prematchMillis ? "prematch"
                    : now < c + prematchMillis + liveMillis ? "live" : "finished";
            s.append(sep).append("{\"event_id\":\"").append(Match.eventId(seed, k)).append("\",\"phase\":\"")
                    .append(phase).append("\",\"kickoff\":").append(c + prematchMillis).append('}');
            sep = ",";
        }
        return s.append("]}").toString();
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String kv : uri.getRawQuery().split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    q.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        }
        return q;
    }

    private static void answer(HttpExchange ex, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
