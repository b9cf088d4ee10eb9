-- The week-one invite prompt (issue 27): a group member about a week after
-- joining is prompted once to invite a friend (on their page, and as a task
-- in their advisor's queue); a referral of theirs after it converts it.
CREATE TABLE invite_prompts (
    customer_id BIGINT PRIMARY KEY CONSTRAINT invite_prompts_customer_fk REFERENCES customers (id),
    group_id    BIGINT NOT NULL CONSTRAINT invite_prompts_group_fk REFERENCES chat_groups (id),
    joined_at   TEXT NOT NULL,
    prompted_at TEXT NOT NULL,
    seen_at     TEXT,
    task_id     BIGINT
);
CREATE INDEX invite_prompts_prompted_idx ON invite_prompts (prompted_at);
