-- Service (issue 29): customers' complaints and product feedback as tickets,
-- every step of their handling as an event (the customer sees the public
-- ones), attachments checked by type and size, votes for suggestions;
-- incidents opened by a burst, with the complaints and group messages
-- linked to them and a notice that goes out only once compliance approves;
-- and the retention rule: records younger than the retention are never
-- deleted (triggers refuse it).
CREATE TABLE tickets (
    id             BIGINT PRIMARY KEY,
    customer_id    BIGINT NOT NULL CONSTRAINT tickets_customer_fk REFERENCES customers (id),
    advisor_id     BIGINT NOT NULL,
    branch_id      BIGINT NOT NULL,
    kind           TEXT NOT NULL CONSTRAINT tickets_kind_check CHECK (kind IN ('complaint', 'feedback')),
    category       TEXT NOT NULL,
    channel        TEXT NOT NULL CONSTRAINT tickets_channel_check CHECK (channel IN ('online', 'phone', 'counter')),
    queue          TEXT NOT NULL CONSTRAINT tickets_queue_check CHECK (queue IN ('advisor', 'complaints')),
    subject        TEXT NOT NULL,
    body           TEXT NOT NULL,
    status         TEXT NOT NULL CONSTRAINT tickets_status_check CHECK (status IN ('open', 'answered', 'closed')),
    level          TEXT NOT NULL CONSTRAINT tickets_level_check CHECK (level IN ('queue', 'manager', 'compliance')),
    -- The SLA clock: since when the ticket waits for the firm, and when it is due.
    waiting_since  TIMESTAMPTZ NOT NULL,
    due_at         TIMESTAMPTZ NOT NULL,
    satisfaction   INTEGER,
    reopened       BIGINT NOT NULL DEFAULT 0,
    votes          BIGINT NOT NULL DEFAULT 0,
    adopted_at     TIMESTAMPTZ,
    adoption_note  TEXT,
    incident_id    BIGINT,
    filed_by       TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    closed_at      TIMESTAMPTZ
);
CREATE INDEX tickets_customer_idx ON tickets (customer_id, id);
CREATE INDEX tickets_due_idx ON tickets (status, due_at);
CREATE INDEX tickets_category_idx ON tickets (category, created_at);
CREATE INDEX tickets_advisor_idx ON tickets (advisor_id, status);

CREATE TABLE ticket_events (
    ticket_id  BIGINT NOT NULL CONSTRAINT ticket_events_ticket_fk REFERENCES tickets (id),
    seq        BIGINT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    actor      TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    public     BOOLEAN NOT NULL,
    CONSTRAINT ticket_events_pk PRIMARY KEY (ticket_id, seq)
);

CREATE TABLE ticket_attachments (
    ticket_id  BIGINT NOT NULL CONSTRAINT ticket_attachments_ticket_fk REFERENCES tickets (id),
    seq        BIGINT NOT NULL,
    name       TEXT NOT NULL,
    file_type  TEXT NOT NULL,
    size       BIGINT NOT NULL,
    sha256     TEXT NOT NULL,
    bytes      BYTEA NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    CONSTRAINT ticket_attachments_pk PRIMARY KEY (ticket_id, seq)
);

CREATE TABLE feedback_votes (
    ticket_id   BIGINT NOT NULL CONSTRAINT feedback_votes_ticket_fk REFERENCES tickets (id),
    customer_id BIGINT NOT NULL CONSTRAINT feedback_votes_customer_fk REFERENCES customers (id),
    at          TIMESTAMPTZ NOT NULL,
    CONSTRAINT feedback_votes_pk PRIMARY KEY (ticket_id, customer_id)
);

-- A group message that reports a fault (登录不了, 下单失败): counted for bursts.
CREATE TABLE fault_reports (
    message_id  BIGINT PRIMARY KEY,
    group_id    BIGINT NOT NULL,
    customer_id BIGINT,
    area        TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    incident_id BIGINT
);
CREATE INDEX fault_reports_area_idx ON fault_reports (area, at);

CREATE TABLE incidents (
    id                 BIGINT PRIMARY KEY,
    area               TEXT NOT NULL CONSTRAINT incidents_area_check CHECK (area IN ('trading', 'login', 'quotes', 'data')),
    status             TEXT NOT NULL CONSTRAINT incidents_status_check CHECK (status IN ('open', 'closed')),
    started_at         TIMESTAMPTZ NOT NULL,
    ended_at           TIMESTAMPTZ,
    affected_investors BIGINT NOT NULL,
    grade              TEXT NOT NULL,
    summary            TEXT NOT NULL,
    opened_by          TEXT NOT NULL,
    notice_text        TEXT,
    notice_status      TEXT NOT NULL CONSTRAINT incidents_notice_check CHECK (notice_status IN ('none', 'pending', 'approved', 'rejected')),
    notice_by          TEXT,
    notice_decided_by  TEXT,
    notice_decided_at  TIMESTAMPTZ,
    notice_groups      BIGINT NOT NULL DEFAULT 0,
    created_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX incidents_area_idx ON incidents (area, status);

-- How long records are kept (years); nothing younger is deleted.
CREATE TABLE retention (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    years BIGINT NOT NULL CHECK (years >= 20)
);
INSERT INTO retention (id, years) VALUES (1, 20);

CREATE FUNCTION refuse_early_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (to_jsonb(OLD) ->> TG_ARGV[0])::timestamptz > now() - make_interval(years => (SELECT years::int FROM retention)) THEN
        RAISE EXCEPTION 'retention: records younger than the retention are kept';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER tickets_retained BEFORE DELETE ON tickets FOR EACH ROW EXECUTE FUNCTION refuse_early_delete('created_at');
CREATE TRIGGER ticket_events_retained BEFORE DELETE ON ticket_events FOR EACH ROW EXECUTE FUNCTION refuse_early_delete('at');
CREATE TRIGGER group_messages_retained BEFORE DELETE ON group_messages FOR EACH ROW EXECUTE FUNCTION refuse_early_delete('at');
CREATE TRIGGER content_versions_retained BEFORE DELETE ON content_versions FOR EACH ROW EXECUTE FUNCTION refuse_early_delete('written_at');
CREATE TRIGGER audit_log_retained BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_early_delete('at');
