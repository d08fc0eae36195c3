package io.holdfast.settlement;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.holdfast.odds.OddsCatalog;
import io.holdfast.odds.Views.MarketView;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ModuleApi;
import io.holdfast.platform.ProblemException;
import io.holdfast.settlement.MarketSettlement.SelectionLiability;

/** The back office's read of a market's settlement: its revisions and failure, and the open bets' liability. */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
@ModuleApi
public class Liabilities {

    private record Exposure(long openBets, long stakes, long liability) {
        static final Exposure NONE = new Exposure(0, 0, 0);
    }

    private record Revisions(int result, int settled, String error, Instant retryAt, Instant closedAt, long late) {
    }

    private final OddsCatalog catalog;
    private final Jdbc jdbc;

    Liabilities(OddsCatalog catalog, Jdbc jdbc) {
        this.catalog = catalog;
        this.jdbc = jdbc;
    }

    /**
     * The market's exposure and settlement state for the back office. Each of the market's legs takes its bet by key
     * (LATERAL, not flattened; a scalar subquery): as joins, PostgreSQL hashed a scan of the whole bet table for a big
     * market, so the trader's view of one market slowed down with every bet ever placed (SettleMarket#claim).
     */
    public MarketSettlement market(long marketId) {
        MarketView market = catalog.market(marketId).orElseThrow(() -> ProblemException.notFound("Market"));
        Map<Long, Exposure> exposure = new HashMap<>();
        jdbc.query("""
                SELECT l.selection_id, count(*), coalesce(sum(b.stake), 0), coalesce(sum(b.potential_payout), 0)
                FROM bet_leg l CROSS JOIN LATERAL (SELECT x.stake, x.potential_payout FROM bet x
                                                   WHERE x.id = l.bet_id AND x.status IN ('PENDING', 'ACCEPTED')
                                                   OFFSET 0) b
                WHERE l.market_id = ? GROUP BY l.selection_id""",
                rs -> exposure.put(rs.getLong(1), new Exposure(rs.getLong(2), rs.getLong(3), rs.getLong(4))), marketId);
        Revisions state = jdbc.queryOne("""
                SELECT m.result_revision, m.settled_revision, m.settlement_error, m.settlement_retry_at, r.closed_at,
                       (SELECT count(*) FROM bet_leg l
                        WHERE l.market_id = m.id AND l.result = 'VOID' AND l.result_revision = r.revision
                          AND (SELECT b.placed_at FROM bet b WHERE b.id = l.bet_id) >= r.closed_at) AS late
                FROM market m LEFT JOIN market_result r ON r.market_id = m.id AND r.revision = m.result_revision
                WHERE m.id = ?""", rs -> new Revisions(rs.getInt(1), rs.getInt(2), rs.getString(3),
                        Jdbc.instant(rs, "settlement_retry_at"), Jdbc.instant(rs, "closed_at"), rs.getLong("late")),
                marketId).orElseThrow();
        List<SelectionLiability> selections = market.selections().stream().map(s -> {
            Exposure e = exposure.getOrDefault(s.id(), Exposure.NONE);
            return new SelectionLiability(s.id(), s.name(), s.odds(), s.version(), e.openBets(), e.stakes(), e.liability());
        }).toList();
        return new MarketSettlement(market.id(), market.eventId(), market.name(), market.status(), state.result(),
                state.settled(), state.error(), state.retryAt(), state.closedAt(), state.late(), selections);
    }
}
