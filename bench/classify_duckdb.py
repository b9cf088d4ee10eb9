#!/usr/bin/env python3
"""Customer features as SQL in DuckDB: the peer that `brokerdesk bench
classify` compares itself with in the same run.

Bench-only (pip install duckdb); the product never runs it. Loads the book
that the bench writes (customers, trades, logins, holdings as CSV) into
memory, untimed; then times one statement that computes every customer's
features as the engine does (see crates/classify/src/activity.rs):

- windows: logins and trades in the last 30 and 90 days (as_of - day in
  [0, 30) and [0, 90)), days since the last trade and login, days since the
  last trade that came 90 or more days after the one before;
- turnover: amount traded in 90 days * 10,000 // assets;
- closed round trips, first in first out: every buy and sell of an
  instrument gets its cumulative share range, and a sell matches the buys
  whose ranges overlap its own (the synthetic book sells only shares held,
  on days after they were bought, so this equals lot-by-lot matching).
  Shares a..b of a lot cost cost*b//bought - cost*a//bought; a sell's
  profit is price*matched - fee*matched//quantity - cost; win rate =
  wins*10,000 // round trips; average holding = share-days // shares;
- holdings: count, largest weight and Herfindahl index in basis points,
  unrealized P&L, assets, cash share; years in the market (whole years),
  days since opening; commission.

Prints one JSON line: duckdb_ms (median of --repeat runs) and every
feature's sum over customers, in the engine's order, as strings.
"""

import argparse
import json
import statistics
import time

import duckdb

FEATURES = """
CREATE OR REPLACE TABLE features AS
WITH
buys AS (
    SELECT customer, instrument, day, quantity AS bought, price * quantity + fee AS cost,
           SUM(quantity) OVER w - quantity AS lo, SUM(quantity) OVER w AS hi
    FROM trades WHERE sell = 0
    WINDOW w AS (PARTITION BY customer, instrument ORDER BY day ROWS UNBOUNDED PRECEDING)
),
sells AS (
    SELECT customer, instrument, day, quantity, price, fee,
           SUM(quantity) OVER w - quantity AS lo, SUM(quantity) OVER w AS hi
    FROM trades WHERE sell = 1
    WINDOW w AS (PARTITION BY customer, instrument ORDER BY day ROWS UNBOUNDED PRECEDING)
),
matched AS (
    SELECT s.customer, s.day, s.quantity, s.price, s.fee,
           SUM(LEAST(b.hi, s.hi) - GREATEST(b.lo, s.lo)) AS shares,
           SUM(b.cost * (LEAST(b.hi, s.hi) - b.lo) // b.bought - b.cost * (GREATEST(b.lo, s.lo) - b.lo) // b.bought) AS cost,
           SUM((LEAST(b.hi, s.hi) - GREATEST(b.lo, s.lo)) * (s.day - b.day)) AS share_days
    FROM sells s JOIN buys b
      ON b.customer = s.customer AND b.instrument = s.instrument AND b.lo < s.hi AND s.lo < b.hi
    GROUP BY s.customer, s.instrument, s.day, s.quantity, s.price, s.fee
),
trips AS (
    SELECT customer,
           SUM(price * shares - fee * shares // quantity - cost) AS realized,
           COUNT(*) AS round_trips,
           COUNT(*) FILTER (WHERE price * shares - fee * shares // quantity - cost > 0) AS wins,
           SUM(share_days) AS share_days, SUM(shares) AS shares
    FROM matched WHERE shares > 0 GROUP BY customer
),
gaps AS (
    SELECT customer, day, day - LAG(day) OVER (PARTITION BY customer ORDER BY day) AS gap FROM trades
),
activity AS (
    SELECT t.customer,
           COUNT(*) FILTER (WHERE $as_of_day - day BETWEEN 0 AND 29) AS trades_30d,
           COUNT(*) FILTER (WHERE $as_of_day - day BETWEEN 0 AND 89) AS trades_90d,
           SUM(price * quantity) FILTER (WHERE $as_of_day - day BETWEEN 0 AND 89) AS traded_90d,
           MAX(day) AS last_trade, SUM(fee) AS commission,
           SUM(quantity) FILTER (WHERE sell = 1) AS sold
    FROM trades t GROUP BY t.customer
),
returns AS (SELECT customer, MAX(day) AS returned FROM gaps WHERE gap >= 90 GROUP BY customer),
seen AS (
    SELECT customer,
           COUNT(*) FILTER (WHERE $as_of_day - day BETWEEN 0 AND 29) AS logins_30d,
           COUNT(*) FILTER (WHERE $as_of_day - day BETWEEN 0 AND 89) AS logins_90d,
           MAX(day) AS last_login
    FROM logins GROUP BY customer
),
held AS (
    SELECT customer, COUNT(*) AS positions, SUM(value) AS held, MAX(value) AS largest,
           SUM(CAST(value AS HUGEINT) * value) AS squares, SUM(value - cost) AS unrealized
    FROM holdings GROUP BY customer
)
SELECT c.customer,
       YEAR(DATE $as_of) - YEAR(c.entry)
         - CASE WHEN (MONTH(DATE $as_of), DAY(DATE $as_of)) < (MONTH(c.entry), DAY(c.entry)) THEN 1 ELSE 0 END
         AS years_in_market,
       GREATEST(DATE $as_of - c.opened, 0) AS days_since_opened,
       COALESCE(s.logins_30d, 0) AS logins_30d, COALESCE(s.logins_90d, 0) AS logins_90d,
       COALESCE(a.trades_30d, 0) AS trades_30d, COALESCE(a.trades_90d, 0) AS trades_90d,
       GREATEST($as_of_day - a.last_trade, 0) AS days_since_last_trade,
       GREATEST($as_of_day - s.last_login, 0) AS days_since_last_login,
       GREATEST($as_of_day - r.returned, 0) AS days_since_return,
       CASE WHEN COALESCE(h.held, 0) + c.cash > 0
            THEN CAST(COALESCE(a.traded_90d, 0) AS HUGEINT) * 10000 // (COALESCE(h.held, 0) + c.cash) ELSE 0 END
         AS turnover_90d_bp,
       COALESCE(tr.realized, 0) AS realized_pnl, COALESCE(tr.round_trips, 0) AS round_trips,
       tr.wins * 10000 // tr.round_trips AS win_rate_bp,
       tr.share_days // tr.shares AS avg_holding_days,
       COALESCE(a.sold, 0) - COALESCE(tr.shares, 0) AS untracked_shares_sold,
       COALESCE(h.positions, 0) AS positions,
       CASE WHEN h.held > 0 THEN h.largest * 10000 // h.held ELSE 0 END AS largest_weight_bp,
       CASE WHEN h.held > 0 THEN h.squares * 10000 // (CAST(h.held AS HUGEINT) * h.held) ELSE 0 END AS hhi_bp,
       COALESCE(h.unrealized, 0) AS unrealized_pnl,
       COALESCE(h.held, 0) + c.cash AS assets,
       COALESCE(a.commission, 0) AS commission,
       CASE WHEN COALESCE(h.held, 0) + c.cash > 0
            THEN LEAST(GREATEST(GREATEST(c.cash, 0) * 10000 // (COALESCE(h.held, 0) + c.cash), 0), 10000) ELSE 0 END
         AS cash_share_bp
FROM customers c
LEFT JOIN activity a USING (customer)
LEFT JOIN trips tr USING (customer)
LEFT JOIN returns r USING (customer)
LEFT JOIN seen s USING (customer)
LEFT JOIN held h USING (customer)
"""

