-- events (issue 14): the transactional outbox. Every business write inserts its events here in its own fenced
-- transaction; the ACTIVE node's publisher sends them to Kafka and moves the cursor (docs/events.md).

CREATE TABLE event_outbox (
    -- publication order within one transaction, and the cursor's tie-breaker
    id            bigserial   PRIMARY KEY,
    -- the stable id a consumer deduplicates by: a row is sent again after a crash or a failover, with this id
    event_id      uuid        NOT NULL DEFAULT gen_random_uuid(),
    -- the writing transaction: rows are published only once every transaction older than the publisher's
    -- snapshot xmin has ended, in (xid, id) order, so a row whose id was taken early but committed late is never
    -- skipped (a sequence value is taken at insert, not at commit)
    xid           xid8        NOT NULL DEFAULT pg_current_xact_id(),
    type          text        NOT NULL,
    aggregate     text        NOT NULL CHECK (aggregate IN ('bet', 'account', 'market')),
    aggregate_key text        NOT NULL,
    -- the database clock at the write (the transaction's start: the same moment the business rows carry)
    at            timestamptz NOT NULL DEFAULT now(),
    epoch         bigint      NOT NULL,
    payload       jsonb       NOT NULL
);
-- the publisher reads and the cleanup deletes in this order
CREATE INDEX event_outbox_order ON event_outbox (xid, id);

-- One row: how far the publisher got. Rows at or before (xid, id) are published; the cleanup deletes them in
-- batches. Moved in the transaction that follows Kafka's acknowledgement, under the write guard like any write.
CREATE TABLE event_cursor (
    id           smallint    PRIMARY KEY CHECK (id = 1),
    xid          xid8        NOT NULL,
    outbox_id    bigint      NOT NULL,
    published    bigint      NOT NULL DEFAULT 0,
    epoch        bigint      NOT NULL DEFAULT 0,
    moved_at     timestamptz
);
INSERT INTO event_cursor (id, xid, outbox_id) VALUES (1, '0'::xid8, 0);
