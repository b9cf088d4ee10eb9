-- Positions follow the trades of the events feed (issue 22). The sellable
-- quantity a row keeps is for one trading day: once that day is over all
-- that is held may be sold (T+1). NULL: the figure came with a book import.
ALTER TABLE positions ADD COLUMN sellable_day TEXT;
