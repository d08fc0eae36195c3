package io.holdfast.betting;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.holdfast.cluster.WriteGuard;
import io.holdfast.events.Outbox;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ProblemException;
import io.holdfast.wallet.Wallet;

/**
 * The placement transaction, the hot path of docs/ARCHITECTURE.md §5, in one statement of data-modifying CTEs
 * and its commit: the write guard's lease row (the fencing of §2, inside the statement), the market check, the bet
 * insert (ON CONFLICT on the requestId: a concurrent duplicate waits for the first and then inserts nothing), the
 * wallet's conditional debit and stake journal, the legs. Fewer round trips is most of what makes placement fast
 * on a small machine.
 *
 * <p>The market check is the database's, not the odds book's: each leg's market row is read {@code FOR KEY
 * SHARE} with {@code status = 'OPEN'}, and the bet is inserted only if every one was. A result, suspension or
 * finish takes the market row {@code FOR UPDATE}, the one row lock that conflicts with {@code FOR KEY SHARE}:
 * it waits for the placements that hold the row, and a placement that comes after it waits for its commit and
 * then re-reads the row (READ COMMITTED follows the update chain), sees the new status and inserts nothing.
 * So no bet commits on a market after the transaction that closed it. {@code FOR KEY SHARE} rather than
 * {@code FOR SHARE} so that settlement's own updates of the market row (revisions, retry times) never wait
 * for bettors, nor bettors for them; placements never wait for each other either way.
 */
@ApplicationScoped
class BetWriter {

    record Leg(long selectionId, long marketId, long eventId, BigDecimal odds, int version, boolean live) {
    }

    record NewBet(long accountId, String requestId, String fingerprint, long stake, BigDecimal odds,
            OddsChangePolicy policy, long potentialPayout, Duration liveDelay, List<Leg> legs) {
    }

    /** The bet.placed event (docs/events.md), written only with the bet and its debit. Parameters: epoch, payload. */
    private static final String PLACED_EVENT = Outbox.insert(Outbox.Type.BET_PLACED, "new_bet.id",
            "?::jsonb || jsonb_build_object('betId', new_bet.id, 'placedAt', " + Outbox.iso("new_bet.placed_at")
                    + ", 'dueAt', " + Outbox.iso("new_bet.due_at") + ")",
            "new_bet, debit");

    private final Jdbc jdbc;
    private final Wallet wallet;
    private final WriteGuard guard;
    private final Outbox outbox;

    BetWriter(Jdbc jdbc, Wallet wallet, WriteGuard guard, Outbox outbox) {
        this.jdbc = jdbc;
        this.wallet = wallet;
        this.guard = guard;
        this.outbox = outbox;
    }

    private static Map<String, Object> placedPayload(NewBet bet, boolean pending) {
        List<Map<String, Object>> legs = new ArrayList<>();
        for (Leg leg : bet.legs()) {
            legs.add(Outbox.payload("selectionId", leg.selectionId(), "marketId", leg.marketId(), "eventId",
                    leg.eventId(), "odds", leg.odds(), "version", leg.version()));
        }
        return Outbox.payload("accountId", bet.accountId(), "requestId", bet.requestId(), "status",
                pending ? "PENDING" : "ACCEPTED", "stake", bet.stake(),
                "odds", bet.odds().setScale(2, java.math.RoundingMode.DOWN), "oddsChange", bet.policy().name(),
                "potentialPayout", bet.potentialPayout(), "legs", legs);
    }

