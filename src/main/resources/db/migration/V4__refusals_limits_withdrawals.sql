-- Issue 10: the book refuses what it must.

-- A live bet is rejected when its market was suspended at any moment of its delay, even if it reopened
-- before the delay ended: the suspension writes clock_timestamp() here (taken after it holds the market row
-- FOR UPDATE, so after every placement it waited for), and the completer compares it with bet.placed_at.
ALTER TABLE market ADD COLUMN suspended_at timestamptz;

-- A result may say when the market really closed; bets placed at or after it are void (their leg on this
-- market settles VOID, so a single is refunded).
ALTER TABLE market_result ADD COLUMN closed_at timestamptz;

-- Withdrawals are idempotent by requestId, like deposits.
CREATE UNIQUE INDEX ledger_withdrawal_once ON ledger_entry (account_id, request_id)
    WHERE type = 'WITHDRAWAL' AND book = 'PLAYER';
-- Deposit limits sum the account's deposits over the last 24 h / 7 / 30 days.
CREATE INDEX ledger_deposits_by_time ON ledger_entry (account_id, at) WHERE type = 'DEPOSIT' AND book = 'PLAYER';

-- Responsible gambling (UKGC RTS 12): deposit limits per 24 h, 7 days, 30 days (null: none), a time-out the
-- bettor cannot end early, and a self-exclusion with its end (status SELF_EXCLUDED stays after it ends until
-- staff reopen the account: RTS 12 wants a positive action to come back).
ALTER TABLE account
    ADD COLUMN deposit_limit_day   bigint CHECK (deposit_limit_day > 0),
    ADD COLUMN deposit_limit_week  bigint CHECK (deposit_limit_week > 0),
    ADD COLUMN deposit_limit_month bigint CHECK (deposit_limit_month > 0),
    ADD COLUMN timed_out_until     timestamptz,
    ADD COLUMN self_excluded_until timestamptz;

-- A raised or removed limit waits 24 h (the cooling-off); one pending change per limit, value NULL = removal.
-- Tests move the clock by ageing effective_at: the database stays the one clock.
CREATE TABLE limit_change (
    account_id   bigint      NOT NULL REFERENCES account (id),
    limit_name   text        NOT NULL CHECK (limit_name IN ('dailyStakeLimit', 'depositLimitDay',
                                                            'depositLimitWeek', 'depositLimitMonth')),
    value        bigint      CHECK (value > 0),
    requested_at timestamptz NOT NULL DEFAULT now(),
    effective_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, limit_name)
);
CREATE INDEX limit_change_due ON limit_change (effective_at);
