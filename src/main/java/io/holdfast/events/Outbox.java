package io.holdfast.events;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.holdfast.cluster.WriteGuard;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ModuleApi;

/**
 * The transactional outbox (docs/events.md): a module records what happened in the same fenced transaction as
 * the change itself, so an event exists exactly when its change committed. The publisher sends the rows to Kafka
 * later, from the ACTIVE node. A write that is one statement (placement, a ledger journal) inserts its event in
 * that statement through {@link #insert}: no extra round trip on the hot path.
 */
@ApplicationScoped
@ModuleApi
public class Outbox {

    /** Every event type, with the aggregate whose key orders it (one Kafka topic per aggregate). */
    public enum Type {
        BET_PLACED("bet.placed", Aggregate.BET),
        BET_ACCEPTED("bet.accepted", Aggregate.BET),
        BET_REJECTED("bet.rejected", Aggregate.BET),
        BET_SETTLED("bet.settled", Aggregate.BET),
        BET_REOPENED("bet.reopened", Aggregate.BET),
        LEDGER_JOURNAL("wallet.journal", Aggregate.ACCOUNT),
        PRICE_CHANGED("market.price-changed", Aggregate.MARKET),
        MARKET_STATUS_CHANGED("market.status-changed", Aggregate.MARKET);

        private final String wire;
        private final Aggregate aggregate;

        Type(String wire, Aggregate aggregate) {
            this.wire = wire;
            this.aggregate = aggregate;
        }

        public String wire() {
            return wire;
        }

        public Aggregate aggregate() {
            return aggregate;
        }
    }

    /** What an event is about; its key keeps that thing's events in order (one Kafka partition per key). */
    public enum Aggregate {
        BET, ACCOUNT, MARKET;

        public String wire() {
            return name().toLowerCase();
        }
    }

    /** One event to record: its type, the key of its aggregate (a bet, account or market id) and its payload. */
    public record Event(Type type, long key, Map<String, Object> payload) {
    }

    private final Jdbc jdbc;
    private final WriteGuard guard;
    private final ObjectMapper json;

    Outbox(Jdbc jdbc, WriteGuard guard, ObjectMapper json) {
        this.jdbc = jdbc;
        this.guard = guard;
        this.json = json;
    }

    /** Records one event in the current (fenced) transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(Type type, long key, Map<String, Object> payload) {
        recordAll(List.of(new Event(type, key, payload)));
    }

    /** Records events in the current (fenced) transaction, in this order, in one statement whatever their number. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void recordAll(List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        long epoch = guard.epoch();
        List<Map<String, Object>> rows = new ArrayList<>(events.size());
        for (Event e : events) {
            rows.add(Map.of("t", e.type().wire(), "a", e.type().aggregate().wire(), "k", Long.toString(e.key()),
                    "p", e.payload()));
        }
        jdbc.update("""
                INSERT INTO event_outbox (type, aggregate, aggregate_key, epoch, payload)
                SELECT e ->> 't', e ->> 'a', e ->> 'k', ?, e -> 'p'
                FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS r(e, n) ORDER BY n""", epoch, toJson(rows));
    }

    /** A payload map that keeps the order of its fields and allows nulls (Map.of does neither). */
    public static Map<String, Object> payload(Object... namesAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    /** The payload as JSON, for a writer that builds it partly in SQL ({@code ?::jsonb || jsonb_build_object(…)}). */
    public String toJson(Object payload) {
        try {
            return json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("An event payload that is no JSON: " + e.getMessage(), e);
        }
    }

    /**
     * The outbox insert for a write that is one statement: {@code INSERT … SELECT} one event per row of
     * {@code from}, to use as a data-modifying CTE or as the statement's last part. {@code key} and {@code payload}
     * are SQL expressions over {@code from} (the payload a jsonb). It takes one parameter, the epoch, where it
     * stands in the statement. Type and aggregate are the enum's constants, never input.
     */
    public static String insert(Type type, String key, String payload, String from) {
        return "INSERT INTO event_outbox (type, aggregate, aggregate_key, epoch, payload) SELECT '" + type.wire()
                + "', '" + type.aggregate().wire() + "', (" + key + ")::text, ?::bigint, " + payload + " FROM " + from;
    }

    /** A timestamptz expression as the ISO-8601 UTC text of the API ({@code 2026-12-02T01:30:00.123456Z}). */
    public static String iso(String timestamp) {
        return "to_char((" + timestamp + ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
    }
}
