-- A group's rules as its admins revised them (issue 28): who, when, the
-- rules before and after and why, read by the members; each revision also
-- tells the group in its chat.
CREATE TABLE group_rule_changes (
    id           BIGINT PRIMARY KEY,
    group_id     BIGINT NOT NULL CONSTRAINT group_rule_changes_group_fk REFERENCES chat_groups (id),
    changed_by   BIGINT NOT NULL CONSTRAINT group_rule_changes_staff_fk REFERENCES staff (id),
    at           TIMESTAMPTZ NOT NULL,
    rules_before TEXT NOT NULL,
    rules_after  TEXT NOT NULL,
    note         TEXT NOT NULL
);
CREATE INDEX group_rule_changes_group_idx ON group_rule_changes (group_id, id);
-- A group's messages by time (its weekly figures read a window of them).
CREATE INDEX group_messages_group_at_idx ON group_messages (group_id, at);
