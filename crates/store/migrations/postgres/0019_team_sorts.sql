-- The customer list of a branch (a manager's) or an advisor sorted by a
-- figure walks one of these in order and stops after a page, instead of
-- sorting the team's customers (a branch of 100,000 at 1M customers took
-- 300-700 ms per page). Each costs a little on every change of its figure.
CREATE INDEX customer_figures_branch_assets_idx ON customer_figures (branch_id, assets, customer_id);
CREATE INDEX customer_figures_branch_last_trade_idx ON customer_figures (branch_id, last_trade, customer_id);
CREATE INDEX customer_figures_branch_last_contact_idx ON customer_figures (branch_id, last_contact, customer_id);
CREATE INDEX customer_figures_branch_open_reminders_idx ON customer_figures (branch_id, open_reminders, customer_id);
CREATE INDEX customer_figures_advisor_assets_idx ON customer_figures (advisor_id, assets, customer_id);
CREATE INDEX customer_figures_advisor_last_trade_idx ON customer_figures (advisor_id, last_trade, customer_id);
CREATE INDEX customer_figures_advisor_last_contact_idx ON customer_figures (advisor_id, last_contact, customer_id);
CREATE INDEX customer_figures_advisor_open_reminders_idx ON customer_figures (advisor_id, open_reminders, customer_id);
