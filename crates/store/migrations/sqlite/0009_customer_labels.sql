-- What `brokerdesk classify` last found for each customer: the features,
-- the labels with their reasons (JSON), and the configuration version and
-- day they were computed for. A re-run compares against these to report
-- who moved between labels.
CREATE TABLE customer_labels (
    customer_id BIGINT PRIMARY KEY CONSTRAINT customer_labels_customer_fk REFERENCES customers (id),
    version     TEXT NOT NULL,
    as_of       TEXT NOT NULL,
    features    TEXT NOT NULL,
    labels      TEXT NOT NULL
);

-- Each label configuration a run used, so that updates between runs (as
-- trades and logins arrive) label with the thresholds of the last run.
CREATE TABLE label_configs (
    version TEXT PRIMARY KEY,
    config  TEXT NOT NULL,
    used_at TEXT NOT NULL
);
