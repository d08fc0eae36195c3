-- Holdfast core schema. Money is bigint minor units; odds are numeric with 2 places.

-- cluster: the lease row is the fencing token (ARCHITECTURE.md §2). Exactly one row.
CREATE TABLE cluster_lease (
    id          smallint PRIMARY KEY CHECK (id = 1),
    holder      text,
    epoch       bigint      NOT NULL,
    renewed_at  timestamptz,
    expires_at  timestamptz
);
INSERT INTO cluster_lease (id, holder, epoch) VALUES (1, NULL, 0);

-- wallet: accounts with their balance, kept in the same transaction as the ledger.
CREATE TABLE account (
    id                bigserial PRIMARY KEY,
    username          text        NOT NULL,
    password_hash     text        NOT NULL,
    roles             text        NOT NULL,
    status            text        NOT NULL DEFAULT 'ACTIVE'
                      CHECK (status IN ('ACTIVE', 'BLOCKED', 'SELF_EXCLUDED')),
    currency          char(3)     NOT NULL,
    balance           bigint      NOT NULL DEFAULT 0 CHECK (balance >= 0),
    daily_stake_limit bigint      CHECK (daily_stake_limit > 0),
    staked_day        date,
    staked_today      bigint      NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX account_username ON account (lower(username));

-- Double-entry: every journal is two or more rows summing to zero. Player rows carry account_id and
-- move account.balance; house rows (book HOUSE_CASH, HOUSE_BETS) have no balance row to lock, so the
-- hot path never contends on a house account. sum(player rows of an account) == account.balance.
CREATE SEQUENCE journal_seq;
CREATE TABLE ledger_entry (
    id             bigserial PRIMARY KEY,
    journal_id     bigint      NOT NULL,
    book           text        NOT NULL CHECK (book IN ('PLAYER', 'HOUSE_CASH', 'HOUSE_BETS')),
    account_id     bigint      REFERENCES account (id),
    type           text        NOT NULL CHECK (type IN ('DEPOSIT', 'WITHDRAWAL', 'STAKE', 'PAYOUT', 'REFUND',
                                                        'ADJUSTMENT', 'REVERSAL')),
    amount         bigint      NOT NULL,
    balance_after  bigint,
    reference      text,
    request_id     text,
    bet_id         bigint,
    settlement_seq integer,
    epoch          bigint      NOT NULL,
    at             timestamptz NOT NULL DEFAULT now(),
    CHECK ((book = 'PLAYER') = (account_id IS NOT NULL))
);
CREATE INDEX ledger_by_account ON ledger_entry (account_id, id DESC) WHERE account_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_deposit_once ON ledger_entry (account_id, request_id)
    WHERE type = 'DEPOSIT' AND book = 'PLAYER';
-- Exactly-once payout: one PAYOUT row per bet and settlement sequence.
CREATE UNIQUE INDEX ledger_payout_once ON ledger_entry (bet_id, settlement_seq)
    WHERE type = 'PAYOUT' AND book = 'PLAYER';

-- odds
CREATE TABLE event (
    id         bigserial PRIMARY KEY,
    name       text        NOT NULL,
    starts_at  timestamptz NOT NULL,
    status     text        NOT NULL DEFAULT 'SCHEDULED'
               CHECK (status IN ('SCHEDULED', 'LIVE', 'FINISHED', 'CANCELLED')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_by_status ON event (status, starts_at);

CREATE TABLE market (
    id                  bigserial PRIMARY KEY,
    event_id            bigint      NOT NULL REFERENCES event (id),
    name                text        NOT NULL,
    status              text        NOT NULL DEFAULT 'OPEN'
                        CHECK (status IN ('OPEN', 'SUSPENDED', 'CLOSED', 'SETTLED', 'VOID', 'SETTLEMENT_FAILED')),
    result_revision     integer     NOT NULL DEFAULT 0,
    settled_revision    integer     NOT NULL DEFAULT 0,
    settlement_error    text,
    settlement_attempts integer     NOT NULL DEFAULT 0,
    settlement_retry_at timestamptz,
    settled_at          timestamptz
);
CREATE INDEX market_by_event ON market (event_id);
CREATE INDEX market_to_settle ON market (id) WHERE result_revision > settled_revision;

CREATE TABLE selection (
    id        bigserial PRIMARY KEY,
    market_id bigint       NOT NULL REFERENCES market (id),
    name      text         NOT NULL,
    odds      numeric(7, 2) NOT NULL CHECK (odds > 1),
    version   integer      NOT NULL DEFAULT 1,
    position  integer      NOT NULL
);
CREATE INDEX selection_by_market ON selection (market_id, position);

CREATE TABLE price_history (
    id           bigserial PRIMARY KEY,
    selection_id bigint        NOT NULL REFERENCES selection (id),
    odds         numeric(7, 2) NOT NULL,
    version      integer       NOT NULL,
    actor        text          NOT NULL,
    at           timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX price_history_by_selection ON price_history (selection_id, version);

-- settlement: every posted result is a revision; the market remembers which one it settled.
CREATE TABLE market_result (
    market_id   bigint      NOT NULL REFERENCES market (id),
    revision    integer     NOT NULL,
    winners     bigint[]    NOT NULL,
    voids       bigint[]    NOT NULL,
    void_market boolean     NOT NULL,
    posted_by   text        NOT NULL,
    posted_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (market_id, revision)
);

-- betting
CREATE TABLE bet (
    id               bigserial PRIMARY KEY,
    account_id       bigint      NOT NULL REFERENCES account (id),
    request_id       text        NOT NULL,
    request_hash     text        NOT NULL,
    status           text        NOT NULL
                     CHECK (status IN ('PENDING', 'ACCEPTED', 'REJECTED', 'WON', 'LOST', 'VOID')),
    stake            bigint      NOT NULL CHECK (stake > 0),
    odds             numeric     NOT NULL,
    odds_change      text        NOT NULL CHECK (odds_change IN ('NONE', 'HIGHER', 'ANY')),
    potential_payout bigint      NOT NULL,
    payout           bigint,
    reject_reason    text,
    placed_at        timestamptz NOT NULL DEFAULT now(),
    due_at           timestamptz,
    decided_at       timestamptz,
    settled_at       timestamptz,
    settlement_seq   integer     NOT NULL DEFAULT 0,
    epoch            bigint      NOT NULL,
    UNIQUE (account_id, request_id)
);
CREATE INDEX bet_by_account ON bet (account_id, id DESC);
CREATE INDEX bet_pending_due ON bet (due_at) WHERE status = 'PENDING';

CREATE TABLE bet_leg (
    bet_id          bigint        NOT NULL REFERENCES bet (id),
    leg_no          smallint      NOT NULL,
    selection_id    bigint        NOT NULL REFERENCES selection (id),
    market_id       bigint        NOT NULL,
    event_id        bigint        NOT NULL,
    odds            numeric(7, 2) NOT NULL,
    version         integer       NOT NULL,
    result          text          CHECK (result IN ('WON', 'LOST', 'VOID')),
    result_revision integer,
    PRIMARY KEY (bet_id, leg_no)
);
CREATE INDEX bet_leg_by_market ON bet_leg (market_id, bet_id);
CREATE INDEX bet_leg_by_selection ON bet_leg (selection_id);

-- A resettlement that would take a balance below zero takes what is there; the rest is recorded
-- here for a trader to resolve (ARCHITECTURE.md §5: below zero only through an explicit path).
CREATE TABLE settlement_shortfall (
    id         bigserial PRIMARY KEY,
    account_id bigint      NOT NULL REFERENCES account (id),
    bet_id     bigint      NOT NULL REFERENCES bet (id),
    amount     bigint      NOT NULL CHECK (amount > 0),
    at         timestamptz NOT NULL DEFAULT now()
);

-- platform
CREATE TABLE audit_log (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    actor   text        NOT NULL,
    action  text        NOT NULL,
    details text        NOT NULL
);
CREATE INDEX audit_by_time ON audit_log (id DESC);
