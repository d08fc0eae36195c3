package io.holdfast.odds;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.DynamicUpdate;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A market as the back office creates, suspends and resumes it. Only its trading status is mapped: the
 * settlement columns of the same row belong to the settlement module's SQL, which the ORM never writes.
 */
@Entity
@Table(name = "market")
@DynamicUpdate
class Market extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "event_id", updatable = false)
    public long eventId;

    @Column(updatable = false)
    public String name;

    @Enumerated(EnumType.STRING)
    public MarketStatus status;

    /** MANUAL or FEED: who may move this market (see V7__sports_and_sources.sql). */
    @Column(updatable = false)
    public String source = "MANUAL";

    public String producer;
}
