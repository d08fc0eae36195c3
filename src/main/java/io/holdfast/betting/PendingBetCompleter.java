package io.holdfast.betting;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.holdfast.cluster.ClusterState;
import io.holdfast.cluster.Fenced;
import io.holdfast.cluster.PassiveNode;
import io.holdfast.events.Outbox;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.Jdbc;
import io.holdfast.wallet.LedgerType;
import io.holdfast.wallet.Wallet;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;

/**
 * Completes live bets whose delay is over: accepted, or rejected and refunded when a market was suspended
 * (at any moment of the delay) or closed meanwhile, or the price moved against the bettor's policy, all as
 * the database has it. PENDING bets are rows with a due
 * time, so whichever node is ACTIVE completes them, also after a failover. Batches claimed with
 * {@code FOR UPDATE SKIP LOCKED}.
 */
@ApplicationScoped
class PendingBetCompleter {

    private static final Logger LOG = Logger.getLogger(PendingBetCompleter.class);

    private record Pending(long id, long accountId, long stake, OddsChangePolicy policy, List<LegNow> legs) {
    }

    /** A leg as the database has it now: the odds taken, the price now, its market's status and suspensions. */
    private record LegNow(BigDecimal odds, BigDecimal oddsNow, String marketStatus, boolean suspendedSincePlaced) {
    }

    private final Jdbc jdbc;
    private final Wallet wallet;
    private final Outbox outbox;
    private final ClusterState cluster;
    private final int batch;
    private final PendingIndex index;
    private volatile long lastSweep;
    private final Counter deadlocks;

    PendingBetCompleter(Jdbc jdbc, Wallet wallet, ClusterState cluster, HoldfastConfig config,
            PendingIndex index, MeterRegistry metrics, Outbox outbox) {
        this.outbox = outbox;
        this.deadlocks = Counter.builder("holdfast_deadlocks_total").tag("job", "pending-bets")
                .description("Transactions of this job that PostgreSQL ended as a deadlock (40P01) and were retried")
                .register(metrics);
        this.jdbc = jdbc;
        this.wallet = wallet;
        this.cluster = cluster;
        this.batch = config.betting().pendingBatch();
        this.index = index;
    }

    /** Every 200 ms: when the index has a bet due, or at least every 2 s (the sweep: the database is the truth). */
    @Scheduled(every = "0.2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = PassiveNode.class)
    void run() {
        long now = System.currentTimeMillis();
        if (!index.anyDue(java.time.Instant.ofEpochMilli(now)) && now - lastSweep < 2000) {
            return;
        }
        lastSweep = now;
        try {
            List<Long> done;
            do {
                done = completeDue();
                index.remove(done);
            } while (done.size() == batch && cluster.isActive());
            index.forgetDueBy(java.time.Instant.ofEpochMilli(now));
        } catch (RuntimeException e) {
            if (deadlock(e)) {
                deadlocks.increment();
            }
            LOG.warnf("Completing pending bets failed, will retry: %s", e.getMessage());
        }
    }

    /**
     * Completes one batch of due bets; returns their ids. The legs' markets are read as a placement reads them,
     * {@code FOR KEY SHARE} in id order, so a result, suspension or finish either committed before this decision
     * (and is seen) or waits for it. A market suspended at any moment since the bet was placed rejects it, even if
     * it reopened since ({@code market.suspended_at}). Refunds credit accounts in id order, the order settlement
     * uses too, so the two never deadlock on a pair of accounts.
     */
    @Transactional
    @Fenced
    List<Long> completeDue() {
        Map<Long, Pending> due = new LinkedHashMap<>();
        jdbc.query("SELECT id, account_id, stake, odds_change FROM bet WHERE status = 'PENDING' AND due_at <= now() "
                + "ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED", rs -> due.put(rs.getLong(1),
                        new Pending(rs.getLong(1), rs.getLong(2), rs.getLong(3),
                                OddsChangePolicy.valueOf(rs.getString(4)), new ArrayList<>())),
                batch);
        if (due.isEmpty()) {
            return List.of();
        }
        long[] ids = due.keySet().stream().mapToLong(Long::longValue).toArray();
        jdbc.query("SELECT id FROM market WHERE id IN (SELECT market_id FROM bet_leg WHERE bet_id = ANY (?)) "
                + "ORDER BY id FOR KEY SHARE", rs -> rs.getLong(1), (Object) ids);
        jdbc.query("""
                SELECT l.bet_id, l.odds, s.odds AS now_odds, m.status,
                       coalesce(m.suspended_at >= b.placed_at, false) AS suspended_since
                FROM bet_leg l JOIN bet b ON b.id = l.bet_id JOIN market m ON m.id = l.market_id
                     JOIN selection s ON s.id = l.selection_id
                WHERE l.bet_id = ANY (?) ORDER BY l.bet_id, l.leg_no""",
                rs -> due.get(rs.getLong(1)).legs().add(new LegNow(Jdbc.odds(rs, "odds"), Jdbc.odds(rs, "now_odds"),
                        rs.getString("status"), rs.getBoolean("suspended_since"))),
                (Object) ids);
        List<Long> accepted = new ArrayList<>();
        List<Pending> rejected = new ArrayList<>();
        Map<Long, String> reasons = new HashMap<>();
        for (Pending bet : due.values()) {
            String reason = rejection(bet);
            if (reason == null) {
                accepted.add(bet.id());
            } else {
                rejected.add(bet);
                reasons.put(bet.id(), reason);
            }
        }
        rejected.sort(Comparator.comparingLong(Pending::accountId).thenComparingLong(Pending::id));
        List<Outbox.Event> events = new ArrayList<>();
        for (Pending bet : due.values()) {
            String reason = reasons.get(bet.id());
            events.add(new Outbox.Event(reason == null ? Outbox.Type.BET_ACCEPTED : Outbox.Type.BET_REJECTED, bet.id(),
                    Outbox.payload("betId", bet.id(), "accountId", bet.accountId(), "status",
                            reason == null ? "ACCEPTED" : "REJECTED", "reason", reason,
                            "refund", reason == null ? 0L : bet.stake())));
        }
        outbox.recordAll(events);
        for (Pending bet : rejected) {
            jdbc.update("UPDATE bet SET status = 'REJECTED', reject_reason = ?, decided_at = now() WHERE id = ?",
                    reasons.get(bet.id()), bet.id());
            wallet.credit(bet.accountId(), LedgerType.REFUND, bet.stake(), bet.id(), null,
                    "refund rejected live bet " + bet.id());
        }
        if (!accepted.isEmpty()) {
            jdbc.update("UPDATE bet SET status = 'ACCEPTED', decided_at = now() WHERE id = ANY (?)",
                    (Object) accepted.stream().mapToLong(Long::longValue).toArray());
        }
        return List.copyOf(due.keySet());
    }

    static boolean deadlock(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "40P01".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static String rejection(Pending bet) {
        for (LegNow leg : bet.legs()) {
            if (leg.marketStatus().equals("SUSPENDED") || leg.suspendedSincePlaced()) {
                return "MARKET_SUSPENDED";
            }
            if (!leg.marketStatus().equals("OPEN")) {
                return "MARKET_CLOSED";
            }
            if (!bet.policy().accepts(leg.odds(), leg.oddsNow())) {
                return "ODDS_CHANGED";
            }
        }
        return null;
    }
}
