-- Issue 13: the odds feed (io.holdfast.feed), modelled on Sportradar's Unified Odds Feed.

-- One row per producer (prematch, live). Its state survives a failover: the new ACTIVE asks the feed for every
-- stateful message after last_alive_ts (the producer's own clock, in ms, of the last alive processed while the
-- producer was UP: every message before it was applied). A producer not UP keeps its markets suspended.
CREATE TABLE feed_producer (
    name                text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 50),
    status              text        NOT NULL DEFAULT 'DOWN' CHECK (status IN ('UP', 'DOWN', 'RECOVERING')),
    last_alive_ts       bigint,
    status_since        timestamptz NOT NULL DEFAULT now(),
    down_reason         text,
    recovery_request_id bigint,
    recovery_after      bigint,
    recovery_started_at timestamptz,
    last_recovery_after bigint,
    last_recovery_ms    bigint,
    downs               bigint      NOT NULL DEFAULT 0,
    last_down_at        timestamptz
);

-- Feed references (UOF ids: sr:match:…, market type, outcome id) and the per-row watermarks that make applying
-- idempotent: a message whose producer timestamp is not newer than the row's changes nothing (UOF messages carry
-- no sequence number; the timestamp is the order). feed_ts for prices and status, feed_settle_ts for settlement,
-- cancel and their rollbacks.
ALTER TABLE event
    ADD COLUMN feed_ref text,
    ADD COLUMN feed_ts  bigint;
CREATE UNIQUE INDEX event_by_feed_ref ON event (feed_ref) WHERE feed_ref IS NOT NULL;

-- A feed market's status is derived (FeedMarkets): settled/closed/void stay; otherwise SUSPENDED when a trader
-- holds it (operator_hold), its producer is down (producer_down) or the feed does not say ACTIVE (feed_status);
-- else OPEN. Manual markets keep feed_status NULL and move only by the back office.
ALTER TABLE market
    ADD COLUMN feed_ref       text,
    ADD COLUMN feed_status    text CHECK (feed_status IN ('ACTIVE', 'SUSPENDED', 'DEACTIVATED', 'HANDED_OVER',
                                                          'SETTLED', 'CANCELLED')),
    ADD COLUMN feed_ts        bigint,
    ADD COLUMN feed_settle_ts bigint,
    ADD COLUMN feed_certainty smallint,
    ADD COLUMN operator_hold  boolean NOT NULL DEFAULT false,
    ADD COLUMN producer_down  boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX market_by_feed_ref ON market (event_id, feed_ref) WHERE feed_ref IS NOT NULL;
CREATE INDEX market_by_producer ON market (producer, id) WHERE source = 'FEED';

ALTER TABLE selection ADD COLUMN feed_ref text;
CREATE UNIQUE INDEX selection_by_feed_ref ON selection (market_id, feed_ref) WHERE feed_ref IS NOT NULL;

-- Settlement from the feed (UOF bet_settlement, rollback_bet_settlement, bet_cancel):
-- a revision without a result (has_result false: a rollback) puts the market's bets back to open, payouts reversed;
-- a partial void factor (0 < f < 1) refunds that part of the stake on a selection (Asian lines: half won, half
-- refunded); a cancel window voids the bets placed in it, whatever the result (rolled_back: the cancel was undone).
ALTER TABLE market_result
    ADD COLUMN has_result         boolean  NOT NULL DEFAULT true,
    ADD COLUMN partial_selections bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN partial_factors    numeric[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT market_result_partials CHECK (cardinality(partial_selections) = cardinality(partial_factors));
ALTER TABLE bet_leg ADD COLUMN void_factor numeric(4, 3) CHECK (void_factor > 0 AND void_factor < 1);
CREATE TABLE bet_cancel_window (
    id          bigserial PRIMARY KEY,
    market_id   bigint      NOT NULL REFERENCES market (id),
    start_at    timestamptz,
    end_at      timestamptz,
    posted_by   text        NOT NULL,
    posted_at   timestamptz NOT NULL DEFAULT now(),
    rolled_back boolean     NOT NULL DEFAULT false
);
CREATE INDEX bet_cancel_window_by_market ON bet_cancel_window (market_id) WHERE NOT rolled_back;
