-- Seeds one market's worth of open bets straight into the database, as the app would have written them (psql
-- variables: run, tmpl = an account made through the API whose hash/roles/currency the bettors copy, bettors,
-- per = bets per bettor, m/ev/h/a = the big market, its event and its two selections, m2/ev2/w2 = a market already
-- settled through the API whose selection w2 won, epoch = the lease's epoch). Per bettor: a deposit journal, then
-- `per` bets of 100 (1.00), the last two accumulators (a leg on the big market at 1.90 and a WON leg on m2 at
-- 2.00), the others singles at 1.90, each with its stake journal (PLAYER -100, HOUSE_BETS +100), so
-- sum(player ledger) = balance holds for every bettor. No outbox events are written for the seed (a throwaway pair).
-- The bets are numbered round the bettors (each bettor's first bet, then each one's second, ...), as bets placed over
-- time by many bettors are: a batch of 1 000 bets in id order then touches about 1 000 accounts, not the 100 of
-- bettors whose bets came one after another.
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE seed_acc ON COMMIT DROP AS
WITH ins AS (
    INSERT INTO account (username, password_hash, roles, currency, balance)
    SELECT 'settle_' || :'run' || '_' || g, t.password_hash, t.roles, t.currency, 100000
    FROM generate_series(1, :bettors) g, account t WHERE t.id = :tmpl
    RETURNING id)
SELECT id, row_number() OVER (ORDER BY id) AS n FROM ins;

INSERT INTO ledger_entry (journal_id, book, account_id, type, amount, balance_after, reference, request_id, epoch)
SELECT s.j, v.book, v.acc, 'DEPOSIT', v.amount, v.bal, 'deposit seed', 'seed', :epoch
FROM (SELECT id, nextval('journal_seq') AS j FROM seed_acc ORDER BY id) s,
     LATERAL (VALUES ('PLAYER', s.id, 100000::bigint, 100000::bigint),
                     ('HOUSE_CASH', NULL::bigint, -100000::bigint, NULL::bigint)) AS v(book, acc, amount, bal);

CREATE TEMP TABLE seed_src ON COMMIT DROP AS
SELECT a.id AS acc, a.n, k, CASE WHEN (a.n + k) % 2 = 0 THEN :h ELSE :a END AS sel, k > :per - 2 AS acca
FROM seed_acc a, generate_series(1, :per) k;

CREATE TEMP TABLE seed_bet ON COMMIT DROP AS
WITH ins AS (
    INSERT INTO bet (account_id, request_id, request_hash, status, stake, odds, odds_change, potential_payout, epoch)
    SELECT acc, 'seed-' || k, 'seed', 'ACCEPTED', 100, CASE WHEN acca THEN 3.80 ELSE 1.90 END, 'ANY',
           CASE WHEN acca THEN 380 ELSE 190 END, :epoch
    FROM seed_src ORDER BY k, acc
    RETURNING id, account_id, request_id)
SELECT i.id, s.acc, s.k, s.sel, s.acca FROM ins i JOIN seed_src s ON s.acc = i.account_id AND i.request_id = 'seed-' || s.k;

INSERT INTO bet_leg (bet_id, leg_no, selection_id, market_id, event_id, odds, version)
SELECT id, 1, sel, :m, :ev, 1.90, 1 FROM seed_bet;
INSERT INTO bet_leg (bet_id, leg_no, selection_id, market_id, event_id, odds, version, result, result_revision)
SELECT id, 2, :w2, :m2, :ev2, 2.00, 1, 'WON', 1 FROM seed_bet WHERE acca;

INSERT INTO ledger_entry (journal_id, book, account_id, type, amount, balance_after, reference, bet_id, epoch)
SELECT b.j, v.book, v.acc, 'STAKE', v.amount, v.bal, 'stake bet ' || b.id, b.id, :epoch
FROM (SELECT id, acc, k, nextval('journal_seq') AS j FROM seed_bet ORDER BY acc, k) b,
     LATERAL (VALUES ('PLAYER', b.acc, -100::bigint, 100000 - 100 * b.k::bigint),
                     ('HOUSE_BETS', NULL::bigint, 100::bigint, NULL::bigint)) AS v(book, acc, amount, bal);

UPDATE account a SET balance = 100000 - 100 * :per FROM seed_acc s WHERE a.id = s.id;
COMMIT;
SELECT (SELECT count(*) FROM bet_leg WHERE market_id = :m) AS seeded_bets,
       (SELECT count(*) FROM bet_leg WHERE market_id = :m2) AS accumulators;
