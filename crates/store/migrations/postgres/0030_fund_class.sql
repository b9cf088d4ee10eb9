-- What an ETF tracks (issue 26): it sets the fund's band (20% on STAR and
-- ChiNext indexes) and its turnaround (T+0 for cross-border, bond, gold,
-- commodity and money-market funds). Empty for other kinds.
ALTER TABLE instruments ADD COLUMN fund_class TEXT;
