-- The advisor's weekly service plan: whom to contact, in which part of the
-- 60/30/10 split, why, and (once done) when and with what outcome.
ALTER TABLE staff ADD COLUMN contact_hours INTEGER NOT NULL DEFAULT 20;

CREATE TABLE service_plan (
    advisor_id  BIGINT NOT NULL CONSTRAINT service_plan_advisor_fk REFERENCES staff (id),
    week_start  TEXT NOT NULL,
    customer_id BIGINT NOT NULL CONSTRAINT service_plan_customer_fk REFERENCES customers (id),
    bucket      TEXT NOT NULL,
    rank        INTEGER NOT NULL,
    triggers    TEXT NOT NULL,
    done_at     TEXT,
    outcome     TEXT,
    CONSTRAINT service_plan_pk PRIMARY KEY (advisor_id, week_start, customer_id)
);
