-- A national ID masked as region code and last four (110105********1234)
-- beside a birth date gives the whole number away: the masked digits are the
-- birth date and the check character confirms it. Masked copies now keep the
-- province only (domain::mask_national_id); narrow the stored ones.
UPDATE customers SET national_id_masked = substr(national_id_masked, 1, 2) || '****************'
WHERE national_id_masked IS NOT NULL AND length(national_id_masked) = 18;

-- An exact search by phone or national ID confirms a guess, so each is
-- audited and limited per user and minute: the limit counts the user's
-- recent searches in the audit trail through this index.
CREATE INDEX audit_log_actor_action_at ON audit_log (actor, action, at);
