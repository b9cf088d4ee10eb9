#!/usr/bin/env python3
"""The watch engine's work as SQL in DuckDB: the peer that `brokerdesk bench
watch` compares itself with in the same run.

Bench-only (pip install duckdb); the product never runs it. Reads the book
that `brokerdesk bench watch` writes, loads it into memory, then times two
things:

1. Revaluation (`duckdb_ms`): per sweep, every account's value, value at
   yesterday's close, largest position and 20-day peak at the current prices,
   and the account-level checks (day loss >= 5%, drawdown >= 15%, one
   position >= 50% of an account worth >= 100,000 CNY).
2. Judgement (`duckdb_judged_ms`, with --judged-sweeps K > 0): the engine's
   first K judged sweeps replayed with the same prices. Per sweep: revalue
   every account, evaluate all ten rules with the firm's default thresholds
   (held stock down 5% and each further 2%, limit-down, account day loss 5%
   and each further 2%, drawdown 15% and each further 5%, concentration,
   heavy holding under an MA20 or MACD signal, trapped, disclosure, month
   loss care), and keep only what was not sent before at that step, adding it
   to what was sent. The instruments' per-sweep signals (MA20 cross, MACD
   death cross: 5,000 rows a sweep) are the engine's, given to both; the work
   compared is per position and per account. The count of reminders must
   equal the engine's.

Prints one JSON line.
"""

import argparse
import json
import statistics
import time

import duckdb

# The firm defaults of watch::rules::Thresholds (basis points; amounts in 0.001 CNY).
STOCK_DROP, STOCK_STEP = 500, 200
DAY_LOSS, DAY_STEP = 500, 200
DRAWDOWN, DRAWDOWN_STEP = 1500, 500
CONCENTRATION, CONCENTRATION_MIN = 5000, 100_000_000
HEAVY = 2000
TRAPPED_BELOW_COST, TRAPPED_DAYS = 3000, 60
DISCLOSURE = 500
MONTH_LOSS_CARE = 50_000_000

