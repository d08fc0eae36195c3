package io.holdfast.betting;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.holdfast.cluster.Fenced;
import io.holdfast.cluster.WriteGuard;
import io.holdfast.platform.Jdbc;
import io.holdfast.wallet.Wallet;

/**
 * The placement transaction, the hot path of docs/ARCHITECTURE.md §5, in two statements: the guard's epoch
 * read, then one statement of data-modifying CTEs: the bet insert (ON CONFLICT on the requestId: a
 * concurrent duplicate waits for the first and then inserts nothing), the wallet's conditional debit and
 * stake journal, the legs. Fewer round trips is most of what makes placement fast on a small machine.
 */
@ApplicationScoped
class BetWriter {

    record Leg(long selectionId, long marketId, long eventId, BigDecimal odds, int version, boolean live) {
    }

    record NewBet(long accountId, String requestId, String fingerprint, long stake, BigDecimal odds,
            OddsChangePolicy policy, long potentialPayout, Duration liveDelay, List<Leg> legs) {
    }

    private final Jdbc jdbc;
    private final Wallet wallet;
    private final WriteGuard guard;

    BetWriter(Jdbc jdbc, Wallet wallet, WriteGuard guard) {
        this.jdbc = jdbc;
        this.wallet = wallet;
        this.guard = guard;
    }

    /** The new bet, or empty when a bet with this requestId already exists. */
    @Transactional
    @Fenced
    Optional<BetView> write(NewBet bet) {
        boolean pending = bet.liveDelay() != null;
        long epoch = guard.epoch();
        List<Object> params = new ArrayList<>(List.of(bet.accountId(), bet.requestId(), bet.fingerprint(),
                pending ? "PENDING" : "ACCEPTED", bet.stake(), bet.odds(), bet.policy().name(), bet.potentialPayout(),
                pending, pending ? bet.liveDelay().toMillis() : 0L, epoch));
        params.addAll(List.of(Wallet.stakeDebitParams(bet.accountId(), bet.stake(), epoch)));
        StringBuilder legRows = new StringBuilder();
        for (int i = 0; i < bet.legs().size(); i++) {
            Leg leg = bet.legs().get(i);
            legRows.append(i == 0 ? "" : ", ").append("(?::smallint, ?::bigint, ?::bigint, ?::bigint, ?::numeric, ?::int)");
            params.addAll(List.of((short) (i + 1), leg.selectionId(), leg.marketId(), leg.eventId(), leg.odds(),
                    leg.version()));
        }
        // One statement: bet, debit, journal and legs, or (ON CONFLICT) nothing at all.
        var row = jdbc.queryOne("""
                WITH new_bet AS (
                    INSERT INTO bet (account_id, request_id, request_hash, status, stake, odds, odds_change,
                                     potential_payout, due_at, epoch)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN ? THEN now() + ? * interval '1 millisecond' END, ?)
                    ON CONFLICT (account_id, request_id) DO NOTHING
                    RETURNING id, placed_at, due_at),
                """ + Wallet.STAKE_DEBIT_CTES + """
                ,
                legs AS (
                    INSERT INTO bet_leg (bet_id, leg_no, selection_id, market_id, event_id, odds, version)
                    SELECT new_bet.id, v.leg_no, v.selection_id, v.market_id, v.event_id, v.odds, v.version
                    FROM new_bet, debit, (VALUES """ + legRows + """
                    ) AS v(leg_no, selection_id, market_id, event_id, odds, version))
                SELECT new_bet.id, new_bet.placed_at, new_bet.due_at, debit.balance
                FROM new_bet LEFT JOIN debit ON true""",
                rs -> new Object[] { rs.getLong(1), Jdbc.instant(rs, "placed_at"), Jdbc.instant(rs, "due_at"),
                        Jdbc.nullableLong(rs, "balance") },
                params.toArray());
        if (row.isEmpty()) {
            return Optional.empty();
        }
        if (row.get()[3] == null) {
            throw wallet.refusal(bet.accountId(), bet.stake()); // rolls the bet insert back
        }
        List<BetView.Leg> legs = new ArrayList<>();
        for (Leg leg : bet.legs()) {
            legs.add(new BetView.Leg(leg.selectionId(), leg.marketId(), leg.eventId(), leg.odds(), leg.version(), null));
        }
        return Optional.of(new BetView((Long) row.get()[0], bet.requestId(), pending ? BetStatus.PENDING : BetStatus.ACCEPTED,
                bet.stake(), bet.odds().setScale(2, java.math.RoundingMode.DOWN), bet.potentialPayout(), null,
                (Instant) row.get()[1], (Instant) row.get()[2], null, null, bet.policy(), legs));
    }
}
