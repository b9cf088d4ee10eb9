-- Products and suitability (issue 24): the catalogue, the risk
-- questionnaire's results with their answers, professional investors' tests
-- and the boards' trading permissions with their evidence, every step of
-- the gate at sale (refused, warned, confirmed, allowed) with the
-- questionnaire it relied on, the purchases, and who viewed which product.
CREATE TABLE products (
    id          BIGINT PRIMARY KEY,
    code        TEXT NOT NULL CONSTRAINT products_code_key UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CONSTRAINT products_kind_check CHECK (kind IN ('advisory', 'fund', 'wealth')),
    risk        TEXT NOT NULL CONSTRAINT products_risk_check CHECK (risk IN ('R1', 'R2', 'R3', 'R4', 'R5')),
    horizon     TEXT NOT NULL CONSTRAINT products_horizon_check CHECK (horizon IN ('short', 'medium', 'long')),
    variety     TEXT NOT NULL CONSTRAINT products_variety_check CHECK (variety IN ('stocks', 'funds', 'bonds', 'derivatives')),
    ladder      TEXT CONSTRAINT products_ladder_check CHECK (ladder IN ('beginner', 'professional')),
    -- 0.0001 CNY: the subscription's price (0 for funds and wealth products).
    price       BIGINT NOT NULL CONSTRAINT products_price_check CHECK (price >= 0),
    term_days   INTEGER NOT NULL CONSTRAINT products_term_check CHECK (term_days > 0),
    -- 0.0001 CNY: the least one purchase may be.
    minimum     BIGINT NOT NULL CONSTRAINT products_minimum_check CHECK (minimum >= 0),
    state       TEXT NOT NULL CONSTRAINT products_state_check CHECK (state IN ('on_sale', 'closed')),
    description TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE risk_assessments (
    id          BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL CONSTRAINT risk_assessments_customer_fk REFERENCES customers (id),
    version     TEXT NOT NULL,
    -- The answers as given, JSON: {"question": ["option", ...]}.
    answers     TEXT NOT NULL,
    score       INTEGER NOT NULL CONSTRAINT risk_assessments_score_check CHECK (score BETWEEN 0 AND 100),
    class       TEXT NOT NULL CONSTRAINT risk_assessments_class_check CHECK (class IN ('C1-lowest', 'C1', 'C2', 'C3', 'C4', 'C5')),
    horizon     TEXT NOT NULL CONSTRAINT risk_assessments_horizon_check CHECK (horizon IN ('short', 'medium', 'long')),
    -- Comma-separated varieties.
    varieties   TEXT NOT NULL,
    taken_at    TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    taken_by    TEXT NOT NULL
);
CREATE INDEX risk_assessments_customer_idx ON risk_assessments (customer_id, id);

CREATE TABLE professional_tests (
    id          BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL CONSTRAINT professional_tests_customer_fk REFERENCES customers (id),
    qualified   BOOLEAN NOT NULL,
    -- The evidence and each test's outcome, JSON.
    evidence    TEXT NOT NULL,
    tested_at   TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    tested_by   TEXT NOT NULL
);
CREATE INDEX professional_tests_customer_idx ON professional_tests (customer_id, id);

CREATE TABLE trading_permissions (
    id          BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL CONSTRAINT trading_permissions_customer_fk REFERENCES customers (id),
    board       TEXT NOT NULL CONSTRAINT trading_permissions_board_check CHECK (board IN ('star', 'chinext', 'bse')),
    granted     BOOLEAN NOT NULL,
    -- The daily assets, their average and the experience, JSON.
    evidence    TEXT NOT NULL,
    checked_at  TEXT NOT NULL,
    checked_by  TEXT NOT NULL
);
CREATE INDEX trading_permissions_customer_idx ON trading_permissions (customer_id, board, id);

CREATE TABLE suitability_log (
    id            BIGINT PRIMARY KEY,
    customer_id   BIGINT NOT NULL CONSTRAINT suitability_log_customer_fk REFERENCES customers (id),
    product_id    BIGINT NOT NULL CONSTRAINT suitability_log_product_fk REFERENCES products (id),
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    step          TEXT NOT NULL CONSTRAINT suitability_log_step_check CHECK (step IN ('refused', 'warned', 'confirmed', 'allowed')),
    verdict       TEXT NOT NULL CONSTRAINT suitability_log_verdict_check CHECK (verdict IN ('allowed', 'needs_confirmation', 'refused')),
    -- The reasons, JSON: [{"code", "zh", "en"}].
    reasons       TEXT NOT NULL,
    -- The questionnaire result relied on (none: a professional investor, or none taken).
    assessment_id BIGINT CONSTRAINT suitability_log_assessment_fk REFERENCES risk_assessments (id),
    -- The hash-chained audit record written with it.
    audit_seq     BIGINT NOT NULL
);
CREATE INDEX suitability_log_customer_idx ON suitability_log (customer_id, id);

CREATE TABLE purchases (
    id            BIGINT PRIMARY KEY,
    customer_id   BIGINT NOT NULL CONSTRAINT purchases_customer_fk REFERENCES customers (id),
    product_id    BIGINT NOT NULL CONSTRAINT purchases_product_fk REFERENCES products (id),
    -- 0.0001 CNY.
    amount        BIGINT NOT NULL CONSTRAINT purchases_amount_check CHECK (amount > 0),
    placed_at     TEXT NOT NULL,
    placed_by     TEXT NOT NULL,
    verdict       TEXT NOT NULL CONSTRAINT purchases_verdict_check CHECK (verdict IN ('allowed', 'needs_confirmation')),
    confirmed     BOOLEAN NOT NULL,
    log_id        BIGINT NOT NULL CONSTRAINT purchases_log_fk REFERENCES suitability_log (id)
);
CREATE INDEX purchases_customer_idx ON purchases (customer_id, id);
CREATE INDEX purchases_product_idx ON purchases (product_id);

CREATE TABLE product_views (
    product_id  BIGINT NOT NULL CONSTRAINT product_views_product_fk REFERENCES products (id),
    customer_id BIGINT NOT NULL CONSTRAINT product_views_customer_fk REFERENCES customers (id),
    first_at    TEXT NOT NULL,
    PRIMARY KEY (product_id, customer_id)
);

-- The products a content item names (found in its text when it is
-- submitted), for the funnel: content read, product viewed, purchased.
CREATE TABLE content_products (
    item_id    BIGINT NOT NULL CONSTRAINT content_products_item_fk REFERENCES content_items (id),
    product_id BIGINT NOT NULL CONSTRAINT content_products_product_fk REFERENCES products (id),
    PRIMARY KEY (item_id, product_id)
);
CREATE INDEX content_products_product_idx ON content_products (product_id);
