-- Risk reminders from the position watch: who, which rule, which
-- instrument, the figures that made it fire and the sentence sent. Every
-- reminder is stored before it is sent; one made in the customer's quiet
-- hours waits here (deliver_at in the future, delivered_at empty) until the
-- outbox sends it, so none is lost.
CREATE TABLE reminders (
    id           BIGINT PRIMARY KEY,
    customer_id  BIGINT NOT NULL CONSTRAINT reminders_customer_fk REFERENCES customers (id),
    account_id   BIGINT NOT NULL CONSTRAINT reminders_account_fk REFERENCES accounts (id),
    rule         TEXT NOT NULL,
    instrument   TEXT CONSTRAINT reminders_instrument_fk REFERENCES instruments (code),
    step         INTEGER NOT NULL,
    measure      BIGINT NOT NULL,
    figures      TEXT NOT NULL,
    text_zh      TEXT NOT NULL,
    text_en      TEXT NOT NULL,
    rule_version TEXT NOT NULL,
    trading_day  DATE NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    deliver_at   TIMESTAMPTZ NOT NULL,
    delivered_at TIMESTAMPTZ
);
CREATE INDEX reminders_customer_idx ON reminders (customer_id, id);
CREATE INDEX reminders_day_rule_idx ON reminders (trading_day, rule);
CREATE INDEX reminders_outbox_idx ON reminders (delivered_at, deliver_at);
