-- Figures kept current (issue 23): each customer's cash, market value at the
-- latest close, last trade, last contact and open reminders, and their sums
-- per team (a branch and an advisor), moved by the event path, imports,
-- corporate actions, handovers, contacts and reminders in the same unit of
-- work as what moved them. The overview reads a few rows per team, and the
-- customer list sorts and filters on indexed columns, instead of summing
-- the whole book on every request.
CREATE TABLE customer_figures (
    customer_id    BIGINT PRIMARY KEY CONSTRAINT customer_figures_customer_fk REFERENCES customers (id),
    branch_id      BIGINT NOT NULL,
    advisor_id     BIGINT NOT NULL,
    cash           BIGINT NOT NULL,
    market_value   BIGINT NOT NULL,
    -- cash + market_value, stored to be sorted on.
    assets         BIGINT NOT NULL,
    -- Never traded or never contacted: 1970-01-01 UTC, so that these sort
    -- (and page by keyset) the same way on both backends.
    last_trade     TEXT NOT NULL,
    -- The Shanghai date of last_trade (none if never): the dormant count is by day.
    last_trade_day TEXT,
    last_contact   TEXT NOT NULL,
    -- Reminders made after the last contact.
    open_reminders BIGINT NOT NULL
);
CREATE INDEX customer_figures_advisor_idx ON customer_figures (advisor_id, customer_id);
CREATE INDEX customer_figures_branch_idx ON customer_figures (branch_id, customer_id);
CREATE INDEX customer_figures_assets_idx ON customer_figures (assets, customer_id);
CREATE INDEX customer_figures_last_trade_idx ON customer_figures (last_trade, customer_id);
CREATE INDEX customer_figures_last_contact_idx ON customer_figures (last_contact, customer_id);
CREATE INDEX customer_figures_open_reminders_idx ON customer_figures (open_reminders, customer_id);

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
    day        TEXT NOT NULL,
    customers  BIGINT NOT NULL,
    CONSTRAINT team_trade_days_pk PRIMARY KEY (branch_id, advisor_id, day)
);
CREATE INDEX team_trade_days_day_idx ON team_trade_days (day, customers);
CREATE INDEX team_trade_days_advisor_idx ON team_trade_days (advisor_id, day);

-- The labels as the list filters them: the service tier, and every
-- dimension's label as " dimension:label " words (filled from the JSON for
-- labels stored before).
ALTER TABLE customer_labels ADD COLUMN service_tier TEXT;
ALTER TABLE customer_labels ADD COLUMN label_set TEXT;
