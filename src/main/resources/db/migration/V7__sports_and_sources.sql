-- Where an event sits for a bettor (sport, competition) and where its prices come from: typed in the back
-- office (MANUAL) or the odds feed (FEED, with the producer that owns it). The feed and the bettor pages build on
-- these columns; events made before them are filed under 'Other'.
ALTER TABLE event
    ADD COLUMN sport text NOT NULL DEFAULT 'Other' CHECK (length(sport) BETWEEN 1 AND 100),
    ADD COLUMN competition text NOT NULL DEFAULT 'Other' CHECK (length(competition) BETWEEN 1 AND 100),
    ADD COLUMN source text NOT NULL DEFAULT 'MANUAL' CHECK (source IN ('MANUAL', 'FEED')),
    ADD COLUMN producer text,
    ADD CONSTRAINT event_feed_has_producer CHECK ((source = 'FEED') = (producer IS NOT NULL));

ALTER TABLE market
    ADD COLUMN source text NOT NULL DEFAULT 'MANUAL' CHECK (source IN ('MANUAL', 'FEED')),
    ADD COLUMN producer text,
    ADD CONSTRAINT market_feed_has_producer CHECK ((source = 'FEED') = (producer IS NOT NULL));

CREATE INDEX event_by_sport ON event (sport, competition) WHERE status IN ('SCHEDULED', 'LIVE');
