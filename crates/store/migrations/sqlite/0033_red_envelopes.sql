-- Red envelopes in groups (issue 27): N points cut into K shares when sent
-- (the points moved to escrow by a ledger transfer in the same unit), opened
-- by the first K different members, what is left returned after a day.
CREATE TABLE red_envelopes (
    id              BIGINT PRIMARY KEY,
    group_id        BIGINT NOT NULL CONSTRAINT red_envelopes_group_fk REFERENCES chat_groups (id),
    sender_kind     TEXT NOT NULL CONSTRAINT red_envelopes_sender_kind_check CHECK (sender_kind IN ('staff', 'customer')),
    sender_id       BIGINT NOT NULL,
    sender_name     TEXT NOT NULL,
    points          BIGINT NOT NULL CONSTRAINT red_envelopes_points_check CHECK (points > 0),
    shares          BIGINT NOT NULL CONSTRAINT red_envelopes_shares_check CHECK (shares > 0 AND shares <= points),
    split           TEXT NOT NULL CONSTRAINT red_envelopes_split_check CHECK (split IN ('equal', 'random')),
    opened          BIGINT NOT NULL DEFAULT 0,
    opened_points   BIGINT NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    returned_at     TEXT,
    returned_points BIGINT,
    -- The last guards: never more shares, never more points, than it holds.
    CONSTRAINT red_envelopes_opened_check CHECK (opened <= shares AND opened_points <= points)
);
CREATE INDEX red_envelopes_group_idx ON red_envelopes (group_id, id);
CREATE INDEX red_envelopes_due_idx ON red_envelopes (expires_at) WHERE returned_at IS NULL;

CREATE TABLE red_envelope_shares (
    envelope_id BIGINT NOT NULL CONSTRAINT red_envelope_shares_envelope_fk REFERENCES red_envelopes (id),
    share_no    BIGINT NOT NULL,
    points      BIGINT NOT NULL CONSTRAINT red_envelope_shares_points_check CHECK (points > 0),
    customer_id BIGINT,
    opened_at   TEXT,
    CONSTRAINT red_envelope_shares_pk PRIMARY KEY (envelope_id, share_no)
);
-- A member opens an envelope once.
CREATE UNIQUE INDEX red_envelope_shares_member_key ON red_envelope_shares (envelope_id, customer_id);

-- The chat message that carries an envelope.
ALTER TABLE group_messages ADD COLUMN red_envelope_id BIGINT;
