-- The points ledger (issue 27), in TigerBeetle's model. Every movement of
-- points is a transfer between two accounts; an account's four figures are
-- kept beside the transfers, in the same unit of work, so a customer's
-- balance is checked where it changes. Accounts are customers' ids, or below
-- zero the firm's: -1 issuance, -2 expiry, -3 red-envelope escrow, -4
-- referral rewards pending, -5 redemption (points spent on rewards).
CREATE TABLE points_accounts (
    account         BIGINT PRIMARY KEY,
    debits_posted   BIGINT NOT NULL DEFAULT 0,
    credits_posted  BIGINT NOT NULL DEFAULT 0,
    debits_pending  BIGINT NOT NULL DEFAULT 0,
    credits_pending BIGINT NOT NULL DEFAULT 0,
    -- The last guard: no customer ever spends what they have not got.
    CONSTRAINT points_accounts_available_check
        CHECK (account < 0 OR credits_posted - debits_posted - debits_pending >= 0)
);

-- Immutable but for a pending transfer's one decision (state, decided_at).
CREATE TABLE points_transfers (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The idempotency key from the transfer's source event.
    id            TEXT NOT NULL CONSTRAINT points_transfers_id_key UNIQUE,
    debit         BIGINT NOT NULL,
    credit        BIGINT NOT NULL,
    amount        BIGINT NOT NULL CONSTRAINT points_transfers_amount_check CHECK (amount > 0),
    reason        TEXT NOT NULL,
    -- A pending transfer's timeout (voided then if still pending); none for a single one.
    pending_until TIMESTAMPTZ,
    -- The transfer this one corrects.
    corrects      TEXT CONSTRAINT points_transfers_corrects_fk REFERENCES points_transfers (id),
    at            TIMESTAMPTZ NOT NULL,
    state         TEXT NOT NULL CONSTRAINT points_transfers_state_check CHECK (state IN ('posted', 'pending', 'voided')),
    decided_at    TIMESTAMPTZ,
    -- The decision's own id: the same decision again answers its first result.
    decided_by    TEXT,
    CONSTRAINT points_transfers_sides_check CHECK (debit <> credit)
);
-- A customer's statement reads these; the firm's side of a transfer is not
-- indexed (its accounts are few and would only grow the index).
CREATE INDEX points_transfers_debit_idx ON points_transfers (debit, seq) WHERE debit > 0;
CREATE INDEX points_transfers_credit_idx ON points_transfers (credit, seq) WHERE credit > 0;
CREATE INDEX points_transfers_pending_idx ON points_transfers (pending_until) WHERE state = 'pending';

-- Points a customer holds, by the transfer that earned them; used and
-- expired oldest first (by when earned, then by the transfer's id). Keyed by
-- customer, so a batch's lots are written where the customer's others are.
CREATE TABLE points_lots (
    customer_id BIGINT NOT NULL,
    earned_at   TIMESTAMPTZ NOT NULL,
    source      TEXT NOT NULL,
    remaining   BIGINT NOT NULL CONSTRAINT points_lots_remaining_check CHECK (remaining > 0),
    CONSTRAINT points_lots_pk PRIMARY KEY (customer_id, earned_at, source)
);
CREATE INDEX points_lots_earned_idx ON points_lots (earned_at);

-- How far an import of ledger steps has come, written with each batch it
-- commits: an import stopped anywhere resumes after its last batch, so no
-- step is lost or run twice.
CREATE TABLE points_imports (
    name       TEXT PRIMARY KEY,
    steps_done BIGINT NOT NULL
);

-- A points system's token may post transfers: the scope check widened.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scope_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scope_check CHECK (scope IN ('import', 'events', 'points'));
