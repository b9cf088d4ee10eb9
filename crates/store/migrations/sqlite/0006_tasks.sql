-- The advisor's work queue: what is to be done for which customer. Open
-- tasks move with the customer when a book is handed over; done ones keep
-- the advisor who did them.
CREATE TABLE tasks (
    id          BIGINT PRIMARY KEY,
    advisor_id  BIGINT NOT NULL CONSTRAINT tasks_advisor_fk REFERENCES staff (id),
    customer_id BIGINT NOT NULL CONSTRAINT tasks_customer_fk REFERENCES customers (id),
    kind        TEXT NOT NULL CONSTRAINT tasks_kind_check CHECK (kind IN ('follow_up', 'care', 'risk_reminder', 'question')),
    title       TEXT NOT NULL,
    due_at      TEXT,
    created_at  TEXT NOT NULL,
    done_at     TEXT,
    outcome     TEXT
);
CREATE INDEX tasks_advisor_open_idx ON tasks (advisor_id, done_at);
CREATE INDEX tasks_customer_idx ON tasks (customer_id);
