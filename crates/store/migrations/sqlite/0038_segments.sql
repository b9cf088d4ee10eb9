-- Saved segments (issue 28): a region of the customer map (two features and
-- their bounds) and the customers in it, within the scope of whoever saved
-- it, at the moment it was saved. The customer list filters by it and the
-- advisor acts on it (a follow-up for each, a group invitation).
CREATE TABLE segments (
    id         BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    -- JSON: {"x": feature, "y": feature, "region": {x_min, x_max, y_min, y_max}}.
    definition TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    members    BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE segment_members (
    segment_id  BIGINT NOT NULL CONSTRAINT segment_members_segment_fk REFERENCES segments (id),
    customer_id BIGINT NOT NULL CONSTRAINT segment_members_customer_fk REFERENCES customers (id),
    CONSTRAINT segment_members_pk PRIMARY KEY (segment_id, customer_id)
);
CREATE INDEX segment_members_customer_idx ON segment_members (customer_id);
