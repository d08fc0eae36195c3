package io.holdfast.ha;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.holdfast.pair.BetTraffic;

/**
 * {@code ha-config/bench-ha}: the pair's failover times over several runs, under a stream of bets through
 * HAProxy. Each run kills the PostgreSQL primary's host (Patroni and postgres, kill -9) and then the ACTIVE app
 * node, and measures the time from the fault to the first bet acknowledged for a request sent after it, plus
 * the errors a careful client saw. Not a test: it prints numbers. Arguments: runs (default 3), clients (4).
 */
final class HaBench {

    private record Result(String fault, long millis, int acked, int retriable, int nonRetriable, int abandoned,
            int lost) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("freeze")) {
            freezes(args.length > 1 ? Integer.parseInt(args[1]) : 4);
            return;
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        List<Result> results = new ArrayList<>();
        HaPair pair = new HaPair("target/ha-bench", Integer.parseInt(System.getProperty("offset", "21000")));
        try {
            pair.up();
            for (int run = 1; run <= runs; run++) {
                results.add(dbLoss(pair, clients, run));
                results.add(appCrash(pair, clients, run));
            }
        } finally {
            try {
                pair.close();
            } catch (Exception e) {
                System.err.println("down failed: " + e);
            }
            print(results);
        }
    }

    /**
     * What a frozen (SIGSTOP) database host does to placements: the sync standby (commits wait for it until Patroni
     * drops it from sync, about ttl) and the primary (HAProxy's /primary check cuts it off; Patroni promotes the
     * standby after ttl). Run it with HOLDFAST_DB_ROUTE=jdbc to see the multi-host JDBC URL instead of HAProxy.
     */
    private static void freezes(int clients) throws Exception {
        HaPair pair = new HaPair("target/ha-bench", Integer.parseInt(System.getProperty("offset", "21000")));
        List<String> lines = new ArrayList<>();
        try {
            pair.up();
            for (String verb : List.of("freeze-db-standby", "freeze-db-primary")) {
                String frozen = pair.member(verb.equals("freeze-db-standby") ? "sync_standby" : "leader");
                BetTraffic.Faulted run = pair.aroundFault((verb.endsWith("standby") ? "fzs-" : "fzp-")
                        + System.currentTimeMillis(), clients, Duration.ofSeconds(40), verb, "10");
                BetTraffic bets = run.bets();
                String line = String.format("%s (%s frozen 10 s, route %s): longest wait for an ack %d ms, first ack "
                        + "sent after the freeze %d ms; %s; %d differences with the database", verb, frozen,
                        System.getenv().getOrDefault("HOLDFAST_DB_ROUTE", "haproxy"),
                        bets.maxWaitMillisSince(run.at() - 2_000_000_000L), run.firstAckMillis(), bets.summary(),
                        bets.differencesWithDatabase().size());
                System.out.println(line);
                lines.add(line);
                HaPair.await("both database nodes back (leader and sync standby)", Duration.ofSeconds(90),
                        () -> pair.member("leader") != null && pair.member("sync_standby") != null);
                System.out.println(pair.pair("status"));
            }
        } finally {
            try {
                pair.close();
            } catch (Exception e) {
                System.err.println("down failed: " + e);
            }
            System.out.println();
            lines.forEach(System.out::println);
        }
    }

    private static Result dbLoss(HaPair pair, int clients, int run) throws Exception {
        String old = pair.member("leader");
        Result r = measure(pair, clients, "db-" + run + "-" + System.currentTimeMillis(), "DB primary loss (" + old + ")",
                "kill-db-primary", Duration.ofSeconds(40));
        pair.pair("start", old);
        HaPair.await(old + " back as the sync standby", Duration.ofSeconds(90), () -> old.equals(pair.member("sync_standby")));
        return r;
    }

    private static Result appCrash(HaPair pair, int clients, int run) throws Exception {
        String active = pair.activeNode();
        String other = active.equals("node-a") ? "node-b" : "node-a";
        HaPair.await(other + " up as PASSIVE", Duration.ofSeconds(90), () -> pair.status(other, "/q/health/ready") == 503);
        Thread.sleep(3000); // let the JGroups view settle
        Result r = measure(pair, clients, "app-" + run + "-" + System.currentTimeMillis(), "app crash (" + active + ")",
                "kill-active-app", Duration.ofSeconds(20));
        HaPair.await(active + " back as PASSIVE", Duration.ofSeconds(90),
                () -> pair.status(active, "/q/health/live") == 200 && pair.status(active, "/q/health/ready") == 503);
        return r;
    }

    private static Result measure(HaPair pair, int clients, String prefix, String fault, String verb, Duration bound)
            throws Exception {
        BetTraffic.Faulted run = pair.aroundFault(prefix, clients, bound, verb);
        BetTraffic bets = run.bets();
        Result r = new Result(fault, run.firstAckMillis(), bets.acked().size(), bets.retriable(),
                bets.errors().size(), bets.abandoned().size(), bets.differencesWithDatabase().size());
        System.out.printf("%s -> first accepted bet after %d ms; %s; %d differences with the database%n", fault,
                r.millis(), bets.summary(), r.lost());
        bets.errors().stream().limit(5).forEach(e -> System.out.println("  non-retriable: " + e));
        return r;
    }

    private static void print(List<Result> results) {
        System.out.println();
        System.out.println("bench-ha: fault -> first accepted bet (ms), client-visible answers");
        System.out.printf("%-28s %10s %8s %10s %14s %10s %10s%n", "fault", "ms", "acked", "retriable", "non-retriable",
                "abandoned", "db-diffs");
        for (Result r : results) {
            System.out.printf("%-28s %10d %8d %10d %14d %10d %10d%n", r.fault(), r.millis(), r.acked(), r.retriable(),
                    r.nonRetriable(), r.abandoned(), r.lost());
        }
        for (String kind : List.of("DB primary loss", "app crash")) {
            var ms = results.stream().filter(r -> r.fault().startsWith(kind)).mapToLong(Result::millis).sorted().toArray();
            if (ms.length > 0) {
                System.out.printf("%-16s runs=%d min=%d median=%d max=%d ms%n", kind, ms.length, ms[0], ms[ms.length / 2],
                        ms[ms.length - 1]);
            }
        }
        System.out.printf("client-visible errors: non-retriable=%d abandoned=%d, acknowledged bets missing or doubled=%d%n",
                results.stream().mapToInt(Result::nonRetriable).sum(), results.stream().mapToInt(Result::abandoned).sum(),
                results.stream().mapToInt(Result::lost).sum());
    }
}
