-- Sharing (issue 27): a published content item, idea or model portfolio
-- shared as a link carrying the sharer's invite code. Each open of such a
-- link is counted; an account opening that names the sharer soon after one
-- of their shares was opened is attributed to that share.
CREATE TABLE share_opens (
    seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind      TEXT NOT NULL CONSTRAINT share_opens_kind_check CHECK (kind IN ('content', 'idea', 'portfolio')),
    item_id   BIGINT NOT NULL,
    sharer_id BIGINT NOT NULL CONSTRAINT share_opens_sharer_fk REFERENCES customers (id),
    opened_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX share_opens_sharer_idx ON share_opens (sharer_id, opened_at);
ALTER TABLE referrals ADD COLUMN share_kind TEXT;
ALTER TABLE referrals ADD COLUMN share_item BIGINT;
