-- A stock in its delisting-consolidation period (退市整理期, issue 26): the
-- period's first trading day. Its band that period is the period's own (no
-- limit on the first day, then the board's), not the listing's or the ST band.
ALTER TABLE instruments ADD COLUMN delisting_from TEXT;
