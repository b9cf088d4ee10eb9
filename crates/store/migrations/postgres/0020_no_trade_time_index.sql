-- The newest trade is read from the customers' figures (their last_trade,
-- indexed), so the trades need no index by time alone: trades arrive in no
-- order of time across accounts, and that index was the bulk of a large
-- import's writes (issue 23).
DROP INDEX IF EXISTS trades_time_idx;