REVALUE = """
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

# One judged sweep. Rules are numbered as watch::rules::Rule::ALL; account
# rules carry instrument -1. Each 30 M-row pass is done once: the holdings
# with their account's figures are scanned once, keeping only rows where some
# rule holds, and those few are expanded into one trigger per rule.
JUDGE = f"""
    CREATE OR REPLACE TEMP TABLE px AS
    SELECT q.instrument, q.price, i.prev_close, i.limit_down, i.outstanding, i.is_stock,
           q.below_ma20, q.macd_cross,
           CASE WHEN i.is_stock AND (i.prev_close - q.price)::BIGINT * 10000 >= {STOCK_DROP} * i.prev_close
                THEN ((i.prev_close - q.price)::BIGINT * 10000 // i.prev_close - {STOCK_DROP}) // {STOCK_STEP} + 1
                ELSE 0 END AS drop_step
    FROM quotes q JOIN instruments i USING (instrument)
    WHERE q.sweep = $sweep;

    CREATE OR REPLACE TEMP TABLE held AS
    SELECT p.account, p.instrument, p.quantity, p.cost, p.trapped_days,
           p.quantity::BIGINT * x.price AS value, p.quantity::BIGINT * x.prev_close AS open_value,
           x.price, x.limit_down, x.outstanding, x.is_stock, x.below_ma20, x.macd_cross, x.drop_step
    FROM positions p JOIN px x USING (instrument)
    WHERE p.quantity > 0;

    CREATE OR REPLACE TEMP TABLE fig AS
    WITH v AS (
        SELECT account, SUM(value)::BIGINT AS value, SUM(open_value)::BIGINT AS open_value
        FROM held GROUP BY account
    )
    SELECT v.account, v.value, v.open_value, GREATEST(a.peak_prior, v.value) AS peak,
           a.month_prior + v.value - v.open_value AS month_pnl
    FROM v JOIN accounts a USING (account);

    CREATE OR REPLACE TEMP TABLE firing AS
    SELECT h.account, h.instrument, h.drop_step,
           h.is_stock AND h.limit_down IS NOT NULL AND h.price <= h.limit_down AS limit_down,
           f.value >= {CONCENTRATION_MIN} AND h.value * 10000 >= {CONCENTRATION} * f.value AS concentrated,
           f.value > 0 AND h.value * 10000 >= {HEAVY} * f.value AND h.below_ma20 AS heavy_ma20,
           f.value > 0 AND h.value * 10000 >= {HEAVY} * f.value AND h.macd_cross AS heavy_macd,
           h.trapped_days >= {TRAPPED_DAYS} AND h.cost > 0
               AND (h.cost - h.price)::BIGINT * 10000 >= {TRAPPED_BELOW_COST} * h.cost::BIGINT AS trapped,
           h.outstanding > 0 AND h.quantity::BIGINT * 10000 >= {DISCLOSURE} * h.outstanding AS disclosure
    FROM held h JOIN fig f USING (account)
    WHERE h.drop_step > 0
       OR (h.is_stock AND h.limit_down IS NOT NULL AND h.price <= h.limit_down)
       OR (f.value >= {CONCENTRATION_MIN} AND h.value * 10000 >= {CONCENTRATION} * f.value)
       OR (f.value > 0 AND h.value * 10000 >= {HEAVY} * f.value AND (h.below_ma20 OR h.macd_cross))
       OR (h.trapped_days >= {TRAPPED_DAYS} AND h.cost > 0
           AND (h.cost - h.price)::BIGINT * 10000 >= {TRAPPED_BELOW_COST} * h.cost::BIGINT)
       OR (h.outstanding > 0 AND h.quantity::BIGINT * 10000 >= {DISCLOSURE} * h.outstanding);

    CREATE OR REPLACE TEMP TABLE triggers AS
    SELECT account, instrument, 0::UTINYINT AS rule, LEAST(drop_step, 255)::INTEGER AS step
        FROM firing WHERE drop_step > 0
    UNION ALL SELECT account, instrument, 1, 1 FROM firing WHERE limit_down
    UNION ALL SELECT account, instrument, 4, 1 FROM firing WHERE concentrated
    UNION ALL SELECT account, instrument, 5, 1 FROM firing WHERE heavy_ma20
    UNION ALL SELECT account, instrument, 6, 1 FROM firing WHERE heavy_macd
    UNION ALL SELECT account, instrument, 7, 1 FROM firing WHERE trapped
    UNION ALL SELECT account, instrument, 8, 1 FROM firing WHERE disclosure
    UNION ALL
    SELECT account, -1, 2, LEAST(((open_value - value) * 10000 // open_value - {DAY_LOSS}) // {DAY_STEP} + 1, 255)
        FROM fig WHERE open_value > 0 AND (open_value - value) * 10000 >= {DAY_LOSS} * open_value
    UNION ALL
    SELECT account, -1, 3, LEAST(((peak - value) * 10000 // peak - {DRAWDOWN}) // {DRAWDOWN_STEP} + 1, 255)
        FROM fig WHERE peak > 0 AND (peak - value) * 10000 >= {DRAWDOWN} * peak
    UNION ALL
    SELECT account, -1, 9, 1 FROM fig WHERE month_pnl <= -{MONTH_LOSS_CARE};

    CREATE OR REPLACE TEMP TABLE due AS
    SELECT t.* FROM triggers t
    WHERE NOT EXISTS (
        SELECT 1 FROM sent s
        WHERE s.account = t.account AND s.instrument = t.instrument AND s.rule = t.rule AND s.step >= t.step
    );

    INSERT INTO sent SELECT * FROM due;
"""


def load(con, d):
    con.execute(f"CREATE TABLE positions AS SELECT * FROM read_csv('{d}/positions.csv', header = true, "
                "columns = {'account': 'UINTEGER', 'instrument': 'UINTEGER', 'quantity': 'INTEGER', "
                "'cost': 'INTEGER', 'trapped_days': 'USMALLINT'})")
    con.execute(f"CREATE TABLE prices AS SELECT * FROM read_csv('{d}/prices.csv', header = true, "
                "columns = {'instrument': 'UINTEGER', 'price': 'INTEGER', 'prev_close': 'INTEGER'})")
    con.execute(f"CREATE TABLE accounts AS SELECT * FROM read_csv('{d}/accounts.csv', header = true, "
                "columns = {'account': 'UINTEGER', 'peak_prior': 'BIGINT', 'month_prior': 'BIGINT'})")


def revalue(con, sweeps):
    times = []
    for _ in range(sweeps):
        started = time.perf_counter()
        con.execute(REVALUE)
        times.append((time.perf_counter() - started) * 1e3)
    accounts, value = con.execute("SELECT COUNT(*), SUM(value) FROM figures").fetchone()
    return statistics.median(times), accounts, int(value)


def judge(con, d, sweeps):
    con.execute(f"CREATE TABLE instruments AS SELECT * FROM read_csv('{d}/instruments.csv', header = true, "
                "columns = {'instrument': 'UINTEGER', 'prev_close': 'INTEGER', 'limit_down': 'INTEGER', "
                "'outstanding': 'BIGINT', 'is_stock': 'BOOLEAN'})")
    con.execute(f"CREATE TABLE quotes AS SELECT * FROM read_csv('{d}/quotes.csv', header = true, "
                "columns = {'sweep': 'UINTEGER', 'instrument': 'UINTEGER', 'price': 'INTEGER', "
                "'below_ma20': 'BOOLEAN', 'macd_cross': 'BOOLEAN'})")
    con.execute("CREATE TABLE sent (account UINTEGER, instrument BIGINT, rule UTINYINT, step INTEGER)")
    times, reminders = [], []
    for sweep in range(sweeps):
        started = time.perf_counter()
        for statement in JUDGE.split(";"):
            if statement.strip():
                con.execute(statement, {"sweep": sweep} if "$sweep" in statement else None)
        made = con.execute("SELECT COUNT(*) FROM due").fetchone()[0]
        times.append((time.perf_counter() - started) * 1e3)
        reminders.append(made)
    by_rule = dict(con.execute("SELECT rule, COUNT(*) FROM sent GROUP BY rule ORDER BY rule").fetchall())
    return statistics.median(times), reminders, {str(k): v for k, v in by_rule.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sweeps", type=int, default=3)
    ap.add_argument("--judged-sweeps", type=int, default=0)
    args = ap.parse_args()
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    load(con, args.dir)
    revalue_ms, accounts, value = revalue(con, args.sweeps)
    out = {"duckdb_ms": revalue_ms, "accounts": accounts, "total_value": value,
           "duckdb_version": duckdb.__version__}
    if args.judged_sweeps > 0:
        judged_ms, reminders, by_rule = judge(con, args.dir, args.judged_sweeps)
        out.update({"duckdb_judged_ms": judged_ms, "reminders_per_sweep": reminders, "reminders_by_rule": by_rule})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
