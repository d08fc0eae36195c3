-- The legs no result has reached yet, by market (settlement/SettlementScheduler): every second the ACTIVE asks whether
-- a market settled in the last ten minutes has such a leg on an accepted bet (a bet that completed after the result,
-- to be settled too). Without this index the question was a sequential scan of every leg and every bet ever placed:
-- 138 ms of the database's CPU each second at 240 000 legs, growing with the history. The index holds only the open
-- legs, so it stays the size of the open book; a leg leaves it when its market's result reaches it.
CREATE INDEX bet_leg_open_by_market ON bet_leg (market_id) WHERE result_revision IS NULL;
