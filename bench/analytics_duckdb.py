#!/usr/bin/env python3
"""TUV, lifecycle and cohorts as SQL in DuckDB: the peer that `brokerdesk
bench analytics` compares itself with in the same run.

Bench-only (pip install duckdb); the product never runs it. Loads the events
the bench exported from the database (customers, accounts, instruments,
trades, logins, customers' group messages, purchases, as CSV) into memory,
untimed; then times the figures computed from those events, as the product
defines them (see crates/analytics and crates/store/src/analytics.rs):

- a customer is active in a Shanghai month with a login, trade, group
  message or purchase in it, from the month their account opened;
- revenue: each trade's commission by the fee schedule (ppm of the amount
  rounded half up to the fen, then the minimum), plus advisory purchases;
- per month: users (accounts opened by then), active, paying, revenue, by
  firm, branch and advisor; returning (active this month and the one
  before) and resurrected (active, not the month before, opened earlier);
- cohorts by opening month within the window: size, active and revenue per
  month after.

Prints one JSON line: duckdb_ms (median of --repeat runs) and the figures.
"""

import argparse
import json
import statistics
import time

import duckdb


def month_expr(col):
    # Times are read as the UTC text stored (YYYY-MM-DD HH:MM:SS...); Shanghai is UTC+8 all year.
    return f"strftime(CAST(substr({col}, 1, 19) AS TIMESTAMP) + INTERVAL 8 HOUR, '%Y-%m')"


def commission(kind_rates):
    cases = " ".join(
        f"WHEN '{kind}' THEN GREATEST((CAST(t.quantity AS BIGINT) * CAST(t.price AS BIGINT) * {rate} + 50000000) // 100000000 * 100, {minimum})"
        for kind, (rate, minimum) in kind_rates.items()
    )
    return f"CASE i.kind {cases} END"