COLUMNS = [
    "years_in_market", "days_since_opened", "logins_30d", "logins_90d", "trades_30d", "trades_90d",
    "days_since_last_trade", "days_since_last_login", "days_since_return", "turnover_90d_bp",
    "realized_pnl", "round_trips", "win_rate_bp", "avg_holding_days", "untracked_shares_sold",
    "positions", "largest_weight_bp", "hhi_bp", "unrealized_pnl", "assets", "commission", "cash_share_bp",
]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--as-of-day", type=int, required=True)
    p.add_argument("--as-of", required=True)
    p.add_argument("--repeat", type=int, default=1)
    args = p.parse_args()
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    d = args.dir
    con.execute(f"CREATE TABLE customers AS SELECT * FROM read_csv('{d}/customers.csv', header = true, "
                "columns = {'customer': 'INTEGER', 'entry': 'DATE', 'opened': 'DATE', 'cash': 'BIGINT'})")
    con.execute(f"CREATE TABLE trades AS SELECT * FROM read_csv('{d}/trades.csv', header = true, "
                "columns = {'customer': 'INTEGER', 'day': 'INTEGER', 'instrument': 'SMALLINT', 'sell': 'TINYINT', "
                "'quantity': 'BIGINT', 'price': 'BIGINT', 'fee': 'BIGINT'})")
    con.execute(f"CREATE TABLE logins AS SELECT * FROM read_csv('{d}/logins.csv', header = true, "
                "columns = {'customer': 'INTEGER', 'day': 'INTEGER'})")
    con.execute(f"CREATE TABLE holdings AS SELECT * FROM read_csv('{d}/holdings.csv', header = true, "
                "columns = {'customer': 'INTEGER', 'value': 'BIGINT', 'cost': 'BIGINT'})")
    sql = FEATURES.replace("$as_of_day", str(args.as_of_day)).replace("$as_of", f"'{args.as_of}'")
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        con.execute(sql)
        times.append((time.perf_counter() - started) * 1e3)
    sums = con.execute("SELECT " + ", ".join(f"CAST(COALESCE(SUM({c}), 0) AS VARCHAR)" for c in COLUMNS)
                       + " FROM features").fetchone()
    print(json.dumps({"duckdb_ms": statistics.median(times), "sums": list(sums)}))


if __name__ == "__main__":
    main()
