package io.holdfast.platform;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * One audit row: written once, never changed. The id is the table's identity, so the row is inserted at
 * {@code persist()} (not at flush) and the caller's later plain SQL in the same transaction sees it.
 */
@Entity
@Table(name = "audit_log")
@Immutable
class AuditEntry extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    /** Stamped by the database ({@code DEFAULT now()}): the one clock. */
    @Column(insertable = false, updatable = false)
    public Instant at;

    public String actor;

    public String action;

    public String details;

    AuditLog.Entry entry() {
        return new AuditLog.Entry(at, actor, action, details);
    }
}
