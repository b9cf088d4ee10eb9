-- Advisor communities (seed 001): groups an advisor owns, who is in them and
-- how they got in, the chat with its questions and their service clock,
-- moderation as data (the log members read, appeals, reports), and content
-- that reaches a group only after compliance approves it.

CREATE TABLE chat_groups (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    advisor_id  BIGINT NOT NULL CONSTRAINT chat_groups_advisor_fk REFERENCES staff (id),
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    rules       TEXT NOT NULL,
    capacity    BIGINT NOT NULL CONSTRAINT chat_groups_capacity_check CHECK (capacity BETWEEN 1 AND 10000),
    created_at  TEXT NOT NULL
);
CREATE INDEX chat_groups_advisor_idx ON chat_groups (advisor_id);

-- Staff who help the advisor run a group (at most three, enforced by the app).
CREATE TABLE group_admins (
    group_id BIGINT NOT NULL CONSTRAINT group_admins_group_fk REFERENCES chat_groups (id),
    staff_id BIGINT NOT NULL CONSTRAINT group_admins_staff_fk REFERENCES staff (id),
    CONSTRAINT group_admins_pk PRIMARY KEY (group_id, staff_id)
);

CREATE TABLE group_members (
    group_id    BIGINT NOT NULL CONSTRAINT group_members_group_fk REFERENCES chat_groups (id),
    customer_id BIGINT NOT NULL CONSTRAINT group_members_customer_fk REFERENCES customers (id),
    joined_at   TEXT NOT NULL,
    muted_until TEXT,
    removed_at  TEXT,
    CONSTRAINT group_members_pk PRIMARY KEY (group_id, customer_id)
);
CREATE INDEX group_members_customer_idx ON group_members (customer_id);

-- Requests to enter: applications wait for the advisor; invites admit at once.
CREATE TABLE group_applications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id    BIGINT NOT NULL CONSTRAINT group_applications_group_fk REFERENCES chat_groups (id),
    customer_id BIGINT NOT NULL CONSTRAINT group_applications_customer_fk REFERENCES customers (id),
    note        TEXT NOT NULL,
    status      TEXT NOT NULL CONSTRAINT group_applications_status_check CHECK (status IN ('pending', 'approved', 'rejected')),
    reason      TEXT,
    decided_by  BIGINT,
    created_at  TEXT NOT NULL,
    decided_at  TEXT
);
CREATE INDEX group_applications_group_idx ON group_applications (group_id, status);

CREATE TABLE group_invites (
    token      TEXT PRIMARY KEY,
    group_id   BIGINT NOT NULL CONSTRAINT group_invites_group_fk REFERENCES chat_groups (id),
    created_by BIGINT NOT NULL,
    expires_at TEXT NOT NULL
);

-- A customer an advisor has banned from all of their groups.
CREATE TABLE advisor_bans (
    advisor_id  BIGINT NOT NULL CONSTRAINT advisor_bans_advisor_fk REFERENCES staff (id),
    customer_id BIGINT NOT NULL CONSTRAINT advisor_bans_customer_fk REFERENCES customers (id),
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL,
    CONSTRAINT advisor_bans_pk PRIMARY KEY (advisor_id, customer_id)
);

-- The chat. Ids rise within a group in the order members see messages, so
-- a reconnecting client resumes after the last id it saw.
CREATE TABLE group_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id    BIGINT NOT NULL CONSTRAINT group_messages_group_fk REFERENCES chat_groups (id),
    sender_kind TEXT NOT NULL CONSTRAINT group_messages_sender_kind_check CHECK (sender_kind IN ('staff', 'customer', 'system')),
    sender_id   BIGINT NOT NULL,
    sender_name TEXT NOT NULL,
    body        TEXT NOT NULL,
    reply_to    BIGINT,
    mentions    TEXT NOT NULL,
    pinned      BOOLEAN NOT NULL,
    content_id  BIGINT,
    at          TEXT NOT NULL
);
CREATE INDEX group_messages_group_idx ON group_messages (group_id, id);

