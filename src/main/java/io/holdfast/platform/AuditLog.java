package io.holdfast.platform;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/** Who did what, for admin and ops actions and role changes; written in the caller's transaction. */
@ApplicationScoped
@ModuleApi
public class AuditLog {

    public record Entry(Instant at, String actor, String action, String details) {
    }

    private final Jdbc jdbc;

    AuditLog(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String actor, String action, String details) {
        jdbc.update("INSERT INTO audit_log (actor, action, details) VALUES (?, ?, ?)", actor, action, details);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Entry> recent(int limit) {
        return jdbc.query("SELECT at, actor, action, details FROM audit_log ORDER BY id DESC LIMIT ?",
                rs -> new Entry(Jdbc.instant(rs, "at"), rs.getString("actor"), rs.getString("action"),
                        rs.getString("details")),
                limit);
    }

    /** The newest entries of the given actions only, e.g. the role changes for the ops console. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Entry> recent(int limit, List<String> actions) {
        return jdbc.query("SELECT at, actor, action, details FROM audit_log WHERE action = ANY (?) ORDER BY id DESC LIMIT ?",
                rs -> new Entry(Jdbc.instant(rs, "at"), rs.getString("actor"), rs.getString("action"),
                        rs.getString("details")),
                actions.toArray(new String[0]), limit);
    }
}
