-- The advisor's call list: customers with open reminders, least (or most)
-- recently contacted first. Only those customers are in these indexes, so
-- the list and its count read them in order instead of walking everyone
-- the team has contacted (issue 23: a manager's list took 90-135 ms p50 at
-- 1M customers).
CREATE INDEX customer_figures_calls_idx ON customer_figures (last_contact, customer_id) WHERE open_reminders > 0;
CREATE INDEX customer_figures_branch_calls_idx ON customer_figures (branch_id, last_contact, customer_id)
    WHERE open_reminders > 0;
CREATE INDEX customer_figures_advisor_calls_idx ON customer_figures (advisor_id, last_contact, customer_id)
    WHERE open_reminders > 0;
-- Counted now, so that a database already large plans with them at once
-- (an empty one gains no statistics from this).
ANALYZE customer_figures;
