#!/usr/bin/env python3
"""The watch engine's full-market revaluation as SQL in DuckDB: the peer that
`brokerdesk bench watch` compares itself with in the same run.

Bench-only (pip install duckdb); the product never runs it. Reads the book
that `brokerdesk bench watch` writes (positions.csv, prices.csv,
accounts.csv), loads it into memory, then times, per sweep, the same work the
engine does: every account's value, value at yesterday's close, largest
position and 20-day peak at the current prices, and the account-level rule
checks (day loss >= 5%, drawdown >= 15%, one position >= 50% of an account
worth >= 100,000 CNY). Prints one JSON line: the median sweep in ms.
"""

import argparse
import json
import statistics
import time

import duckdb


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sweeps", type=int, default=3)
    args = ap.parse_args()
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    con.execute(f"CREATE TABLE positions AS SELECT * FROM read_csv('{args.dir}/positions.csv', header = true, "
                "columns = {'account': 'UINTEGER', 'instrument': 'UINTEGER', 'quantity': 'INTEGER'})")
    con.execute(f"CREATE TABLE prices AS SELECT * FROM read_csv('{args.dir}/prices.csv', header = true, "
                "columns = {'instrument': 'UINTEGER', 'price': 'INTEGER', 'prev_close': 'INTEGER'})")
    con.execute(f"CREATE TABLE accounts AS SELECT * FROM read_csv('{args.dir}/accounts.csv', header = true, "
                "columns = {'account': 'UINTEGER', 'peak_prior': 'BIGINT'})")
    sweep = """
        CREATE OR REPLACE TABLE figures AS
        WITH v AS (
            SELECT p.account,
                   SUM(p.quantity::BIGINT * i.price) AS value,
                   SUM(p.quantity::BIGINT * i.prev_close) AS open_value,
                   MAX(p.quantity::BIGINT * i.price) AS largest
            FROM positions p JOIN prices i USING (instrument)
            GROUP BY p.account
        )
        SELECT v.account, v.value, v.open_value, v.largest,
               GREATEST(a.peak_prior, v.value) AS peak,
               (v.open_value - v.value) * 10000 >= 500 * v.open_value AS day_loss,
               (GREATEST(a.peak_prior, v.value) - v.value) * 10000 >= 1500 * GREATEST(a.peak_prior, v.value) AS drawdown,
               v.largest * 10000 >= 5000 * v.value AND v.value >= 100000000 AS concentrated
        FROM v JOIN accounts a USING (account)
    """
    times = []
    for _ in range(args.sweeps):
        started = time.perf_counter()
        con.execute(sweep)
        times.append((time.perf_counter() - started) * 1e3)
    accounts, value = con.execute("SELECT COUNT(*), SUM(value) FROM figures").fetchone()
    print(json.dumps({"duckdb_ms": statistics.median(times), "accounts": accounts, "total_value": int(value),
                      "duckdb_version": duckdb.__version__}))


if __name__ == "__main__":
    main()
