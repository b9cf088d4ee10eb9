#!/usr/bin/env python3
"""Writes TA-Lib's outputs on committed real daily bars as test fixtures.

Run once (and again only if the cases below change); the fixtures are
committed, so the tests need neither Python nor TA-Lib:

    pip install TA-Lib numpy
    python3 scripts/talib_reference.py

Inputs are data/ashare-daily/<code>.csv, read by column name with Python's
float(), which rounds decimal text to the nearest double exactly as Rust's
str::parse::<f64> does. Outputs are written with repr(), which round-trips.
"""

import csv
import math
import pathlib

import numpy as np
import talib

ROOT = pathlib.Path(__file__).resolve().parent.parent
BARS = ROOT / "data" / "ashare-daily"
OUT = ROOT / "crates" / "market" / "tests" / "fixtures" / "talib"

# Across boards and price levels: Moutai (~1,500), CATL, SMIC (STAR),
# Ping An Bank and ICBC (single-digit prices), a 2023 listing (fewer bars).
CODES = ["600519", "300750", "688981", "000001", "601398", "301458"]


def cases(o, h, l, c, v):
    """(column name, values) for every TA-Lib-covered indicator, defaults and others."""
    yield "SMA_5", talib.SMA(c, 5)
    yield "SMA_20", talib.SMA(c, 20)
    yield "EMA_12", talib.EMA(c, 12)
    yield "EMA_30", talib.EMA(c, 30)
    for fast, slow, signal in [(12, 26, 9), (5, 35, 5)]:
        macd, sig, hist = talib.MACD(c, fast, slow, signal)
        yield f"MACD_{fast}_{slow}_{signal}_macd", macd
        yield f"MACD_{fast}_{slow}_{signal}_signal", sig
        yield f"MACD_{fast}_{slow}_{signal}_hist", hist
    # Chinese software's MACD bar: 2 x TA-Lib's histogram.
    yield "MACD_12_26_9_bar", 2.0 * talib.MACD(c, 12, 26, 9)[2]
    yield "RSI_14", talib.RSI(c, 14)
    # The chart's defaults as Chinese users expect them: 6, 12 and 24.
    yield "RSI_6", talib.RSI(c, 6)
    yield "RSI_12", talib.RSI(c, 12)
    yield "RSI_24", talib.RSI(c, 24)
    for period, k in [(20, 2.0), (10, 1.5)]:
        up, mid, low = talib.BBANDS(c, period, k, k, 0)
        yield f"BOLL_{period}_{k:g}_upper", up
        yield f"BOLL_{period}_{k:g}_middle", mid
        yield f"BOLL_{period}_{k:g}_lower", low
    # Bollinger with the sample standard deviation (ddof 1), as numpy computes it: not in TA-Lib.
    mid = talib.SMA(c, 20)
    sd = np.full(len(c), np.nan)
    for i in range(19, len(c)):
        sd[i] = np.std(c[i - 19 : i + 1], ddof=1)
    yield "BOLLS_20_2_upper", mid + 2.0 * sd
    yield "BOLLS_20_2_middle", mid
    yield "BOLLS_20_2_lower", mid - 2.0 * sd
    yield "ATR_14", talib.ATR(h, l, c, 14)
    yield "ATR_5", talib.ATR(h, l, c, 5)
    yield "OBV", talib.OBV(c, v)
    # VR (成交量变异率, 26, 6) by the formula of Chinese trading software, not in TA-Lib:
    # 100 x (2 x up-day volume + flat-day volume) / (2 x down-day volume + flat-day volume) over 26 days.
    n, m = 26, 6
    up = np.where(c[1:] > c[:-1], v[1:], 0.0)
    down = np.where(c[1:] < c[:-1], v[1:], 0.0)
    flat = np.where(c[1:] == c[:-1], v[1:], 0.0)
    vr = np.full(len(c), np.nan)
    for i in range(n, len(c)):
        a, b, q = up[i - n : i].sum(), down[i - n : i].sum(), flat[i - n : i].sum()
        vr[i] = 100.0 * (2.0 * a + q) / (2.0 * b + q)
    mavr = np.full(len(c), np.nan)
    for i in range(n + m - 1, len(c)):
        mavr[i] = vr[i - m + 1 : i + 1].mean()
    yield "VR_26_6_vr", np.where(np.isnan(mavr), np.nan, vr)
    yield "VR_26_6_mavr", mavr


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for code in CODES:
        with open(BARS / f"{code}.csv", newline="") as f:
            rows = sorted(csv.DictReader(f), key=lambda r: r["date"])
        col = lambda name: np.array([float(r[name]) for r in rows], dtype=np.float64)
        o, h, l, c, v = col("open"), col("high"), col("low"), col("close"), col("volume")
        columns = list(cases(o, h, l, c, v))
        with open(OUT / f"{code}.csv", "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["date"] + [name for name, _ in columns])
            for i, r in enumerate(rows):
                w.writerow([r["date"]] + ["" if math.isnan(vals[i]) else repr(float(vals[i])) for _, vals in columns])
        print(f"{code}: {len(rows)} bars, {len(columns)} columns")
    print(f"TA-Lib {talib.__version__} (C library {talib.__ta_version__.decode() if isinstance(talib.__ta_version__, bytes) else talib.__ta_version__})")


if __name__ == "__main__":
    main()
