package io.holdfast.wallet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.holdfast.cluster.Fenced;
import io.holdfast.platform.ModuleApi;
import io.holdfast.platform.AuditLog;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ProblemException;

/**
 * The bettor's own limits (UKGC RTS 12): deposit limits per 24 h, 7 days and 30 days, and the daily stake
 * limit. A lower limit applies at once; a higher one, or removing one, only after a 24-hour cooling-off, as a
 * pending change. The database's clock decides when a pending change is due: it is applied when the account
 * next deposits, changes a limit, or is refused a stake by the old limit, and reads show the limits in force.
 */
@ApplicationScoped
@Transactional
@ModuleApi
public class Limits {

    /** RTS 12's cooling-off for a raised or removed limit: a rule, not a setting. */
    public static final Duration COOLING_OFF = Duration.ofHours(24);

    /** The limits, by their API names, with their columns on {@code account}. */
    public enum Name {
        dailyStakeLimit("daily_stake_limit"), depositLimitDay("deposit_limit_day"),
        depositLimitWeek("deposit_limit_week"), depositLimitMonth("deposit_limit_month");

        final String column;

        Name(String column) {
            this.column = column;
        }
    }

    /** A raised or removed limit waiting out its cooling-off; {@code value} null is a removal. */
    public record Pending(Name limit, Long value, Instant effectiveAt) {
    }

    /** The limits in force (null: none) and the changes still cooling off. */
    public record View(Long dailyStakeLimit, Long depositLimitDay, Long depositLimitWeek, Long depositLimitMonth,
            List<Pending> pending) {
    }

    private final Jdbc jdbc;
    private final AuditLog audit;

    Limits(Jdbc jdbc, AuditLog audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    /** The limits in force now, counting pending changes whose time has come as applied (a read, no write). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public View view(long accountId) {
        Map<Name, Long> current = current(accountId);
        List<Pending> pending = new ArrayList<>();
        jdbc.query("SELECT limit_name, value, effective_at, effective_at <= now() AS due FROM limit_change "
                + "WHERE account_id = ? ORDER BY limit_name", rs -> {
                    Name name = Name.valueOf(rs.getString(1));
                    Long value = Jdbc.nullableLong(rs, "value");
                    if (rs.getBoolean("due")) {
                        current.put(name, value);
                    } else {
                        pending.add(new Pending(name, value, Jdbc.instant(rs, "effective_at")));
                    }
                    return name;
                }, accountId);
        return new View(current.get(Name.dailyStakeLimit), current.get(Name.depositLimitDay),
                current.get(Name.depositLimitWeek), current.get(Name.depositLimitMonth), List.copyOf(pending));
    }

    /**
     * Sets limits: each entry is a new value, or null to remove that limit. A lower value applies at once
     * (and cancels a pending raise); a higher one or a removal waits {@link #COOLING_OFF}, and is refused
     * while the account is blocked, self-excluded or timed out. Every change is audited.
     */
    @Fenced
    public View change(long accountId, Map<Name, Long> changes) {
        applyDue(accountId);
        String actor = "account:" + accountId;
        Standing standing = jdbc.queryOne("SELECT " + Standing.COLUMNS + " FROM account WHERE id = ? FOR UPDATE",
                Standing::of, accountId).orElseThrow(() -> ProblemException.notFound("Account"));
        Map<Name, Long> current = current(accountId);
        for (Map.Entry<Name, Long> change : changes.entrySet()) {
            Name name = change.getKey();
            Long value = change.getValue();
            Long now = current.get(name);
            if (Objects.equals(value, now)) {
                if (jdbc.update("DELETE FROM limit_change WHERE account_id = ? AND limit_name = ?", accountId,
                        name.name()) > 0) {
                    audit.record(actor, "LIMIT_CHANGE_CANCELLED", "account " + accountId + " " + name + " stays " + now);
                }
            } else if (value != null && (now == null || value < now)) {
                jdbc.update("UPDATE account SET " + name.column + " = ? WHERE id = ?", value, accountId);
                jdbc.update("DELETE FROM limit_change WHERE account_id = ? AND limit_name = ?", accountId, name.name());
                audit.record(actor, "LIMIT_DECREASED", "account " + accountId + " " + name + " " + now + " -> " + value);
            } else {
                standing.check();
                Instant effective = jdbc.queryOne("""
                        INSERT INTO limit_change (account_id, limit_name, value, effective_at)
                        VALUES (?, ?, ?, now() + ? * interval '1 second')
                        ON CONFLICT (account_id, limit_name) DO UPDATE
                            SET value = excluded.value, requested_at = now(), effective_at = excluded.effective_at
                        RETURNING effective_at""", rs -> Jdbc.instant(rs, "effective_at"),
                        accountId, name.name(), value, COOLING_OFF.toSeconds()).orElseThrow();
                audit.record(actor, "LIMIT_INCREASE_REQUESTED", "account " + accountId + " " + name + " " + now
                        + " -> " + (value == null ? "none" : value) + " from " + effective);
            }
        }
        return view(accountId);
    }

    /** Applies the account's pending changes whose cooling-off is over; true if there were any. */
    @Fenced
    public boolean applyDue(long accountId) {
        List<Pending> due = jdbc.query("DELETE FROM limit_change WHERE account_id = ? AND effective_at <= now() "
                + "RETURNING limit_name, value, effective_at", rs -> new Pending(Name.valueOf(rs.getString(1)),
                        Jdbc.nullableLong(rs, "value"), Jdbc.instant(rs, "effective_at")), accountId);
        for (Pending change : due) {
            jdbc.update("UPDATE account SET " + change.limit().column + " = ? WHERE id = ?", change.value(), accountId);
            audit.record("system", "LIMIT_INCREASED", "account " + accountId + " " + change.limit() + " -> "
                    + (change.value() == null ? "none" : change.value()) + " after the cooling-off");
        }
        return !due.isEmpty();
    }

    private Map<Name, Long> current(long accountId) {
        return jdbc.queryOne("SELECT daily_stake_limit, deposit_limit_day, deposit_limit_week, deposit_limit_month "
                + "FROM account WHERE id = ?", rs -> {
                    Map<Name, Long> values = new EnumMap<>(Name.class);
                    for (Name name : Name.values()) {
                        values.put(name, Jdbc.nullableLong(rs, name.column));
                    }
                    return values;
                }, accountId).orElseThrow(() -> ProblemException.notFound("Account"));
    }
}
