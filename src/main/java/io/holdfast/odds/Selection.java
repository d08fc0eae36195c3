package io.holdfast.odds;

import java.math.BigDecimal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.DynamicUpdate;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A selection and its price; {@code version} counts the price changes (a bet records the one it saw). */
@Entity
@Table(name = "selection")
@DynamicUpdate
class Selection extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "market_id", updatable = false)
    public long marketId;

    @Column(updatable = false)
    public String name;

    @Column(precision = 7, scale = 2)
    public BigDecimal odds;

    public int version;

    @Column(updatable = false)
    public int position;

    /** A new selection of a market at its first price (version 1), with its first line of price history. */
    static Selection open(long marketId, String name, BigDecimal odds, int position, String actor) {
        Selection selection = new Selection();
        selection.marketId = marketId;
        selection.name = name;
        selection.odds = odds;
        selection.version = 1;
        selection.position = position;
        selection.persist();
        selection.recordPrice(actor);
        return selection;
    }

    /** A new price: the next version, and its line in the price history. */
    void reprice(BigDecimal newOdds, String actor) {
        odds = newOdds;
        version++;
        recordPrice(actor);
    }

    private void recordPrice(String actor) {
        PriceChange change = new PriceChange();
        change.selectionId = id;
        change.odds = odds;
        change.version = version;
        change.actor = actor;
        change.persist();
    }
}