    /**
     * The new bet, or empty when a bet with this requestId already exists. Fenced by its own statement rather than by
     * {@code @Fenced}'s read before it (WriteGuard.expected/confirm): the statement takes the lease row
     * {@code FOR KEY SHARE} first and writes nothing unless its epoch is this node's, and the epoch it found is
     * confirmed before anything else; one round trip fewer per bet (of three: the guard's read, the statement, the
     * commit).
     */
    @Transactional
    Optional<BetView> write(NewBet bet) {
        boolean pending = bet.liveDelay() != null;
        long epoch = guard.expected();
        long[] markets = bet.legs().stream().mapToLong(Leg::marketId).distinct().sorted().toArray();
        List<Object> params = new ArrayList<>(List.of(markets, bet.accountId(), bet.requestId(), bet.fingerprint(),
                pending ? "PENDING" : "ACCEPTED", bet.stake(), bet.odds(), bet.policy().name(), bet.potentialPayout(),
                pending, pending ? bet.liveDelay().toMillis() : 0L, epoch, epoch, markets.length));
        params.addAll(List.of(Wallet.stakeDebitParams(bet.accountId(), bet.stake(), epoch)));
        StringBuilder legRows = new StringBuilder();
        for (int i = 0; i < bet.legs().size(); i++) {
            Leg leg = bet.legs().get(i);
            legRows.append(i == 0 ? "" : ", ").append("(?::smallint, ?::bigint, ?::bigint, ?::bigint, ?::numeric, ?::int)");
            params.addAll(List.of((short) (i + 1), leg.selectionId(), leg.marketId(), leg.eventId(), leg.odds(),
                    leg.version()));
        }
        params.add(epoch);
        params.add(outbox.toJson(placedPayload(bet, pending)));
        // One statement: the guard's lease row, market check, bet, debit, journal and legs, or (another epoch, a
        // closed market, ON CONFLICT) nothing at all. The insert's condition reads the lease row, locked as
        // WriteGuard.check locks it, so nothing is written before the row is taken and its epoch compared.
        var row = jdbc.queryOne("""
                WITH lease AS MATERIALIZED (
                    SELECT epoch FROM cluster_lease WHERE id = 1 FOR KEY SHARE),
                open_market AS (
                    SELECT id FROM market WHERE id = ANY (?) AND status = 'OPEN' ORDER BY id FOR KEY SHARE),
                new_bet AS (
                    INSERT INTO bet (account_id, request_id, request_hash, status, stake, odds, odds_change,
                                     potential_payout, due_at, epoch)
                    SELECT ?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN ? THEN now() + ? * interval '1 millisecond' END, ?
                    WHERE (SELECT epoch FROM lease) = ? AND (SELECT count(*) FROM open_market) = ?
                    ON CONFLICT (account_id, request_id) DO NOTHING
                    RETURNING id, placed_at, due_at),
                """ + Wallet.STAKE_DEBIT_CTES + """
                ,
                legs AS (
                    INSERT INTO bet_leg (bet_id, leg_no, selection_id, market_id, event_id, odds, version)
                    SELECT new_bet.id, v.leg_no, v.selection_id, v.market_id, v.event_id, v.odds, v.version
                    FROM new_bet, debit, (VALUES """ + legRows + """
                    ) AS v(leg_no, selection_id, market_id, event_id, odds, version)),
                placed_event AS (""" + PLACED_EVENT + """
                )
                SELECT (SELECT count(*) FROM open_market) AS open_markets, new_bet.id, new_bet.placed_at,
                       new_bet.due_at, debit.balance, (SELECT epoch FROM lease) AS lease_epoch
                FROM (SELECT 1) AS one LEFT JOIN new_bet ON true LEFT JOIN debit ON true""",
                rs -> new Object[] { rs.getLong(1), Jdbc.nullableLong(rs, "id"), Jdbc.instant(rs, "placed_at"),
                        Jdbc.instant(rs, "due_at"), Jdbc.nullableLong(rs, "balance"), rs.getLong("lease_epoch") },
                params.toArray()).orElseThrow();
        guard.confirm(epoch, (long) row[5]); // another epoch: nothing was written, and this node steps down
        if ((long) row[0] < markets.length) {
            throw marketRefusal(markets); // nothing was written
        }
        if (row[1] == null) {
            return Optional.empty();
        }
        if (row[4] == null) {
            throw wallet.refusal(bet.accountId(), bet.stake()); // rolls the bet insert back
        }
        List<BetView.Leg> legs = new ArrayList<>();
        for (Leg leg : bet.legs()) {
            legs.add(new BetView.Leg(leg.selectionId(), leg.marketId(), leg.eventId(), leg.odds(), leg.version(), null));
        }
        return Optional.of(new BetView((Long) row[1], bet.requestId(), pending ? BetStatus.PENDING : BetStatus.ACCEPTED,
                bet.stake(), bet.odds().setScale(2, java.math.RoundingMode.DOWN), bet.potentialPayout(), null,
                (Instant) row[2], (Instant) row[3], null, null, bet.policy(), legs));
    }

    /** Which market turned the bet away, as the bettor is told: suspended, or closed (result, finish). */
    private MarketRefused marketRefusal(long[] markets) {
        List<String[]> statuses = jdbc.query("SELECT id, status FROM market WHERE id = ANY (?) AND status <> 'OPEN' "
                + "ORDER BY id", rs -> new String[] { rs.getString(1), rs.getString(2) }, (Object) markets);
        for (String[] m : statuses) {
            if (m[1].equals("SUSPENDED")) {
                return new MarketRefused(ProblemException.conflict("MARKET_SUSPENDED", "Market " + m[0] + " is suspended"));
            }
        }
        String which = statuses.isEmpty() ? "" : " " + statuses.get(0)[0];
        return new MarketRefused(ProblemException.conflict("MARKET_CLOSED", "Market" + which + " takes no bets"));
    }

    /** The database refused a market the odds book still showed open: the caller refreshes the book. */
    static final class MarketRefused extends RuntimeException {
        final ProblemException problem;

        MarketRefused(ProblemException problem) {
            super(problem.getMessage(), null, false, false);
            this.problem = problem;
        }
    }
}
