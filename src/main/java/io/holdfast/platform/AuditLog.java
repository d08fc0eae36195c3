package io.holdfast.platform;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.transaction.Transactional;

import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;

/**
 * Who did what, for admin and ops actions and role changes; written in the caller's transaction (so under its
 * fence). The lease's own role-change rows are written by the lease's SQL, on its own connection.
 */
@ApplicationScoped
@ModuleApi
public class AuditLog {

    public record Entry(Instant at, String actor, String action, String details) {
    }

    private static final Sort NEWEST_FIRST = Sort.descending("id");

    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String actor, String action, String details) {
        AuditEntry entry = new AuditEntry();
        entry.actor = actor;
        entry.action = action;
        entry.details = details;
        entry.persist();
    }

    // reads need a Hibernate session: outside a request (the ops console's live stream) this opens one
    @ActivateRequestContext
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Entry> recent(int limit) {
        return AuditEntry.<AuditEntry>findAll(NEWEST_FIRST).page(Page.ofSize(limit)).list().stream().map(AuditEntry::entry)
                .toList();
    }

    /** The newest entries of the given actions only, e.g. the role changes for the ops console. */
    @ActivateRequestContext
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Entry> recent(int limit, List<String> actions) {
        return AuditEntry.<AuditEntry>find("action in ?1", NEWEST_FIRST, actions).page(Page.ofSize(limit)).list().stream()
                .map(AuditEntry::entry).toList();
    }
}
