-- Model portfolios (issue 25): an advisor's paper portfolio, published
-- when compliance approves its description; each rebalance a content item
-- of its own, in effect (and told to the followers) when approved.
CREATE TABLE model_portfolios (
    id           BIGINT PRIMARY KEY,
    advisor_id   BIGINT NOT NULL CONSTRAINT model_portfolios_advisor_fk REFERENCES staff (id),
    name         TEXT NOT NULL CONSTRAINT model_portfolios_name_key UNIQUE,
    risk         TEXT NOT NULL CONSTRAINT model_portfolios_risk_check CHECK (risk IN ('R1', 'R2', 'R3', 'R4', 'R5')),
    content_id   BIGINT NOT NULL CONSTRAINT model_portfolios_content_key UNIQUE
                 CONSTRAINT model_portfolios_content_fk REFERENCES content_items (id),
    -- The advisory product it backs, if any (the professional rung of the ladder).
    product_id   BIGINT CONSTRAINT model_portfolios_product_fk REFERENCES products (id),
    created_at   TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ
);

CREATE TABLE model_rebalances (
    id           BIGINT PRIMARY KEY,
    portfolio_id BIGINT NOT NULL CONSTRAINT model_rebalances_portfolio_fk REFERENCES model_portfolios (id),
    content_id   BIGINT NOT NULL CONSTRAINT model_rebalances_content_key UNIQUE
                 CONSTRAINT model_rebalances_content_fk REFERENCES content_items (id),
    note         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    -- When compliance approved it: it takes effect at that day's close (the next, after 15:00).
    effective_at TIMESTAMPTZ
);
CREATE INDEX model_rebalances_portfolio_idx ON model_rebalances (portfolio_id, id);

CREATE TABLE model_weights (
    rebalance_id BIGINT NOT NULL CONSTRAINT model_weights_rebalance_fk REFERENCES model_rebalances (id),
    instrument   TEXT NOT NULL CONSTRAINT model_weights_instrument_fk REFERENCES instruments (code),
    -- Basis points of the portfolio's value.
    weight_bp    INTEGER NOT NULL CONSTRAINT model_weights_weight_check CHECK (weight_bp > 0 AND weight_bp <= 10000),
    CONSTRAINT model_weights_pk PRIMARY KEY (rebalance_id, instrument)
);

-- A follow is a subscription, judged for suitability when made.
CREATE TABLE portfolio_follows (
    portfolio_id BIGINT NOT NULL CONSTRAINT portfolio_follows_portfolio_fk REFERENCES model_portfolios (id),
    customer_id  BIGINT NOT NULL CONSTRAINT portfolio_follows_customer_fk REFERENCES customers (id),
    followed_at  TIMESTAMPTZ NOT NULL,
    confirmed    BOOLEAN NOT NULL,
    CONSTRAINT portfolio_follows_pk PRIMARY KEY (portfolio_id, customer_id)
);
CREATE INDEX portfolio_follows_customer_idx ON portfolio_follows (customer_id);

-- An advisor's profile, as customers see it: the experience they declare
-- and an introduction they write, shown once compliance approves it.
CREATE TABLE advisor_profiles (
    staff_id         BIGINT PRIMARY KEY CONSTRAINT advisor_profiles_staff_fk REFERENCES staff (id),
    experience_years INTEGER NOT NULL CONSTRAINT advisor_profiles_years_check CHECK (experience_years BETWEEN 0 AND 60),
    content_id       BIGINT NOT NULL CONSTRAINT advisor_profiles_content_fk REFERENCES content_items (id),
    updated_at       TIMESTAMPTZ NOT NULL
);
