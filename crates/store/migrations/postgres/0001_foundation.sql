-- Foundation: firm, customers, accounts, instruments, holdings and history.
-- Money and prices are BIGINT counts of 0.0001 CNY, identical on both backends.
-- Constraint names match the SQLite schema so errors map the same way.

CREATE TABLE branches (
    id   BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    city TEXT NOT NULL
);

CREATE TABLE staff (
    id         BIGINT PRIMARY KEY,
    branch_id  BIGINT NOT NULL CONSTRAINT staff_branch_fk REFERENCES branches (id),
    role       TEXT NOT NULL CONSTRAINT staff_role_check CHECK (role IN ('advisor', 'manager', 'compliance', 'admin')),
    name       TEXT NOT NULL,
    licence_no TEXT
);
CREATE INDEX staff_branch_idx ON staff (branch_id);

CREATE TABLE customers (
    id                 BIGINT PRIMARY KEY,
    name               TEXT NOT NULL,
    national_id        TEXT NOT NULL,
    phone              TEXT NOT NULL,
    gender             TEXT NOT NULL,
    birth_date         DATE NOT NULL,
    market_entry_date  DATE NOT NULL,
    branch_id          BIGINT NOT NULL CONSTRAINT customers_branch_fk REFERENCES branches (id),
    advisor_id         BIGINT NOT NULL CONSTRAINT customers_advisor_fk REFERENCES staff (id),
    risk_level         INTEGER NOT NULL CONSTRAINT customers_risk_level_check CHECK (risk_level BETWEEN 1 AND 5),
    horizon            TEXT NOT NULL,
    real_name_verified BOOLEAN NOT NULL,
    professional       BOOLEAN NOT NULL,
    opened_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX customers_advisor_idx ON customers (advisor_id);
CREATE INDEX customers_branch_idx ON customers (branch_id);

CREATE TABLE accounts (
    id          BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL CONSTRAINT accounts_customer_fk REFERENCES customers (id),
    cash        BIGINT NOT NULL
);
CREATE INDEX accounts_customer_idx ON accounts (customer_id);

CREATE TABLE instruments (
    code               TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    board              TEXT NOT NULL,
    kind               TEXT NOT NULL,
    lot                BIGINT NOT NULL,
    tick               BIGINT NOT NULL,
    limit_pct          BIGINT NOT NULL,
    st                 BOOLEAN NOT NULL,
    list_date          DATE NOT NULL,
    face_value         BIGINT,
    outstanding_shares BIGINT NOT NULL,
    last_close         BIGINT NOT NULL
);

CREATE TABLE positions (
    account_id        BIGINT NOT NULL CONSTRAINT positions_account_fk REFERENCES accounts (id),
    instrument        TEXT NOT NULL CONSTRAINT positions_instrument_fk REFERENCES instruments (code),
    quantity          BIGINT NOT NULL CONSTRAINT positions_quantity_check CHECK (quantity >= 0),
    sellable_quantity BIGINT NOT NULL,
    cost_price        BIGINT NOT NULL,
    CONSTRAINT positions_pk PRIMARY KEY (account_id, instrument)
);
CREATE INDEX positions_instrument_idx ON positions (instrument);

CREATE TABLE trades (
    id         BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL CONSTRAINT trades_account_fk REFERENCES accounts (id),
    instrument TEXT NOT NULL CONSTRAINT trades_instrument_fk REFERENCES instruments (code),
    side       TEXT NOT NULL CONSTRAINT trades_side_check CHECK (side IN ('buy', 'sell')),
    quantity   BIGINT NOT NULL CONSTRAINT trades_quantity_check CHECK (quantity > 0),
    price      BIGINT NOT NULL,
    fee        BIGINT NOT NULL,
    time       TIMESTAMPTZ NOT NULL
);
CREATE INDEX trades_account_time_idx ON trades (account_id, time);
CREATE INDEX trades_time_idx ON trades (time);

CREATE TABLE cash_flows (
    id         BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL CONSTRAINT cash_flows_account_fk REFERENCES accounts (id),
    kind       TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    time       TIMESTAMPTZ NOT NULL
);
CREATE INDEX cash_flows_account_idx ON cash_flows (account_id);

CREATE TABLE logins (
    id          BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL CONSTRAINT logins_customer_fk REFERENCES customers (id),
    time        TIMESTAMPTZ NOT NULL,
    channel     TEXT NOT NULL
);
CREATE INDEX logins_customer_time_idx ON logins (customer_id, time);

CREATE TABLE service_events (
    id          BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL CONSTRAINT service_events_customer_fk REFERENCES customers (id),
    staff_id    BIGINT CONSTRAINT service_events_staff_fk REFERENCES staff (id),
    kind        TEXT NOT NULL,
    time        TIMESTAMPTZ NOT NULL
);
CREATE INDEX service_events_customer_idx ON service_events (customer_id, time);
