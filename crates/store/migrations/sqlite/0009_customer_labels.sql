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
