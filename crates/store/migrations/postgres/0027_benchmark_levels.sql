-- The benchmark ideas and portfolios are held against: the equal-weighted
-- index of every stock with bars, kept by the import of daily bars (so a
-- page reads a few hundred levels, not every stock's bars).
CREATE TABLE benchmark_levels (
    day   DATE PRIMARY KEY,
    level TEXT NOT NULL
);
