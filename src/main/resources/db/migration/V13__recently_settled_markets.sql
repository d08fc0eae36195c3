-- The markets settled lately, by when (settlement/SettlementScheduler): every second the ACTIVE asks which market
-- settled in the last ten minutes a late bet has reached. Without this index that question reads every settled market
-- ever, a sequential scan growing with the history; with it, the few settled in the window.
CREATE INDEX market_recently_settled ON market (settled_at) WHERE status IN ('SETTLED', 'VOID');
