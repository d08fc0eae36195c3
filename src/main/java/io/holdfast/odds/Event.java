package io.holdfast.odds;

import java.time.Instant;

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

/** An event as the back office creates and moves it (scheduled, live, finished). */
@Entity
@Table(name = "event")
@DynamicUpdate
class Event extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(updatable = false)
    public String name;

    @Column(name = "starts_at", updatable = false)
    public Instant startsAt;

    @Enumerated(EnumType.STRING)
    public EventStatus status;

    public String sport = "Other";

    public String competition = "Other";

    /** MANUAL or FEED: who may move this event (see V7__sports_and_sources.sql). */
    @Column(updatable = false)
    public String source = "MANUAL";

    public String producer;
}
