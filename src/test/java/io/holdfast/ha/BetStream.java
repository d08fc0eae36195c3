package io.holdfast.ha;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Bettors placing single bets through HAProxy, one after another per thread, as a careful client does: an
 * answer that is not an acknowledgement but may be retried (a 502/503/504, a refused or reset connection, a
 * timeout) is sent again with the same {@code requestId} and body, every 50 ms, until acknowledged or
 * {@link #GIVE_UP} passes. Everything is recorded so a test can check that each acknowledged bet is in the
 * database exactly once, that no answer was a non-retriable error, and when placements resumed after a fault.
 */
final class BetStream implements AutoCloseable {

    static final Duration GIVE_UP = Duration.ofSeconds(30);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** An acknowledged placement; times are System.nanoTime. */
    record Ack(String requestId, long betId, int status, long firstSentNanos, long lastSentNanos, long ackNanos) {
    }

    private record Bettor(long accountId, String cookie) {
    }

    private final HaPair pair;
    private final String prefix;
    private final long selectionId;
    private final String odds;
    private final List<Bettor> bettors = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, Ack> acks = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> nonRetriable = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> abandoned = new ConcurrentLinkedQueue<>();
    private final AtomicInteger retriable = new AtomicInteger();
    private volatile boolean running;

    /** Signs up {@code clients} bettors (one per thread) with money and a session each. */
    BetStream(HaPair pair, String prefix, int clients) throws Exception {
        this.pair = pair;
        this.prefix = prefix;
        JsonNode selection = pair.get("/api/events?status=SCHEDULED", "admin", pair.password("admin")).get(0).path("markets").get(0)
                .path("selections").get(0);
        this.selectionId = selection.path("id").asLong();
        this.odds = selection.path("odds").asText();
        for (int i = 0; i < clients; i++) {
            String user = prefix + "-" + i;
            HttpResponse<String> created = send("/api/accounts", "{\"username\":\"" + user
                    + "\",\"password\":\"ha-password\"}", null, null);
            long accountId = HaPair.JSON.readTree(created.body()).path("id").asLong();
            send("/api/wallet/deposits", "{\"requestId\":\"" + user + "-dep\",\"amount\":1000000}", null,
                    HaPair.basic(user, "ha-password"));
            HttpResponse<String> session = send("/api/session", "{\"username\":\"" + user
                    + "\",\"password\":\"ha-password\"}", null, null);
            String cookie = session.headers().allValues("set-cookie").stream().map(c -> c.split(";", 2)[0])
                    .reduce((a, b) -> a + "; " + b).orElseThrow();
            bettors.add(new Bettor(accountId, cookie));
        }
    }

    private HttpResponse<String> send(String path, String body, String cookie, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pair.lb() + path)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (auth != null) {
            b.header("Authorization", auth);
        }
        HttpResponse<String> r = HaPair.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2 && !path.equals("/api/bets")) {
            throw new IllegalStateException("POST " + path + " -> " + r.statusCode() + " " + r.body());
        }
        return r;
    }

    BetStream start() {
        running = true;
        for (int i = 0; i < bettors.size(); i++) {
            Bettor bettor = bettors.get(i);
            String name = prefix + "-" + i;
            Thread t = new Thread(() -> loop(bettor, name), "bets-" + name);
            threads.add(t);
            t.start();
        }
        return this;
    }

    private void loop(Bettor bettor, String name) {
        for (long seq = 1; running; seq++) {
            String requestId = name + "-" + seq;
            String body = "{\"requestId\":\"" + requestId + "\",\"stake\":10,\"legs\":[{\"selectionId\":" + selectionId
                    + ",\"odds\":" + odds + "}],\"oddsChange\":\"ANY\"}";
            long first = System.nanoTime();
            while (true) {
                long sentAt = System.nanoTime();
                String failure;
                try {
                    HttpResponse<String> r = send("/api/bets", body, bettor.cookie(), null);
                    int status = r.statusCode();
                    if (status == 200 || status == 201) {
                        acks.put(requestId, new Ack(requestId, HaPair.JSON.readTree(r.body()).path("id").asLong(),
                                status, first, sentAt, System.nanoTime()));
                        break;
                    }
                    if (status != 502 && status != 503 && status != 504) {
                        nonRetriable.add(requestId + ": " + status + " " + r.body());
                        break;
                    }
                    failure = status + " " + r.body();
                } catch (IOException e) {
                    failure = e.toString();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    nonRetriable.add(requestId + ": " + e);
                    break;
                }
                retriable.incrementAndGet();
                if (System.nanoTime() - first > GIVE_UP.toNanos()) {
                    abandoned.add(requestId + ": " + failure);
                    break;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** A stopped stream and when its fault struck (System.nanoTime). */
    record Faulted(BetStream bets, long at) {
        /** Milliseconds from the fault to the first bet accepted for a request sent after it, or -1. */
        long firstAckMillis() {
            return bets.firstAckAfter(at).orElse(-1);
        }
    }

    /**
     * Streams bets from {@code clients} new bettors, runs the launcher's fault {@code verb} 2 s in, waits up to
     * {@code bound} for a bet accepted for a request sent after the fault, lets the stream run 2 s more, stops it.
     */
    static Faulted aroundFault(HaPair pair, String prefix, int clients, Duration bound, String... verb)
            throws Exception {
        BetStream bets = new BetStream(pair, prefix, clients).start();
        long at;
        try {
            Thread.sleep(2000);
            at = pair.fault(verb);
            long fault = at;
            HaPair.await("a bet accepted after " + String.join(" ", verb), bound,
                    () -> bets.firstAckAfter(fault).isPresent());
            Thread.sleep(2000);
        } finally {
            bets.close();
        }
        return new Faulted(bets, at);
    }

    /** Lets each thread finish the bet it is placing (retries included), then stops. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(GIVE_UP.toMillis() + REQUEST_TIMEOUT.toMillis());
        }
    }

    /** Milliseconds from {@code faultNanos} to the first acknowledgement of an attempt sent after it. */
    OptionalLong firstAckAfter(long faultNanos) {
        return acks.values().stream().filter(a -> a.lastSentNanos() >= faultNanos)
                .mapToLong(a -> (a.ackNanos() - faultNanos) / 1_000_000).min();
    }

    /** The longest a bettor waited for an acknowledgement (retries included) among bets first sent from {@code sinceNanos}. */
    long maxWaitMillisSince(long sinceNanos) {
        return acks.values().stream().filter(a -> a.firstSentNanos() >= sinceNanos)
                .mapToLong(a -> (a.ackNanos() - a.firstSentNanos()) / 1_000_000).max().orElse(-1);
    }

    int acknowledged() {
        return acks.size();
    }

    int retriableAnswers() {
        return retriable.get();
    }

    List<String> nonRetriableErrors() {
        return List.copyOf(nonRetriable);
    }

    List<String> abandonedRequests() {
        return List.copyOf(abandoned);
    }

    /**
     * Compares the database with what the clients were told: returns the differences (empty when each
     * acknowledged bet is there exactly once, with the id the client got, and there is no other bet).
     */
    List<String> differencesWithDatabase() throws Exception {
        Map<String, long[]> inDb = new HashMap<>();
        try (Connection c = pair.db();
                PreparedStatement s = c.prepareStatement(
                        "SELECT request_id, count(*), min(id) FROM bet WHERE account_id = ANY (?) GROUP BY request_id")) {
            Array ids = c.createArrayOf("bigint", bettors.stream().map(Bettor::accountId).toArray());
            s.setArray(1, ids);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    inDb.put(rs.getString(1), new long[] { rs.getLong(2), rs.getLong(3) });
                }
            }
        }
        List<String> differences = new ArrayList<>();
        for (Ack ack : acks.values()) {
            long[] row = inDb.get(ack.requestId());
            if (row == null) {
                differences.add("acknowledged but missing: " + ack.requestId());
            } else if (row[0] != 1 || row[1] != ack.betId()) {
                differences.add(ack.requestId() + ": " + row[0] + " rows, id " + row[1] + ", acknowledged " + ack.betId());
            }
        }
        inDb.keySet().stream().filter(id -> !acks.containsKey(id) && abandoned.stream().noneMatch(a -> a.startsWith(id + ":")))
                .forEach(id -> differences.add("in the database but never acknowledged nor abandoned: " + id));
        return differences;
    }

    String summary() {
        return acks.size() + " acknowledged, " + retriable.get() + " retriable answers, " + nonRetriable.size()
                + " non-retriable errors, " + abandoned.size() + " abandoned";
    }
}
