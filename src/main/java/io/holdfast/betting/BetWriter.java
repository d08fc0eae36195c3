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
 * The placement transaction, the hot path of ARCHITECTURE.md §5: the guard's epoch read, the bet insert
 * (ON CONFLICT on the requestId: a concurrent duplicate waits for the first and then inserts nothing),
 * the conditional debit, the legs, the journal.
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
        var inserted = jdbc.queryOne("""
                INSERT INTO bet (account_id, request_id, request_hash, status, stake, odds, odds_change,
                                 potential_payout, due_at, epoch)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN ? THEN now() + ? * interval '1 millisecond' END, ?)
                ON CONFLICT (account_id, request_id) DO NOTHING
                RETURNING id, placed_at, due_at""",
                rs -> new Object[] { rs.getLong(1), Jdbc.instant(rs, "placed_at"), Jdbc.instant(rs, "due_at") },
                bet.accountId(), bet.requestId(), bet.fingerprint(), pending ? "PENDING" : "ACCEPTED", bet.stake(),
                bet.odds(), bet.policy().name(), bet.potentialPayout(), pending,
                pending ? bet.liveDelay().toMillis() : 0L, guard.epoch());
        if (inserted.isEmpty()) {
            return Optional.empty();
        }
        long betId = (Long) inserted.get()[0];
        wallet.debitStake(bet.accountId(), bet.stake(), betId, "stake bet " + betId);
        insertLegs(betId, bet.legs());
        List<BetView.Leg> legs = new ArrayList<>();
        for (Leg leg : bet.legs()) {
            legs.add(new BetView.Leg(leg.selectionId(), leg.marketId(), leg.eventId(), leg.odds(), leg.version(), null));
        }
        return Optional.of(new BetView(betId, bet.requestId(), pending ? BetStatus.PENDING : BetStatus.ACCEPTED,
                bet.stake(), bet.odds().setScale(2, java.math.RoundingMode.DOWN), bet.potentialPayout(), null,
                (Instant) inserted.get()[1], (Instant) inserted.get()[2], null, null, bet.policy(), legs));
    }

    private void insertLegs(long betId, List<Leg> legs) {
        StringBuilder sql = new StringBuilder(
                "INSERT INTO bet_leg (bet_id, leg_no, selection_id, market_id, event_id, odds, version) VALUES ");
        Object[] params = new Object[legs.size() * 7];
        for (int i = 0; i < legs.size(); i++) {
            Leg leg = legs.get(i);
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?)");
            int p = i * 7;
            params[p] = betId;
            params[p + 1] = (short) (i + 1);
            params[p + 2] = leg.selectionId();
            params[p + 3] = leg.marketId();
            params[p + 4] = leg.eventId();
            params[p + 5] = leg.odds();
            params[p + 6] = leg.version();
        }
        jdbc.update(sql.toString(), params);
    }
}
