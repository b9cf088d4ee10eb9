-- Name search through an index (issue 23): every one- and two-character
-- piece of each customer's name (ASCII letters lower-cased), so that a
-- search of one or two characters (a surname, a given name: most Chinese
-- names are two or three characters) finds its customers by an indexed
-- lookup, and a longer one by intersecting its pieces. Trigram indexes
-- (FTS5's trigram tokenizer, pg_trgm) cannot answer searches shorter than
-- three characters, which are most searches for Chinese names.
CREATE TABLE customer_name_grams (
    gram        TEXT NOT NULL,
    customer_id BIGINT NOT NULL CONSTRAINT customer_name_grams_customer_fk REFERENCES customers (id),
    CONSTRAINT customer_name_grams_pk PRIMARY KEY (gram, customer_id)
) WITHOUT ROWID;

-- Names are at most 50 characters.
WITH RECURSIVE places(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM places WHERE i < 50),
widths(w) AS (SELECT 1 UNION ALL SELECT 2)
INSERT INTO customer_name_grams (gram, customer_id)
SELECT substr(lower(c.name), p.i, widths.w), c.id
FROM customers c JOIN places p ON p.i <= length(c.name) JOIN widths ON p.i + widths.w - 1 <= length(c.name)
WHERE 1 = 1
ON CONFLICT DO NOTHING;
