-- Market data: daily bars and intraday snapshots per instrument. Prices and
-- volumes are BIGINT counts of 0.0001 (CNY, lots), as everywhere else; the
-- adjustment factor is kept as exact decimal text.
CREATE TABLE daily_bars (
    instrument TEXT NOT NULL CONSTRAINT daily_bars_instrument_fk REFERENCES instruments (code),
    date       TEXT NOT NULL,
    open       BIGINT NOT NULL,
    high       BIGINT NOT NULL,
    low        BIGINT NOT NULL,
    close      BIGINT NOT NULL,
    volume     BIGINT NOT NULL,
    amount     BIGINT,
    prev_close BIGINT,
    adj_factor TEXT,
    CONSTRAINT daily_bars_pk PRIMARY KEY (instrument, date),
    CONSTRAINT daily_bars_range_check CHECK (low > 0 AND low <= open AND low <= close AND high >= open AND high >= close)
);

CREATE TABLE snapshots (
    instrument TEXT NOT NULL CONSTRAINT snapshots_instrument_fk REFERENCES instruments (code),
    time       TEXT NOT NULL,
    last       BIGINT NOT NULL,
    prev_close BIGINT NOT NULL,
    high       BIGINT NOT NULL,
    low        BIGINT NOT NULL,
    volume     BIGINT NOT NULL,
    bid        BIGINT,
    ask        BIGINT,
    CONSTRAINT snapshots_pk PRIMARY KEY (instrument, time)
);
