package io.holdfast.ha;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.holdfast.pair.BetTraffic;

/**
 * {@code ha-config/bench-failover}: issue 12's table, measured as a bettor sees it. The whole pair
 * ({@code holdfast-pair up}, its own ports), bettors through HAProxy retrying by requestId with a 10 s timeout;
 * per fault the longest stretch without any acknowledged bet (over all clients, from 2 s before the fault to 2 s
 * after the first bet accepted after it), with the pair whole again before each fault. Every fault also checks
 * that each acknowledged bet is in the database exactly once and counts the non-retriable answers. Not a test:
 * it prints numbers. Arguments: faults per kind (default 5), clients (default 8), kinds (default
 * crash,freeze,switchover,db).
 */
final class FailoverTable {

    private record Kind(String name, String fault, long targetMillis) {
    }

    private static final List<Kind> KINDS = List.of(new Kind("crash", "kill -9 of the ACTIVE", 500),
            new Kind("freeze", "SIGSTOP of the ACTIVE for 5 s", 1200),
            new Kind("switchover", "switchover from the ops API", 200),
            new Kind("db", "kill -9 of the database primary's host", 5000));

    private record Run(Kind kind, long gapMillis, long firstAckMillis, int acked, int retriable, int errors,
            int abandoned, int differences) {
    }

    private final HaPair pair;
    private final List<BetTraffic.Bettor> bettors;
    private final long selection;
    private final List<Run> runs = new java.util.concurrent.CopyOnWriteArrayList<>();

    private FailoverTable(HaPair pair, int clients) throws Exception {
        this.pair = pair;
        this.bettors = BetTraffic.bettors(pair.lb(), "fob", clients);
        this.selection = BetTraffic.market(pair.lb(), pair.password("admin"), "Failover table").home();
    }

    public static void main(String[] args) throws Exception {
        int faults = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        List<String> wanted = args.length > 2 ? Arrays.asList(args[2].split(",")) : KINDS.stream().map(Kind::name).toList();
        HaPair pair = new HaPair("target/failover-bench", Integer.parseInt(System.getProperty("offset", "21000")));
        FailoverTable table = null;
        java.util.concurrent.atomic.AtomicReference<FailoverTable> measured = new java.util.concurrent.atomic.AtomicReference<>();
        // stopped early (a timeout's SIGINT/SIGTERM): print what was measured so far; ha-config/bench-failover's
        // caller stops the pair (`holdfast-pair down` with this run directory)
        Thread early = new Thread(() -> {
            FailoverTable t = measured.get();
            if (t != null) {
                System.out.println("(stopped early: the faults measured so far)");
                t.print(clients);
            }
        });
        Runtime.getRuntime().addShutdownHook(early);
        try {
            pair.up();
            table = new FailoverTable(pair, clients);
            measured.set(table);
            for (int round = 1; round <= faults; round++) {
                for (Kind kind : KINDS) {
                    if (wanted.contains(kind.name())) {
                        table.measure(kind, round);
                    }
                }
            }
        } finally {
            try {
                pair.close();
            } catch (Exception e) {
                System.err.println("down failed: " + e);
            }
            if (table != null) {
                measured.set(null);
                table.print(clients);
            }
        }
    }

    private void measure(Kind kind, int round) throws Exception {
        awaitWhole();
        String prefix = kind.name().charAt(0) + "" + round + "t" + System.currentTimeMillis() % 1_000_000;
        BetTraffic traffic = new BetTraffic(pair, bettors, selection, prefix, BetTraffic.Client.THROUGH_LB);
        String oldPrimary = pair.member("leader");
        BetTraffic.Faulted run = BetTraffic.aroundFault(traffic, Duration.ofSeconds(2), Duration.ofSeconds(40),
                Duration.ofSeconds(2), () -> strike(kind));
        Run r = new Run(kind, run.gapMillis(), run.firstAckMillis(), traffic.acked().size(), traffic.retriable(),
                traffic.errors().size(), traffic.abandoned().size(), traffic.differencesWithDatabase().size());
        runs.add(r);
        System.out.printf(Locale.ROOT, "%-10s #%d: longest gap %d ms (first ack sent after the fault: %d ms); %s; %d differences with the database%n",
                kind.name(), round, r.gapMillis(), r.firstAckMillis(), traffic.summary(), r.differences());
        traffic.errors().stream().limit(3).forEach(e -> System.out.println("  non-retriable: " + e));
        if (kind.name().equals("db")) {
            pair.pair("start", oldPrimary);
        }
    }