-- Questions and their service clock; answered by the advisor's reply or
-- by the advisor accepting a member's answer.
CREATE TABLE group_questions (
    message_id    BIGINT PRIMARY KEY CONSTRAINT group_questions_message_fk REFERENCES group_messages (id),
    group_id      BIGINT NOT NULL CONSTRAINT group_questions_group_fk REFERENCES chat_groups (id),
    advisor_id    BIGINT NOT NULL,
    customer_id   BIGINT NOT NULL,
    asked_at      TEXT NOT NULL,
    answered_at   TEXT,
    answer_id     BIGINT,
    service_minutes BIGINT
);
CREATE INDEX group_questions_advisor_idx ON group_questions (advisor_id, answered_at);

-- Every moderation outcome, readable by the group's members.
CREATE TABLE moderation_actions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id      BIGINT NOT NULL CONSTRAINT moderation_actions_group_fk REFERENCES chat_groups (id),
    customer_id   BIGINT NOT NULL CONSTRAINT moderation_actions_customer_fk REFERENCES customers (id),
    violation     TEXT NOT NULL,
    excerpt       TEXT NOT NULL,
    sanction      TEXT NOT NULL CONSTRAINT moderation_actions_sanction_check CHECK (sanction IN ('warn', 'mute_hour', 'mute_day', 'remove')),
    decided_by    TEXT NOT NULL,
    at            TEXT NOT NULL,
    appeal        TEXT,
    appealed_at   TEXT,
    overturned    BOOLEAN NOT NULL,
    review        TEXT,
    reviewed_by   TEXT,
    reviewed_at   TEXT
);
CREATE INDEX moderation_actions_group_idx ON moderation_actions (group_id, id);

-- Members' reports of a message, for the admins to review.
CREATE TABLE member_reports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id    BIGINT NOT NULL CONSTRAINT member_reports_group_fk REFERENCES chat_groups (id),
    message_id  BIGINT NOT NULL CONSTRAINT member_reports_message_fk REFERENCES group_messages (id),
    reporter_id BIGINT NOT NULL,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL,
    resolved_at TEXT,
    resolution  TEXT
);
CREATE INDEX member_reports_group_idx ON member_reports (group_id, resolved_at);

-- Content: every version kept; only an approved version is ever published.
CREATE TABLE content_items (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    advisor_id BIGINT NOT NULL CONSTRAINT content_items_advisor_fk REFERENCES staff (id),
    kind       TEXT NOT NULL CONSTRAINT content_items_kind_check CHECK (kind IN ('pre_market', 'post_market', 'article')),
    created_at TEXT NOT NULL
);

CREATE TABLE content_versions (
    item_id      BIGINT NOT NULL CONSTRAINT content_versions_item_fk REFERENCES content_items (id),
    version      BIGINT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL CONSTRAINT content_versions_status_check CHECK (status IN ('draft', 'submitted', 'approved', 'rejected')),
    written_at   TEXT NOT NULL,
    reviewer     TEXT,
    review_note  TEXT,
    reviewed_at  TEXT,
    CONSTRAINT content_versions_pk PRIMARY KEY (item_id, version)
);

CREATE TABLE content_publications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id    BIGINT NOT NULL CONSTRAINT content_publications_item_fk REFERENCES content_items (id),
    version    BIGINT NOT NULL,
    group_id   BIGINT NOT NULL CONSTRAINT content_publications_group_fk REFERENCES chat_groups (id),
    publish_at TEXT NOT NULL,
    message_id BIGINT
);
CREATE INDEX content_publications_due_idx ON content_publications (message_id, publish_at);

CREATE TABLE content_reads (
    item_id     BIGINT NOT NULL CONSTRAINT content_reads_item_fk REFERENCES content_items (id),
    customer_id BIGINT NOT NULL CONSTRAINT content_reads_customer_fk REFERENCES customers (id),
    at          TEXT NOT NULL,
    CONSTRAINT content_reads_pk PRIMARY KEY (item_id, customer_id)
);

-- The advisor's private follow-up list (seed users and others worth a call).
CREATE TABLE follow_ups (
    advisor_id  BIGINT NOT NULL CONSTRAINT follow_ups_advisor_fk REFERENCES staff (id),
    customer_id BIGINT NOT NULL CONSTRAINT follow_ups_customer_fk REFERENCES customers (id),
    note        TEXT NOT NULL,
    at          TEXT NOT NULL,
    CONSTRAINT follow_ups_pk PRIMARY KEY (advisor_id, customer_id)
);
