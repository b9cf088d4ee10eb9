-- Each send keeps its own counts (recipients, delivered, read), moved by
-- the outbox and by reads, so that the list of sends reads one row per send
-- rather than counting every copy of every send (issue 25: at 1M customers,
-- the list of an advisor's sends took seconds).
ALTER TABLE sends ADD COLUMN recipients BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sends ADD COLUMN delivered BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sends ADD COLUMN reads BIGINT NOT NULL DEFAULT 0;
UPDATE sends SET
    recipients = (SELECT COUNT(*) FROM send_recipients r WHERE r.send_id = sends.id),
    delivered = (SELECT COUNT(*) FROM send_recipients r WHERE r.send_id = sends.id AND r.delivered_at IS NOT NULL),
    reads = (SELECT COUNT(*) FROM send_recipients r WHERE r.send_id = sends.id AND r.read_at IS NOT NULL);
