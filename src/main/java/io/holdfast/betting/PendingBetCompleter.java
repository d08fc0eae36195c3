package io.holdfast.betting;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.holdfast.cluster.ClusterState;
import io.holdfast.cluster.Fenced;
import io.holdfast.cluster.PassiveNode;
import io.holdfast.odds.MarketStatus;
import io.holdfast.odds.OddsBook;
import io.holdfast.odds.Quote;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.Jdbc;
import io.holdfast.wallet.LedgerType;
import io.holdfast.wallet.Wallet;
import io.quarkus.scheduler.Scheduled;

/**
 * Completes live bets whose delay is over: accepted, or rejected and refunded when a market was suspended
 * or closed meanwhile or the price moved against the bettor's policy. PENDING bets are rows with a due
 * time, so whichever node is ACTIVE completes them, also after a failover. Batches claimed with
 * {@code FOR UPDATE SKIP LOCKED}.
 */
@ApplicationScoped
class PendingBetCompleter {

    private static final Logger LOG = Logger.getLogger(PendingBetCompleter.class);

    private record Pending(long id, long accountId, long stake, OddsChangePolicy policy, List<BetView.Leg> legs) {
    }

    private final Jdbc jdbc;
    private final OddsBook book;
    private final Wallet wallet;
    private final ClusterState cluster;
    private final int batch;
    private final PendingIndex index;
    private volatile long lastSweep;

    PendingBetCompleter(Jdbc jdbc, OddsBook book, Wallet wallet, ClusterState cluster, HoldfastConfig config,
            PendingIndex index) {
        this.jdbc = jdbc;
        this.book = book;
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
            LOG.warnf("Completing pending bets failed, will retry: %s", e.getMessage());
        }
    }

    /** Completes one batch of due bets; returns their ids. */
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
        jdbc.query("SELECT bet_id, selection_id, market_id, event_id, odds, version FROM bet_leg WHERE bet_id = ANY (?)",
                rs -> due.get(rs.getLong(1)).legs().add(new BetView.Leg(rs.getLong(2), rs.getLong(3), rs.getLong(4),
                        Jdbc.odds(rs, "odds"), rs.getInt(6), null)),
                (Object) due.keySet().stream().mapToLong(Long::longValue).toArray());
        List<Long> accepted = new ArrayList<>();
        for (Pending bet : due.values()) {
            String reason = rejection(bet);
            if (reason == null) {
                accepted.add(bet.id());
            } else {
                jdbc.update("UPDATE bet SET status = 'REJECTED', reject_reason = ?, decided_at = now() WHERE id = ?",
                        reason, bet.id());
                wallet.credit(bet.accountId(), LedgerType.REFUND, bet.stake(), bet.id(), null,
                        "refund rejected live bet " + bet.id());
            }
        }
        if (!accepted.isEmpty()) {
            jdbc.update("UPDATE bet SET status = 'ACCEPTED', decided_at = now() WHERE id = ANY (?)",
                    (Object) accepted.stream().mapToLong(Long::longValue).toArray());
        }
        return List.copyOf(due.keySet());
    }

    private String rejection(Pending bet) {
        for (BetView.Leg leg : bet.legs()) {
            Quote now = book.quote(leg.selectionId()).orElse(null);
            if (now == null || !now.open()) {
                return now != null && now.marketStatus() == MarketStatus.SUSPENDED ? "MARKET_SUSPENDED" : "MARKET_CLOSED";
            }
            if (!bet.policy().accepts(leg.odds(), now.odds())) {
                return "ODDS_CHANGED";
            }
        }
        return null;
    }
}
