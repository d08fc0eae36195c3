package io.holdfast.pair;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A bettor-shaped client under fault: a few threads place single bets one after another, each with its own
 * {@code requestId}. A placement that is not acknowledged (connection refused or reset, a timeout, a 503) is
 * sent again with the same {@code requestId} and body to whichever node answers, until acknowledged or a
 * deadline passes. Everything the client saw is recorded, so a test can check that every acknowledged bet
 * is in the database exactly once and that no answer was a non-retriable error.
 */
public final class BetTraffic implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One acknowledged placement: which node answered, the bet id, and when (System.nanoTime). */
    public record Ack(String requestId, long betId, String node, long atNanos) {
    }

    private final Pair pair;
    private final List<String> sessions;
    private final long selectionId;
    private final String prefix;
    private final Duration giveUpAfter;
    private final Map<String, Ack> acked = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> abandoned = new ConcurrentLinkedQueue<>();
    private final AtomicInteger retriable = new AtomicInteger();
    private final AtomicLong sent = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    /** {@code sessions}: one session cookie per client thread (log in once, as heavy clients do). */
    public BetTraffic(Pair pair, List<String> sessions, long selectionId, String prefix, Duration giveUpAfter) {
        this.pair = pair;
        this.sessions = sessions;
        this.selectionId = selectionId;
        this.prefix = prefix;
        this.giveUpAfter = giveUpAfter;
    }

    public BetTraffic start() {
        running = true;
        for (int i = 0; i < sessions.size(); i++) {
            int client = i;
            Thread t = new Thread(() -> client(client), prefix + "-client-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    /** Stops sending new placements; the ones in flight still retry until acknowledged or abandoned. */
    public BetTraffic stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(giveUpAfter.toMillis() + 5000);
        }
        return this;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private void client(int client) {
        String cookie = sessions.get(client);
        Pair.Node node = pair.active() != null ? pair.active() : pair.node(Pair.A);
        for (long seq = 1; running; seq++) {
            String requestId = prefix + "-" + client + "-" + seq;
            String body = "{\"requestId\":\"" + requestId + "\",\"stake\":100,\"oddsChange\":\"ANY\","
                    + "\"legs\":[{\"selectionId\":" + selectionId + ",\"odds\":2.00}]}";
            long deadline = System.nanoTime() + giveUpAfter.toNanos();
            while (true) {
                if (System.nanoTime() > deadline) {
                    abandoned.add(requestId);
                    break;
                }
                sent.incrementAndGet();
                try {
                    HttpResponse<String> r = send(node, body, cookie);
                    int status = r.statusCode();
                    if (status == 200 || status == 201) {
                        JsonNode bet = JSON.readTree(r.body());
                        acked.put(requestId, new Ack(requestId, bet.get("id").asLong(), node.name(), System.nanoTime()));
                        break;
                    }
                    if (status == 503 && r.body().contains("\"code\"")) {
                        retriable.incrementAndGet();
                    } else {
                        errors.add(node.name() + " " + requestId + " -> " + status + " " + r.body());
                        break;
                    }
                } catch (java.io.IOException e) {
                    // refused, reset or timed out: the node is dead or frozen; try the other one
                    retriable.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                node = pair.other(node);
                sleep(25);
            }
        }
    }

    private static HttpResponse<String> send(Pair.Node node, String body, String cookie)
            throws java.io.IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(node.url() + "/api/bets"))
                .timeout(Duration.ofSeconds(2)).header("Content-Type", "application/json").header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return Pair.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Map<String, Ack> acked() {
        return acked;
    }

    public List<String> errors() {
        return List.copyOf(errors);
    }

    public List<String> abandoned() {
        return List.copyOf(abandoned);
    }

    public int retriable() {
        return retriable.get();
    }

    public long sent() {
        return sent.get();
    }

    /** The first acknowledgement by {@code node} at or after {@code sinceNanos}, or null. */
    public Ack firstAck(String node, long sinceNanos) {
        return acked.values().stream().filter(a -> a.node().equals(node) && a.atNanos() >= sinceNanos)
                .min(java.util.Comparator.comparingLong(Ack::atNanos)).orElse(null);
    }

    public long acksSince(long sinceNanos) {
        return acked.values().stream().filter(a -> a.atNanos() >= sinceNanos).count();
    }

    /**
     * What the database holds for this traffic's request ids: request id → the ids of the bets with it.
     * A correct run has exactly one bet, the acknowledged one, for every acknowledged request id.
     */
    public Map<String, List<Long>> betsInDatabase() throws Exception {
        Map<String, List<Long>> found = new HashMap<>();
        try (Connection c = pair.db();
                PreparedStatement ps = c.prepareStatement("SELECT request_id, id FROM bet WHERE request_id LIKE ?")) {
            ps.setString(1, prefix + "-%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getLong(2));
                }
            }
        }
        return found;
    }

    /** Acknowledged request ids that are not in the database exactly once as the acknowledged bet. */
    public List<String> lostOrDoubled() throws Exception {
        Map<String, List<Long>> db = betsInDatabase();
        List<String> wrong = new ArrayList<>();
        for (Ack a : acked.values()) {
            List<Long> ids = db.getOrDefault(a.requestId(), List.of());
            if (ids.size() != 1 || ids.get(0) != a.betId()) {
                wrong.add(a.requestId() + " acked as bet " + a.betId() + ", database has " + ids);
            }
        }
        return wrong;
    }

    /** Accounts whose ledger does not add up to the balance (must be none). */
    public static long unbalancedAccounts(Pair pair) throws Exception {
        return pair.sqlLong("SELECT count(*) FROM account a WHERE a.balance <> "
                + "(SELECT coalesce(sum(amount), 0) FROM ledger_entry l WHERE l.account_id = a.id)");
    }

    /** Logs a new bettor in through {@code POST /api/session} and returns its session cookie. */
    public static String session(Pair.Node node, String username, String password) throws Exception {
        HttpResponse<String> r = node.send("POST", "/api/session",
                "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}", null, Duration.ofSeconds(10));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("login " + username + " -> " + r.statusCode() + " " + r.body());
        }
        return r.headers().allValues("set-cookie").stream().filter(v -> v.startsWith("holdfast-session="))
                .map(v -> v.substring(0, v.indexOf(';') < 0 ? v.length() : v.indexOf(';'))).findFirst()
                .orElseThrow(() -> new IllegalStateException("no session cookie in " + r.headers().map()));
    }

    /** Signs up {@code count} bettors with money through {@code node} and returns their session cookies. */
    public static List<String> bettors(Pair.Node node, String prefix, int count) throws Exception {
        List<String> cookies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String username = prefix.replace('-', '_') + "_" + i + "_" + System.nanoTime() % 100000;
            String password = "secret-" + username;
            node.send("POST", "/api/accounts", "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}",
                    null, Duration.ofSeconds(10));
            String cookie = session(node, username, password);
            HttpResponse<String> r = node.send("POST", "/api/wallet/deposits",
                    "{\"requestId\":\"dep-" + username + "\",\"amount\":10000000}", cookie, Duration.ofSeconds(10));
            if (r.statusCode() != 201) {
                throw new IllegalStateException("deposit -> " + r.statusCode() + " " + r.body());
            }
            cookies.add(cookie);
        }
        return cookies;
    }

    /** An event with one market; {@code home} and {@code away} are its selections, at 2.00 and 1.80. */
    public record Market(long eventId, long marketId, long home, long away) {
    }

    /** Creates a new event with one market of two selections through the admin API of {@code node}. */
    public static Market market(Pair.Node node, String name) throws Exception {
        JsonNode event = JSON.readTree(node.asAdmin("POST", "/api/admin/events",
                "{\"name\":\"" + name + "\",\"startsAt\":\"2030-01-01T18:00:00Z\"}"));
        long eventId = event.get("id").asLong();
        JsonNode market = JSON.readTree(node.asAdmin("POST", "/api/admin/events/" + eventId + "/markets",
                "{\"name\":\"Match winner\",\"selections\":[{\"name\":\"Home\",\"odds\":2.00},{\"name\":\"Away\",\"odds\":1.80}]}"));
        return new Market(eventId, market.get("id").asLong(), market.get("selections").get(0).get("id").asLong(),
                market.get("selections").get(1).get("id").asLong());
    }
}
