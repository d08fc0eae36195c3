-- Issue 17: cash-out. A bettor takes an open bet back early at a quoted amount; the bet ends CASHED_OUT with
-- payout = the amount paid, credited by a CASH_OUT journal (player row + HOUSE_BETS row, like a payout).

ALTER TABLE bet DROP CONSTRAINT bet_status_check;
ALTER TABLE bet ADD CONSTRAINT bet_status_check
    CHECK (status IN ('PENDING', 'ACCEPTED', 'REJECTED', 'WON', 'LOST', 'VOID', 'CASHED_OUT'));

ALTER TABLE ledger_entry DROP CONSTRAINT ledger_entry_type_check;
ALTER TABLE ledger_entry ADD CONSTRAINT ledger_entry_type_check
    CHECK (type IN ('DEPOSIT', 'WITHDRAWAL', 'STAKE', 'PAYOUT', 'REFUND', 'ADJUSTMENT', 'REVERSAL', 'CASH_OUT'));

-- A bet is cashed out at most once, whatever the code does: the storage refuses a second CASH_OUT row.
CREATE UNIQUE INDEX ledger_cash_out_once ON ledger_entry (bet_id) WHERE type = 'CASH_OUT' AND book = 'PLAYER';

-- A quote: the amount offered for a bet and until when (database clock), with the current prices of its open
-- legs it was made from. Taking it stamps the bettor's requestId on it: a retry with the same requestId finds it
-- and answers the same bet; the unique index makes a requestId take at most one quote per account.
CREATE TABLE cash_out_quote (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    bet_id      bigint      NOT NULL REFERENCES bet (id),
    account_id  bigint      NOT NULL REFERENCES account (id),
    amount      bigint      NOT NULL CHECK (amount > 0),
    prices      numeric[]   NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    valid_until timestamptz NOT NULL,
    request_id  text,
    taken_at    timestamptz,
    CHECK ((request_id IS NULL) = (taken_at IS NULL))
);
CREATE INDEX cash_out_quote_by_bet ON cash_out_quote (bet_id);
CREATE UNIQUE INDEX cash_out_request_once ON cash_out_quote (account_id, request_id) WHERE request_id IS NOT NULL;
-- one taken quote per bet, a second guard beside the ledger's
CREATE UNIQUE INDEX cash_out_taken_once ON cash_out_quote (bet_id) WHERE taken_at IS NOT NULL;
