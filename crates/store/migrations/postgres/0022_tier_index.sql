-- The customers of one service tier, by index: a list filtered by a tier
-- few customers hold (or none, before the first classification) reads
-- them instead of walking the scope's figures to test each (issue 23: a
-- manager's list of a tier no one holds took 260 ms at 1M customers).
CREATE INDEX customer_labels_tier_idx ON customer_labels (service_tier, customer_id);
