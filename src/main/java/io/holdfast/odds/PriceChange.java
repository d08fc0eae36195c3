package io.holdfast.odds;

import java.math.BigDecimal;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One line of a selection's price history: written once, never changed. */
@Entity
@Table(name = "price_history")
@Immutable
class PriceChange extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "selection_id")
    public long selectionId;

    @Column(precision = 7, scale = 2)
    public BigDecimal odds;

    public int version;

    public String actor;

    /** Stamped by the database ({@code DEFAULT now()}). */
    @Column(insertable = false, updatable = false)
    public Instant at;
}