    private long strike(Kind kind) throws Exception {
        switch (kind.name()) {
            case "crash":
                return pair.fault("kill-active-app");
            case "freeze":
                return pair.fault("pause-active-app", "5");
            case "db":
                return pair.fault("kill-db-primary");
            default:
                String active = pair.activeNode();
                String target = active.equals("node-a") ? "node-b" : "node-a";
                long at = System.nanoTime();
                HttpResponse<String> r = HaPair.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + pair.nodePort(active) + "/api/ops/switchover")).timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/json").header("Authorization", BetTraffic.basic("ops", pair.password("ops")))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"" + target + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                System.out.printf("switchover %s -> %s: %d %s%n", active, target, r.statusCode(), r.body());
                return at;
        }
    }

    /** Both app nodes up (one ACTIVE, one PASSIVE in its cluster), a database leader and a sync standby. */
    private void awaitWhole() throws Exception {
        HaPair.await("the pair whole again", Duration.ofSeconds(180), () -> {
            try {
                String active = pair.activeNode();
                if (active == null || pair.member("leader") == null || pair.member("sync_standby") == null) {
                    return false;
                }
                String passive = active.equals("node-a") ? "node-b" : "node-a";
                if (pair.status(passive, "/q/health/live") != 200 || pair.status(passive, "/q/health/ready") != 503) {
                    return false;
                }
                var roles = new ArrayList<String>();
                pair.get("/api/ops/cluster", "ops", pair.password("ops")).path("nodes")
                        .forEach(n -> roles.add(n.path("name").asText() + "=" + n.path("role").asText()));
                return roles.contains(active + "=ACTIVE") && roles.contains(passive + "=PASSIVE");
            } catch (Exception e) {
                return false;
            }
        });
        Thread.sleep(2000); // let the JGroups view and the restarted JVM settle
    }

    private void print(int clients) {
        System.out.println();
        System.out.printf(Locale.ROOT, "bench-failover: %d clients through HAProxy, retries by requestId, 10 s timeout; "
                + "longest stretch without an acknowledged bet around each fault%n", clients);
        System.out.printf(Locale.ROOT, "| %-40s | %6s | %-22s | %-9s | %s |%n", "fault", "faults", "gap median / max (ms)",
                "target", "lost or doubled / non-retriable / abandoned");
        System.out.println("|---|---|---|---|---|");
        for (Kind kind : KINDS) {
            List<Run> mine = runs.stream().filter(r -> r.kind() == kind).toList();
            if (mine.isEmpty()) {
                continue;
            }
            long[] gaps = mine.stream().mapToLong(Run::gapMillis).sorted().toArray();
            long median = gaps.length % 2 == 1 ? gaps[gaps.length / 2]
                    : (gaps[gaps.length / 2 - 1] + gaps[gaps.length / 2]) / 2;
            System.out.printf(Locale.ROOT, "| %-40s | %6d | %,10d / %,9d | ≤ %,6d | %d / %d / %d |%n", kind.fault(),
                    gaps.length, median, gaps[gaps.length - 1], kind.targetMillis(),
                    mine.stream().mapToInt(Run::differences).sum(), mine.stream().mapToInt(Run::errors).sum(),
                    mine.stream().mapToInt(Run::abandoned).sum());
        }
        System.out.printf(Locale.ROOT, "acknowledged bets: %d; every gap in ms: %s%n", runs.stream().mapToInt(Run::acked).sum(),
                runs.stream().map(r -> r.kind().name() + "=" + r.gapMillis()).toList());
    }
}