def figures_sql(rates):
    return f"""
CREATE OR REPLACE TABLE cm AS
WITH opened AS (
    SELECT id AS customer, branch_id AS branch, advisor_id AS advisor, {month_expr('opened_at')} AS opened FROM customers
),
events AS (
    SELECT customer_id AS customer, {month_expr('time')} AS month, 0 AS revenue FROM logins
    UNION ALL
    SELECT a.customer_id, {month_expr('t.time')}, {commission(rates)}
    FROM trades t JOIN accounts a ON a.id = t.account_id JOIN instruments i ON i.code = t.instrument
    UNION ALL
    SELECT sender_id, {month_expr('sent_at')}, 0 FROM messages
    UNION ALL
    SELECT customer_id, {month_expr('placed_at')}, CASE WHEN kind = 'advisory' THEN CAST(amount AS BIGINT) ELSE 0 END FROM purchases
)
SELECT e.customer, o.branch, o.advisor, o.opened, e.month, SUM(e.revenue) AS revenue
FROM events e JOIN opened o USING (customer)
WHERE e.month >= o.opened
GROUP BY ALL;

CREATE OR REPLACE TABLE teams AS
WITH opened AS (
    SELECT branch_id AS branch, advisor_id AS advisor, {month_expr('opened_at')} AS month, COUNT(*) AS opened
    FROM customers GROUP BY ALL
),
active AS (
    SELECT c.branch, c.advisor, c.month, COUNT(*) AS active, COUNT(*) FILTER (WHERE c.revenue > 0) AS paying,
           SUM(c.revenue) AS revenue,
           COUNT(*) FILTER (WHERE c.month > c.opened AND p.customer IS NOT NULL) AS returned,
           COUNT(*) FILTER (WHERE c.month > c.opened AND p.customer IS NULL) AS resurrected
    FROM cm c LEFT JOIN cm p ON p.customer = c.customer
        AND p.month = strftime(CAST(c.month || '-01' AS DATE) - INTERVAL 1 MONTH, '%Y-%m')
    GROUP BY ALL
)
SELECT COALESCE(a.branch, o.branch) AS branch, COALESCE(a.advisor, o.advisor) AS advisor,
       COALESCE(a.month, o.month) AS month, COALESCE(o.opened, 0) AS opened,
       COALESCE(a.active, 0) AS active, COALESCE(a.paying, 0) AS paying, COALESCE(a.revenue, 0) AS revenue,
       COALESCE(a.returned, 0) AS returned, COALESCE(a.resurrected, 0) AS resurrected
FROM active a FULL JOIN opened o ON o.branch = a.branch AND o.advisor = a.advisor AND o.month = a.month;
"""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--first", required=True, help="first month, YYYY-MM")
    p.add_argument("--last", required=True, help="last month, YYYY-MM")
    p.add_argument("--rates", required=True, help="JSON {kind: [rate_ppm, minimum]}")
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    rates = json.loads(a.rates)
    con = duckdb.connect()
    con.execute(f"SET threads = {a.threads}")
    for table in ["customers", "accounts", "instruments", "trades", "logins", "messages", "purchases"]:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv('{a.dir}/{table}.csv', header = true, all_varchar = true)")
    months = [r[0] for r in con.execute(
        "SELECT strftime(m, '%Y-%m') FROM range(CAST(? || '-01' AS DATE), CAST(? || '-01' AS DATE) + INTERVAL 1 MONTH, INTERVAL 1 MONTH) t(m)",
        [a.first, a.last]).fetchall()]
    sql = figures_sql(rates)
    times = []
    out = None
    for _ in range(a.repeat):
        started = time.perf_counter()
        con.execute(sql)
        # Per firm, branch and advisor, each month: users (cumulative openings), active, paying, revenue.
        by = {}
        for level, key in [("firm", "0"), ("branch", "branch"), ("advisor", "advisor")]:
            rows = con.execute(f"""
                WITH keyed AS (SELECT {key} AS k, month, SUM(opened) AS opened, SUM(active) AS active,
                                      SUM(paying) AS paying, SUM(revenue) AS revenue,
                                      SUM(returned) AS returned, SUM(resurrected) AS resurrected
                               FROM teams GROUP BY ALL),
                     users AS (SELECT k, month, SUM(opened) OVER (PARTITION BY k ORDER BY month) AS users,
                                      opened, active, paying, revenue, returned, resurrected FROM keyed)
                SELECT k, month, users, active, paying, revenue, opened, returned, resurrected
                FROM users WHERE month BETWEEN ? AND ? ORDER BY k, month""", [a.first, a.last]).fetchall()
            by[level] = rows
        cohorts = con.execute("""
            SELECT opened, month, COUNT(*) AS active, SUM(revenue) AS revenue FROM cm
            WHERE opened BETWEEN ? AND ? AND month <= ? GROUP BY ALL ORDER BY ALL""",
            [a.first, a.last, a.last]).fetchall()
        sizes = con.execute(f"""
            SELECT {month_expr('opened_at')} AS m, COUNT(*) FROM customers
            WHERE {month_expr('opened_at')} BETWEEN ? AND ? GROUP BY ALL ORDER BY ALL""", [a.first, a.last]).fetchall()
        times.append((time.perf_counter() - started) * 1000)
        out = (by, cohorts, sizes)
    by, cohorts, sizes = out
    # Users count customers opened by the month's end: a month with no row of its own
    # still has the users opened before it, so fill each key's months in order.
    def filled(rows):
        result = {}
        for k, month, users, active, paying, revenue, opened, returned, resurrected in rows:
            result.setdefault(str(k), {})[month] = [int(users), int(active), int(paying), int(revenue),
                                                     int(opened), int(returned), int(resurrected)]
        return result
    figures = {level: filled(rows) for level, rows in by.items()}
    print(json.dumps({
        "duckdb_ms": statistics.median(times),
        "months": months,
        "figures": figures,
        "cohorts": [[c[0], c[1], int(c[2]), int(c[3])] for c in cohorts],
        "sizes": [[s[0], int(s[1])] for s in sizes],
    }))


if __name__ == "__main__":
    main()
