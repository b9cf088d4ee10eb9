-- Ideas, outreach and notices (issue 25).
--
-- Research sources are configured by the firm: its own research desk and
-- outside institutions whose ideas advisors pass on.
CREATE TABLE research_sources (
    id         BIGINT PRIMARY KEY,
    name       TEXT NOT NULL CONSTRAINT research_sources_name_key UNIQUE,
    kind       TEXT NOT NULL CONSTRAINT research_sources_kind_check CHECK (kind IN ('desk', 'institution')),
    licence_no TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- An idea goes through compliance as a content item (its text is the one
-- reviewed and sent); it is published, and tracked from, the moment that
-- text is approved. Prices in 0.0001 CNY.
CREATE TABLE ideas (
    id           BIGINT PRIMARY KEY,
    content_id   BIGINT NOT NULL CONSTRAINT ideas_content_key UNIQUE CONSTRAINT ideas_content_fk REFERENCES content_items (id),
    advisor_id   BIGINT NOT NULL CONSTRAINT ideas_advisor_fk REFERENCES staff (id),
    -- Empty: the advisor's own idea.
    source_id    BIGINT CONSTRAINT ideas_source_fk REFERENCES research_sources (id),
    instrument   TEXT NOT NULL CONSTRAINT ideas_instrument_fk REFERENCES instruments (code),
    direction    TEXT NOT NULL CONSTRAINT ideas_direction_check CHECK (direction IN ('long', 'short')),
    entry_low    BIGINT NOT NULL,
    entry_high   BIGINT NOT NULL,
    target       BIGINT NOT NULL,
    stop         BIGINT NOT NULL,
    horizon_days INTEGER NOT NULL CONSTRAINT ideas_horizon_check CHECK (horizon_days BETWEEN 1 AND 750),
    risk         TEXT NOT NULL CONSTRAINT ideas_risk_check CHECK (risk IN ('R1', 'R2', 'R3', 'R4', 'R5')),
    rationale    TEXT NOT NULL,
    -- A re-recommendation keeps the link to the idea it repeats.
    again_of     BIGINT CONSTRAINT ideas_again_fk REFERENCES ideas (id),
    created_at   TEXT NOT NULL,
    published_at TEXT,
    CONSTRAINT ideas_prices_check CHECK (entry_low > 0 AND entry_low <= entry_high AND target > 0 AND stop > 0)
);
CREATE INDEX ideas_published_idx ON ideas (published_at);

-- A customer-list filter an advisor keeps by name, as the list's query string.
CREATE TABLE saved_filters (
    id         BIGINT PRIMARY KEY,
    staff_id   BIGINT NOT NULL CONSTRAINT saved_filters_staff_fk REFERENCES staff (id),
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT saved_filters_name_key UNIQUE (staff_id, name)
);

-- One send of an idea, content item or product to a segment: the text as
-- sent, how the segment was named, how many it matched and how many were
-- withheld as unsuitable.
CREATE TABLE sends (
    id          BIGINT PRIMARY KEY,
    sender_id   BIGINT NOT NULL CONSTRAINT sends_sender_fk REFERENCES staff (id),
    item_kind   TEXT NOT NULL CONSTRAINT sends_item_check CHECK (item_kind IN ('idea', 'content', 'product', 'rebalance', 'notice')),
    item_id     BIGINT NOT NULL,
    -- What follow-through counts: a trade in this instrument, a purchase of this product.
    instrument  TEXT,
    product_id  BIGINT CONSTRAINT sends_product_fk REFERENCES products (id),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    segment     TEXT NOT NULL,
    matched     BIGINT NOT NULL,
    withheld    BIGINT NOT NULL,
    trading_day TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX sends_sender_idx ON sends (sender_id, id);

-- Each recipient's copy: held over quiet hours until deliver_at, then in
-- their inbox; read once.
CREATE TABLE send_recipients (
    send_id      BIGINT NOT NULL CONSTRAINT send_recipients_send_fk REFERENCES sends (id),
    customer_id  BIGINT NOT NULL CONSTRAINT send_recipients_customer_fk REFERENCES customers (id),
    deliver_at   TEXT NOT NULL,
    delivered_at TEXT,
    read_at      TEXT,
    CONSTRAINT send_recipients_pk PRIMARY KEY (send_id, customer_id)
);
CREATE INDEX send_recipients_customer_idx ON send_recipients (customer_id, send_id);
CREATE INDEX send_recipients_outbox_idx ON send_recipients (delivered_at, deliver_at);

-- News and dated corporate events on instruments, from the event path.
-- A repeated event (same id) is stored once.
CREATE TABLE notices (
    id         BIGINT PRIMARY KEY,
    event_id   TEXT NOT NULL CONSTRAINT notices_event_key UNIQUE,
    kind       TEXT NOT NULL CONSTRAINT notices_kind_check CHECK (kind IN ('news', 'forced_redemption',
               'rights_payment', 'allotment_payment', 'st_designation', 'delisting_consolidation')),
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    link       TEXT,
    source     TEXT NOT NULL,
    at         TEXT NOT NULL,
    -- The last day to act, for dated corporate events.
    deadline   TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE notice_instruments (
    notice_id  BIGINT NOT NULL CONSTRAINT notice_instruments_notice_fk REFERENCES notices (id),
    instrument TEXT NOT NULL CONSTRAINT notice_instruments_instrument_fk REFERENCES instruments (code),
    CONSTRAINT notice_instruments_pk PRIMARY KEY (instrument, notice_id)
);
