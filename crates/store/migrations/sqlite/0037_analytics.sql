-- Analytics (issue 28). What each customer did per month (a login, a
-- trade, a group message or a purchase makes them active; trades'
-- commission by the fee schedule and advisory subscriptions are the
-- revenue), and the counts the TUV, lifecycle and cohort figures read,
-- kept current by whatever stores those events, in the same unit of work.
-- Months are 'YYYY-MM' in Shanghai time on both backends.
CREATE TABLE customer_months (
    customer_id BIGINT NOT NULL,
    month       TEXT NOT NULL,
    revenue     BIGINT NOT NULL,
    CONSTRAINT customer_months_pk PRIMARY KEY (customer_id, month)
);

-- The team and opening month each customer is counted under (what the
-- counts below hold), so a change of either moves the customer's counts.
CREATE TABLE analytics_customers (
    customer_id BIGINT PRIMARY KEY,
    branch_id   BIGINT NOT NULL,
    advisor_id  BIGINT NOT NULL,
    opened      TEXT NOT NULL
);
CREATE INDEX analytics_customers_advisor_idx ON analytics_customers (advisor_id);

-- Per team (branch and advisor) and month: accounts opened, customers
-- active, paying, their revenue, and of the active those also active the
-- month before (returned: the returning stage; RETURNING is an SQL word) or not (resurrected), accounts opened earlier.
CREATE TABLE team_months (
    branch_id   BIGINT NOT NULL,
    advisor_id  BIGINT NOT NULL,
    month       TEXT NOT NULL,
    opened      BIGINT NOT NULL,
    active      BIGINT NOT NULL,
    paying      BIGINT NOT NULL,
    revenue     BIGINT NOT NULL,
    returned    BIGINT NOT NULL,
    resurrected BIGINT NOT NULL,
    CONSTRAINT team_months_pk PRIMARY KEY (branch_id, advisor_id, month)
);
CREATE INDEX team_months_month_idx ON team_months (month);

-- Per team, cohort (the month accounts opened) and month: active customers
-- of the cohort and their revenue.
CREATE TABLE cohort_months (
    branch_id  BIGINT NOT NULL,
    advisor_id BIGINT NOT NULL,
    cohort     TEXT NOT NULL,
    month      TEXT NOT NULL,
    active     BIGINT NOT NULL,
    revenue    BIGINT NOT NULL,
    CONSTRAINT cohort_months_pk PRIMARY KEY (branch_id, advisor_id, cohort, month)
);
CREATE INDEX cohort_months_cohort_idx ON cohort_months (cohort, month);
