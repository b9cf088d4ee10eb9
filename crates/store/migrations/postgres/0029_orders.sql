-- Order tools (issue 26): every ticket sent, with what the pre-trade checks
-- found (blocked and confirmed tickets are the errors prevented), its paper
-- fills (each a trade on the book), conditional orders and their triggers.
CREATE TABLE orders (
    id             BIGINT PRIMARY KEY,
    account_id     BIGINT NOT NULL CONSTRAINT orders_account_fk REFERENCES accounts (id),
    -- The account's customer, advisor and branch when sent: the reader's scope, as reminders keep it.
    customer_id    BIGINT NOT NULL CONSTRAINT orders_customer_fk REFERENCES customers (id),
    advisor_id     BIGINT NOT NULL,
    branch_id      BIGINT NOT NULL,
    instrument     TEXT NOT NULL CONSTRAINT orders_instrument_fk REFERENCES instruments (code),
    side           TEXT NOT NULL CONSTRAINT orders_side_check CHECK (side IN ('buy', 'sell')),
    order_type     TEXT NOT NULL CONSTRAINT orders_type_check CHECK (order_type IN ('limit', 'market')),
    -- The limit price (a market order's protection price), 0.0001 CNY.
    price          BIGINT NOT NULL,
    quantity       BIGINT NOT NULL,
    filled         BIGINT NOT NULL DEFAULT 0,
    status         TEXT NOT NULL CONSTRAINT orders_status_check
                   CHECK (status IN ('blocked', 'unconfirmed', 'abandoned', 'working', 'filled', 'cancelled', 'expired')),
    source         TEXT NOT NULL CONSTRAINT orders_source_check
                   CHECK (source IN ('ticket', 'instrument', 'position', 'reminder', 'conditional')),
    reminder_id    BIGINT,
    conditional_id BIGINT,
    placed_by      TEXT NOT NULL,
    placed_at      TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    -- Why a working order stopped short (a fill refused for cash, the day's end).
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX orders_working_idx ON orders (status, instrument);
CREATE INDEX orders_account_idx ON orders (account_id, id);
CREATE INDEX orders_advisor_idx ON orders (advisor_id, id);
CREATE INDEX orders_branch_idx ON orders (branch_id, id);

CREATE TABLE order_findings (
    order_id BIGINT NOT NULL CONSTRAINT order_findings_order_fk REFERENCES orders (id),
    rule     TEXT NOT NULL,
    severity TEXT NOT NULL CONSTRAINT order_findings_severity_check CHECK (severity IN ('warn', 'confirm', 'block')),
    -- The message's values, as JSON.
    args     TEXT NOT NULL,
    CONSTRAINT order_findings_pk PRIMARY KEY (order_id, rule)
);
CREATE INDEX order_findings_rule_idx ON order_findings (rule, severity);

CREATE TABLE order_fills (
    trade_id BIGINT PRIMARY KEY CONSTRAINT order_fills_trade_fk REFERENCES trades (id),
    order_id BIGINT NOT NULL CONSTRAINT order_fills_order_fk REFERENCES orders (id),
    quantity BIGINT NOT NULL,
    price    BIGINT NOT NULL,
    fee      BIGINT NOT NULL,
    time     TIMESTAMPTZ NOT NULL
);
CREATE INDEX order_fills_order_idx ON order_fills (order_id);

CREATE TABLE conditional_orders (
    id          BIGINT PRIMARY KEY,
    account_id  BIGINT NOT NULL CONSTRAINT conditional_orders_account_fk REFERENCES accounts (id),
    customer_id BIGINT NOT NULL CONSTRAINT conditional_orders_customer_fk REFERENCES customers (id),
    advisor_id  BIGINT NOT NULL,
    branch_id   BIGINT NOT NULL,
    instrument  TEXT NOT NULL CONSTRAINT conditional_orders_instrument_fk REFERENCES instruments (code),
    kind        TEXT NOT NULL CONSTRAINT conditional_orders_kind_check
                CHECK (kind IN ('price_trigger', 'rebound_buy', 'take_profit', 'stop_loss', 'trailing_stop', 'grid')),
    side        TEXT NOT NULL CONSTRAINT conditional_orders_side_check CHECK (side IN ('buy', 'sell')),
    quantity    BIGINT NOT NULL CONSTRAINT conditional_orders_quantity_check CHECK (quantity > 0),
    -- The condition and the low, high or base it tracks, as JSON (orders::Condition).
    condition   TEXT NOT NULL,
    valid_until DATE NOT NULL,
    status      TEXT NOT NULL CONSTRAINT conditional_orders_status_check
                CHECK (status IN ('active', 'fired', 'expired', 'cancelled')),
    placed_by   TEXT NOT NULL,
    placed_at   TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX conditional_orders_active_idx ON conditional_orders (status, id);
CREATE INDEX conditional_orders_account_idx ON conditional_orders (account_id, id);

-- Each firing: the quote, and the order it became (none when the checks blocked it).
CREATE TABLE conditional_triggers (
    id             BIGINT PRIMARY KEY,
    conditional_id BIGINT NOT NULL CONSTRAINT conditional_triggers_conditional_fk REFERENCES conditional_orders (id),
    at             TIMESTAMPTZ NOT NULL,
    price          BIGINT NOT NULL,
    order_id       BIGINT CONSTRAINT conditional_triggers_order_fk REFERENCES orders (id),
    outcome        TEXT NOT NULL
);
CREATE INDEX conditional_triggers_conditional_idx ON conditional_triggers (conditional_id, id);

-- Risk disclosures a customer signed (the risk-warning stocks' before a first ST buy).
CREATE TABLE risk_disclosures (
    customer_id BIGINT NOT NULL CONSTRAINT risk_disclosures_customer_fk REFERENCES customers (id),
    kind        TEXT NOT NULL CONSTRAINT risk_disclosures_kind_check CHECK (kind IN ('st')),
    signed_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT risk_disclosures_pk PRIMARY KEY (customer_id, kind)
);
