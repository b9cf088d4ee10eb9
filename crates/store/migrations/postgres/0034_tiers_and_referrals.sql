-- Tiers and referrals (issue 27).
-- A customer's tier as last judged. Customers never judged above the lowest
-- tier have no row: the lowest tier is what no row means.
CREATE TABLE customer_tiers (
    customer_id    BIGINT PRIMARY KEY CONSTRAINT customer_tiers_customer_fk REFERENCES customers (id),
    tier           TEXT NOT NULL,
    since          DATE NOT NULL,
    -- The first day of the current spell below the tier: the grace's start.
    below_since    DATE,
    reason         TEXT NOT NULL,
    rolling_points BIGINT NOT NULL,
    judged_on      DATE NOT NULL
);

-- Every change of tier, for the customer and their advisor to read.
CREATE TABLE tier_changes (
    seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id    BIGINT NOT NULL CONSTRAINT tier_changes_customer_fk REFERENCES customers (id),
    changed_on     DATE NOT NULL,
    from_tier      TEXT,
    to_tier        TEXT NOT NULL,
    rolling_points BIGINT NOT NULL,
    reason         TEXT NOT NULL
);
CREATE INDEX tier_changes_customer_idx ON tier_changes (customer_id, seq);

-- A customer's invite code, made the first time they ask for it.
CREATE TABLE invite_codes (
    customer_id BIGINT PRIMARY KEY CONSTRAINT invite_codes_customer_fk REFERENCES customers (id),
    code        TEXT NOT NULL CONSTRAINT invite_codes_code_key UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL
);

-- Who says they were referred by whom: the inviter as given (an invite code
-- or a customer id), resolved and judged once. 'new' waits to be judged,
-- 'rewarded' has its pending transfer in the ledger (whose state tells the
-- rest), 'refused' carries the reason's code.
CREATE TABLE referrals (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referee_id    BIGINT NOT NULL CONSTRAINT referrals_referee_fk REFERENCES customers (id),
    inviter_given TEXT NOT NULL,
    inviter_id    BIGINT,
    via           TEXT NOT NULL CONSTRAINT referrals_via_check CHECK (via IN ('import', 'link', 'share')),
    attributed_at TIMESTAMPTZ NOT NULL,
    state         TEXT NOT NULL CONSTRAINT referrals_state_check CHECK (state IN ('new', 'rewarded', 'refused')),
    refusal       TEXT,
    transfer_id   TEXT,
    -- Why the referral waits for a person before it may be posted; cleared by one.
    review        TEXT,
    reviewed_by   TEXT,
    decided_at    TIMESTAMPTZ
);
CREATE INDEX referrals_referee_idx ON referrals (referee_id);
CREATE INDEX referrals_inviter_idx ON referrals (inviter_id, attributed_at);
CREATE INDEX referrals_open_idx ON referrals (state) WHERE state IN ('new', 'rewarded');
