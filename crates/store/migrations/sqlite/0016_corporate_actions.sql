-- Ex-rights and ex-dividend events (issue 22). On its ex-date an action
-- adjusts every holder's position, cost and cash once (applied_at says
-- when), and the watch starts the day from the exchange's reference price.
CREATE TABLE corporate_actions (
    id                   BIGINT PRIMARY KEY,
    instrument           TEXT NOT NULL CONSTRAINT corporate_actions_instrument_fk REFERENCES instruments (code),
    ex_date              TEXT NOT NULL,
    cash_per_share       BIGINT NOT NULL CONSTRAINT corporate_actions_cash_check CHECK (cash_per_share >= 0),
    new_shares_per_share BIGINT NOT NULL CONSTRAINT corporate_actions_shares_check CHECK (new_shares_per_share >= 0),
    applied_at           TEXT
);
CREATE INDEX corporate_actions_ex_date_idx ON corporate_actions (ex_date);
