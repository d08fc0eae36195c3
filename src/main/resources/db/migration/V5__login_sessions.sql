-- Server-side login sessions (issue 11): the cookie names a row here, and a session ends when this row says so
-- (logout, log out everywhere, a password change, a block), on every node and across a failover. The nodes check
-- a replicated cache per request and come here on a miss; this table is the truth.
CREATE TABLE login_session (
    id          text PRIMARY KEY,
    account_id  bigint      NOT NULL REFERENCES account (id),
    username    text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- the absolute lifetime: no activity keeps a session beyond it
    expires_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    ended_why   text,
    CHECK ((ended_at IS NULL) = (ended_why IS NULL))
);

CREATE INDEX login_session_live_by_account ON login_session (account_id) WHERE ended_at IS NULL;
CREATE INDEX login_session_expires ON login_session (expires_at);
