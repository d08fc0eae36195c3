-- The odds stream's event ids (odds/OddsStream): a node takes the next block of ids here when it starts and when it
-- turns ACTIVE, by a committed update (a sequence's nextval may be lost in a database failover and hand out a block
-- twice). Block k is the ids k * 1 000 000 + 1 ... (k + 1) * 1 000 000 - 1.
CREATE TABLE odds_stream_block (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    last bigint NOT NULL
);
INSERT INTO odds_stream_block (one, last) VALUES (true, 0);
