-- A reminder is sent once per account, rule, instrument, step and trading
-- day (the watch's own ledger says so within a process). A restarted server
-- judges everyone again with an empty ledger, so the store keeps the rule:
-- a reminder already stored is not stored, nor sent, twice. Duplicates left
-- by earlier restarts are dropped first, keeping the one first stored.
DELETE FROM reminders WHERE id NOT IN (
    SELECT MIN(id) FROM reminders GROUP BY account_id, rule, COALESCE(instrument, ''), step, trading_day
);
CREATE UNIQUE INDEX reminders_once ON reminders (account_id, rule, (COALESCE(instrument, '')), step, trading_day);
