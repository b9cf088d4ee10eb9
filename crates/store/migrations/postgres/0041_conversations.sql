-- One-to-one conversations (issue 29): the private chat an advisor holds
-- with a customer they serve, kept like the group chat and archived with it;
-- the advisor's messages pass the same compliance screen as content.
CREATE TABLE conversations (
    id          BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL CONSTRAINT conversations_customer_fk REFERENCES customers (id),
    advisor_id  BIGINT NOT NULL CONSTRAINT conversations_advisor_fk REFERENCES staff (id),
    created_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT conversations_pair_key UNIQUE (customer_id, advisor_id)
);
CREATE INDEX conversations_advisor_idx ON conversations (advisor_id);

CREATE TABLE conversation_messages (
    id              BIGINT PRIMARY KEY,
    conversation_id BIGINT NOT NULL CONSTRAINT conversation_messages_conversation_fk REFERENCES conversations (id),
    sender_kind     TEXT NOT NULL CONSTRAINT conversation_messages_sender_check CHECK (sender_kind IN ('staff', 'customer')),
    sender_id       BIGINT NOT NULL,
    sender_name     TEXT NOT NULL,
    body            TEXT NOT NULL,
    at              TIMESTAMPTZ NOT NULL
);
CREATE INDEX conversation_messages_conversation_idx ON conversation_messages (conversation_id, id);
CREATE INDEX conversation_messages_at_idx ON conversation_messages (at);

CREATE TRIGGER conversation_messages_retained BEFORE DELETE ON conversation_messages FOR EACH ROW EXECUTE FUNCTION refuse_early_delete('at');
