package io.holdfast.settlement;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import io.holdfast.odds.MarketStatus;
import io.holdfast.odds.OddsCatalog;
import io.holdfast.odds.Views.MarketView;
import io.holdfast.platform.CurrentUser;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ProblemException;

/** Back office: post results (settled asynchronously), and a market's settlement state and liability. */
@Path("/api/admin")
@RolesAllowed("admin")
public class SettlementAdminResource {


    public record SelectionLiability(long id, String name, BigDecimal odds, int version, long openBets, long stakes,
            long liability) {
    }

    /** {@code closedAt}: the latest result's; {@code lateBetsVoided}: bets placed at or after it, void on this market. */
    public record MarketSettlement(long id, long eventId, String name, MarketStatus status, int resultRevision,
            int settledRevision, String settlementError, Instant settlementRetryAt, Instant closedAt,
            long lateBetsVoided, List<SelectionLiability> selections) {
    }

    private final Results results;
    private final OddsCatalog catalog;
    private final Jdbc jdbc;
    private final CurrentUser user;

    SettlementAdminResource(Results results, OddsCatalog catalog, Jdbc jdbc, CurrentUser user) {
        this.results = results;
        this.catalog = catalog;
        this.jdbc = jdbc;
        this.user = user;
    }

    @POST
    @Path("/markets/{id}/result")
    public Response post(@PathParam("id") long marketId, @Valid @NotNull ResultJson body) {
        long[] winners = body.winners == null ? new long[0] : body.winners.stream().mapToLong(Long::longValue).toArray();
        long[] voids = body.voids == null ? new long[0] : body.voids.stream().mapToLong(Long::longValue).toArray();
        Results.Posted posted = results.post(user.name(), marketId, winners, voids, Boolean.TRUE.equals(body.voidMarket),
                body.closedAt);
        return Response.accepted(posted).build();
    }

    @GET
    @Path("/markets/{id}")
    @Transactional(Transactional.TxType.SUPPORTS)
    public MarketSettlement market(@PathParam("id") long marketId) {
        MarketView market = catalog.market(marketId).orElseThrow(() -> ProblemException.notFound("Market"));
        Map<Long, long[]> exposure = new HashMap<>();
        jdbc.query("""
                SELECT l.selection_id, count(*), coalesce(sum(b.stake), 0), coalesce(sum(b.potential_payout), 0)
                FROM bet_leg l JOIN bet b ON b.id = l.bet_id
                WHERE l.market_id = ? AND b.status IN ('PENDING', 'ACCEPTED') GROUP BY l.selection_id""",
                rs -> exposure.put(rs.getLong(1), new long[] { rs.getLong(2), rs.getLong(3), rs.getLong(4) }), marketId);
        var state = jdbc.queryOne("""
                SELECT m.result_revision, m.settled_revision, m.settlement_error, m.settlement_retry_at, r.closed_at,
                       (SELECT count(*) FROM bet_leg l JOIN bet b ON b.id = l.bet_id
                        WHERE l.market_id = m.id AND l.result = 'VOID' AND l.result_revision = r.revision
                          AND b.placed_at >= r.closed_at) AS late
                FROM market m LEFT JOIN market_result r ON r.market_id = m.id AND r.revision = m.result_revision
                WHERE m.id = ?""", rs -> new Object[] { rs.getInt(1), rs.getInt(2), rs.getString(3),
                        Jdbc.instant(rs, "settlement_retry_at"), Jdbc.instant(rs, "closed_at"), rs.getLong("late") },
                marketId).orElseThrow();
        List<SelectionLiability> selections = market.selections().stream().map(s -> {
            long[] e = exposure.getOrDefault(s.id(), new long[3]);
            return new SelectionLiability(s.id(), s.name(), s.odds(), s.version(), e[0], e[1], e[2]);
        }).toList();
        return new MarketSettlement(market.id(), market.eventId(), market.name(), market.status(), (Integer) state[0],
                (Integer) state[1], (String) state[2], (Instant) state[3], (Instant) state[4], (Long) state[5],
                selections);
    }

    /** The result body: {"winners":[…],"void":[…]} or {"voidMarket":true}, and optionally "closedAt". */
    public static class ResultJson {
        public Instant closedAt;
        @Size(max = 100)
        public List<@NotNull Long> winners;
        @Size(max = 100)
        @com.fasterxml.jackson.annotation.JsonProperty("void")
        public List<@NotNull Long> voids;
        public Boolean voidMarket;
    }
}
