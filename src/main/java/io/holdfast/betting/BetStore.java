package io.holdfast.betting;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ModuleApi;

/** Reads of bets with their legs. */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
@ModuleApi
public class BetStore {

    private static final String BET_COLUMNS = "id, request_id, status, stake, odds, potential_payout, payout, placed_at, "
            + "due_at, settled_at, reject_reason, odds_change";

    private final Jdbc jdbc;

    BetStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<BetView> find(long accountId, long betId) {
        return first(load("account_id = ? AND id = ?", 1, accountId, betId));
    }

    Optional<BetView> findByRequest(long accountId, String requestId) {
        return first(load("account_id = ? AND request_id = ?", 1, accountId, requestId));
    }

    Optional<String> fingerprint(long accountId, String requestId) {
        return jdbc.queryOne("SELECT request_hash FROM bet WHERE account_id = ? AND request_id = ?",
                rs -> rs.getString(1), accountId, requestId);
    }

    public List<BetView> history(long accountId, BetStatus status, int limit) {
        return history(accountId, status, null, limit);
    }

    /** Newest first; {@code before} (a bet id) pages back to older bets. */
    public List<BetView> history(long accountId, BetStatus status, Long before, int limit) {
        long below = before == null ? Long.MAX_VALUE : before;
        return status == null
                ? load("account_id = ? AND id < ?", limit, accountId, below)
                : load("account_id = ? AND id < ? AND status = ?", limit, accountId, below, status.name());
    }

    private List<BetView> load(String where, int limit, Object... params) {
        Object[] all = new Object[params.length + 1];
        System.arraycopy(params, 0, all, 0, params.length);
        all[params.length] = limit;
        List<BetView> bare = jdbc.query("SELECT " + BET_COLUMNS + " FROM bet WHERE " + where + " ORDER BY id DESC LIMIT ?",
                BetStore::bare, all);
        if (bare.isEmpty()) {
            return bare;
        }
        long[] ids = bare.stream().mapToLong(BetView::id).toArray();
        Map<Long, List<BetView.Leg>> legs = new LinkedHashMap<>();
        jdbc.query("SELECT bet_id, selection_id, market_id, event_id, odds, version, result FROM bet_leg "
                + "WHERE bet_id = ANY (?) ORDER BY bet_id, leg_no", rs -> legs.computeIfAbsent(rs.getLong(1),
                        k -> new ArrayList<>()).add(new BetView.Leg(rs.getLong(2), rs.getLong(3), rs.getLong(4),
                                Jdbc.odds(rs, "odds"), rs.getInt(6), rs.getString(7))),
                (Object) ids);
        return bare.stream().map(b -> withLegs(b, legs.getOrDefault(b.id(), List.of()))).toList();
    }

    static BetView withLegs(BetView b, List<BetView.Leg> legs) {
        return new BetView(b.id(), b.requestId(), b.status(), b.stake(), b.odds(), b.potentialPayout(), b.payout(),
                b.placedAt(), b.dueAt(), b.settledAt(), b.rejectReason(), b.oddsChange(), List.copyOf(legs));
    }

    private static BetView bare(ResultSet rs) throws SQLException {
        return new BetView(rs.getLong("id"), rs.getString("request_id"), BetStatus.valueOf(rs.getString("status")),
                rs.getLong("stake"), Jdbc.odds(rs, "odds"), rs.getLong("potential_payout"),
                Jdbc.nullableLong(rs, "payout"), Jdbc.instant(rs, "placed_at"), Jdbc.instant(rs, "due_at"),
                Jdbc.instant(rs, "settled_at"), rs.getString("reject_reason"),
                OddsChangePolicy.valueOf(rs.getString("odds_change")), List.of());
    }

    private static <T> Optional<T> first(List<T> list) {
        return list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
    }
}
