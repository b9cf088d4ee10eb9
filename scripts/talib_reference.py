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
    yield "RSI_14", talib.RSI(c, 14)
    yield "RSI_6", talib.RSI(c, 6)
    for period, k in [(20, 2.0), (10, 1.5)]:
        up, mid, low = talib.BBANDS(c, period, k, k, 0)
        yield f"BOLL_{period}_{k:g}_upper", up
        yield f"BOLL_{period}_{k:g}_middle", mid
        yield f"BOLL_{period}_{k:g}_lower", low
    yield "ATR_14", talib.ATR(h, l, c, 14)
    yield "ATR_5", talib.ATR(h, l, c, 5)
    yield "OBV", talib.OBV(c, v)


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
