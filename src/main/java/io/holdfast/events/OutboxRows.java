package io.holdfast.events;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.holdfast.cluster.Fenced;
import io.holdfast.cluster.WriteGuard;
import io.holdfast.platform.Jdbc;

/**
 * The publisher's SQL: the next rows to send, the cursor's move, the cleanup and the lag. The gap rule of
 * docs/events.md lives in {@link #next}: only rows of transactions older than this statement's snapshot xmin,
 * in (xid, id) order, past the cursor.
 */
@ApplicationScoped
class OutboxRows {

    /** One outbox row as the publisher sends it; {@code payload} is the jsonb's text. */
    record Row(long id, String eventId, String xid, String type, String aggregate, String key, String at, long epoch,
            String payload) {
    }

    /** How far behind the publisher is: unpublished rows, and the age of the oldest in seconds (0 when none). */
    record Lag(long rows, double seconds) {
    }

    private final Jdbc jdbc;
    private final WriteGuard guard;

    OutboxRows(Jdbc jdbc, WriteGuard guard) {
        this.jdbc = jdbc;
        this.guard = guard;
    }

    /**
     * The next rows to publish. Every transaction whose xid is below the snapshot's xmin has ended, so a row of
     * such a transaction is either visible now or never will be: nothing can appear later behind the cursor. A
     * transaction still running holds the rows after it back (its cost: a long transaction delays the stream).
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    List<Row> next(int limit) {
        List<Row> rows = jdbc.query("""
                SELECT o.id, o.event_id::text, o.xid::text, o.type, o.aggregate, o.aggregate_key,
                       to_char(o.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), o.epoch, o.payload::text
                FROM event_outbox o, event_cursor c
                WHERE c.id = 1 AND (o.xid, o.id) > (c.xid, c.outbox_id)
                  AND o.xid < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY o.xid, o.id LIMIT ?""",
                rs -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), rs.getLong(8), rs.getString(9)),
                limit);
        if (!rows.isEmpty()) {
            // The sync barrier. A commit becomes visible once the synchronous standby confirmed it, except when the
            // writer's wait is cut short: its session cancelled or terminated (a takeover ends the old holder's
            // sessions) leaves a transaction committed on the primary alone. Should the primary die then, the
            // promoted standby has no such transaction, and an event sent for it would be a phantom. Giving this read
            // transaction an xid makes its commit write a record after theirs and wait for the standby like any
            // write: once it returns, every row read here is on the standby too.
            jdbc.queryOne("SELECT pg_current_xact_id()", rs -> rs.getString(1));
        }
        return rows;
    }

    /**
     * Marks every row up to (xid, id) published: Kafka acknowledged them all. Fenced like any write: an old active
     * that wakes up after a takeover cannot move the cursor (it may have sent rows again: consumers deduplicate).
     */
    @Transactional
    @Fenced
    boolean advance(String xid, long id, int count) {
        return jdbc.update("""
                UPDATE event_cursor SET xid = ?::xid8, outbox_id = ?, published = published + ?, epoch = ?,
                                        moved_at = now()
                WHERE id = 1 AND (xid, outbox_id) < (?::xid8, ?)""", xid, id, count, guard.epoch(), xid, id) == 1;
    }

    /**
     * Deletes up to {@code limit} published rows, oldest first; returns how many. Batches of a few thousand keep
     * each delete short, and autovacuum reclaims the space behind them as the table is insert-and-delete only.
     */
    @Transactional
    @Fenced
    int cleanup(int limit) {
        return jdbc.update("""
                DELETE FROM event_outbox WHERE id IN (
                    SELECT o.id FROM event_outbox o, event_cursor c
                    WHERE c.id = 1 AND (o.xid, o.id) <= (c.xid, c.outbox_id)
                    ORDER BY o.xid, o.id LIMIT ?)""", limit);
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    Lag lag() {
        return jdbc.queryOne("""
                SELECT count(*), coalesce(extract(epoch FROM now() - min(o.at)), 0)
                FROM event_outbox o, event_cursor c WHERE c.id = 1 AND (o.xid, o.id) > (c.xid, c.outbox_id)""",
                rs -> new Lag(rs.getLong(1), rs.getDouble(2))).orElseThrow();
    }
}
