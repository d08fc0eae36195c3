package io.holdfast.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.holdfast.pair.BetTraffic;
import io.holdfast.pair.Pair;

/**
 * Failover figures of the pair, measured on two real processes under a stream of bet placements (clients
 * retry unacknowledged placements with the same requestId on whichever node answers):
 * kill -9 of the active → first bet accepted by the new active; SIGSTOP of the active → the other node
 * ready (takeover) and first bet accepted; switchover → the time the ops call took. Run by
 * ha-config/bench-failover; not part of the tests. Every run also checks that no acknowledged bet was lost
 * or doubled and prints the count of client-visible non-retriable errors.
 */
public final class FailoverBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A fault hit at {@code t0} on the active, while {@code traffic} runs; records its own figures. */
    private interface Fault {
        void hit(Pair.Node active, Pair.Node passive, long t0) throws Exception;
    }

    private final Pair pair;
    private final List<BetTraffic.Bettor> bettors;
    private final BetTraffic.Market market;
    private final List<Long> kill = new ArrayList<>();
    private final List<Long> killReady = new ArrayList<>();
    private final List<Long> stop = new ArrayList<>();
    private final List<Long> stopAck = new ArrayList<>();
    private final List<Long> flip = new ArrayList<>();
    private final List<Long> flipClient = new ArrayList<>();
    private long errors;
    private long wrong;

    private FailoverBenchmark(Pair pair) throws Exception {
        this.pair = pair;
        this.bettors = BetTraffic.bettors(pair.active(), "bench", 4);
        this.market = BetTraffic.market(pair.active(), "Failover benchmark");
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        try (Pair pair = new Pair().start()) {
            new FailoverBenchmark(pair).run(runs);
        }
    }

    private void run(int runs) throws Exception {
        for (int run = 1; run <= runs; run++) {
            underLoad("k" + run, kill, (active, passive, t0) -> {
                pair.kill9(active);
                Pair.await("takeover", Duration.ofSeconds(20), passive::ready);
                killReady.add(ms(System.nanoTime() - t0));
            });
            underLoad("s" + run, stopAck, (active, passive, t0) -> {
                pair.signal(active, "STOP");
                Pair.await("takeover", Duration.ofSeconds(20), passive::ready);
                stop.add(ms(System.nanoTime() - t0));
                Thread.sleep(1000);
                pair.signal(active, "CONT");
                Pair.await("old node fenced", Duration.ofSeconds(20), () -> !active.ready());
            });
            underLoad("w" + run, new ArrayList<>(), (active, passive, t0) -> {
                JsonNode done = JSON.readTree(active.asOps("POST", "/api/ops/switchover",
                        "{\"target\":\"" + passive.name() + "\"}"));
                flipClient.add(ms(System.nanoTime() - t0));
                flip.add(done.get("tookMillis").asLong());
            });
            System.out.printf(Locale.ROOT,
                    "run %d: kill -9 -> ready %d ms, first bet %d ms | SIGSTOP -> takeover %d ms, first bet %d ms | switchover %d ms (client %d ms)%n",
                    run, last(killReady), last(kill), last(stop), last(stopAck), last(flip), last(flipClient));
        }
        System.out.println();
        System.out.printf("%-44s %6s %6s %6s %6s%n", "over " + runs + " runs (ms)", "min", "median", "mean", "max");
        row("kill -9 -> first accepted bet on new active", kill);
        row("kill -9 -> new active ready", killReady);
        row("SIGSTOP -> takeover (other node ready)", stop);
        row("SIGSTOP -> first accepted bet", stopAck);
        row("switchover (tookMillis in the answer)", flip);
        row("switchover (ops call, client side)", flipClient);
        System.out.printf("client-visible non-retriable errors: %d; acknowledged bets lost or doubled: %d%n", errors, wrong);
    }

    /**
     * Runs bet traffic, hits the active with {@code fault}, records in {@code firstBet} the time from the
     * fault to the first bet the other node accepted, checks the run, and makes the pair whole again.
     */
    private void underLoad(String prefix, List<Long> firstBet, Fault fault) throws Exception {
        Pair.Node active = pair.active();
        Pair.Node passive = pair.other(active);
        try (BetTraffic traffic = new BetTraffic(pair, bettors, market.home(), prefix, Duration.ofSeconds(40)).start()) {
            awaitAcks(traffic, 20);
            long t0 = System.nanoTime();
            fault.hit(active, passive, t0);
            Pair.await("first bet on " + passive.name(), Duration.ofSeconds(20),
                    () -> traffic.firstAck(passive.name(), t0) != null);
            firstBet.add(ms(traffic.firstAck(passive.name(), t0).atNanos() - t0));
            traffic.stop();
            errors += traffic.errors().size() + traffic.abandoned().size();
            wrong += traffic.differencesWithDatabase().size();
        }
        pair.ensureBoth();
    }

    private static void awaitAcks(BetTraffic traffic, int n) throws InterruptedException {
        Pair.await(n + " bets", Duration.ofSeconds(30), () -> traffic.acked().size() >= n);
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static long last(List<Long> xs) {
        return xs.get(xs.size() - 1);
    }

    private static void row(String what, List<Long> xs) {
        List<Long> s = xs.stream().sorted().toList();
        double mean = s.stream().mapToLong(Long::longValue).average().orElse(0);
        System.out.printf(Locale.ROOT, "%-44s %6d %6d %6.0f %6d%n", what, s.get(0), s.get(s.size() / 2), mean,
                s.get(s.size() - 1));
    }
}
