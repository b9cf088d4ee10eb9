-- Figures kept current (issue 23): each customer's cash, market value at the
-- latest close and last trade, and their sums per team (a branch and an
-- advisor), moved by the event path, imports, corporate actions and
-- handovers in the same unit of work as the book. The overview reads a few
-- rows per team instead of summing the whole book on every request.
CREATE TABLE customer_figures (
    customer_id    BIGINT PRIMARY KEY CONSTRAINT customer_figures_customer_fk REFERENCES customers (id),
    branch_id      BIGINT NOT NULL,
    advisor_id     BIGINT NOT NULL,
    cash           BIGINT NOT NULL,
    market_value   BIGINT NOT NULL,
    last_trade     TIMESTAMPTZ,
    -- The Shanghai date of last_trade: the dormant count is by day.
    last_trade_day DATE
);
CREATE INDEX customer_figures_last_trade_idx ON customer_figures (last_trade);

CREATE TABLE team_figures (
    branch_id    BIGINT NOT NULL,
    advisor_id   BIGINT NOT NULL,
    customers    BIGINT NOT NULL,
    cash         BIGINT NOT NULL,
    market_value BIGINT NOT NULL,
    CONSTRAINT team_figures_pk PRIMARY KEY (branch_id, advisor_id)
);
CREATE INDEX team_figures_advisor_idx ON team_figures (advisor_id);

-- Customers per team by the day of their last trade: the dormant count for
-- any cut-off day is a sum over the days after it.
CREATE TABLE team_trade_days (
    branch_id  BIGINT NOT NULL,
    advisor_id BIGINT NOT NULL,
    day        DATE NOT NULL,
    customers  BIGINT NOT NULL,
    CONSTRAINT team_trade_days_pk PRIMARY KEY (branch_id, advisor_id, day)
);
CREATE INDEX team_trade_days_day_idx ON team_trade_days (day, customers);
CREATE INDEX team_trade_days_advisor_idx ON team_trade_days (advisor_id, day);
