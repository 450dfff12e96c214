#!/usr/bin/env python3
"""Runs scripts/duckdb_detect.sql on a CSV with the duckdb Python package.

Usage: python3 scripts/duckdb_detect.py FILE.csv [--threads N] [--list]

Prints how many rows were flagged (account drops and platform-wide days);
with --list, also the platform-wide days. Used by scripts/bench.sh.
"""

import argparse
import pathlib
import sys

import duckdb


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("--threads", type=int, default=0, help="0: DuckDB's default (all cores)")
    ap.add_argument("--list", action="store_true", help="also list the platform-wide days")
    args = ap.parse_args()

    sql = (pathlib.Path(__file__).with_name("duckdb_detect.sql")).read_text()
    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    con.execute("SET VARIABLE csv = ?", [args.csv])
    # The statements build the tables in turn; the last returns the counts.
    counts = dict(con.execute(sql).fetchall())
    total = sum(counts.values())
    print(
        f"flagged rows: {total} (account drops: {counts.get('account_drop', 0)},"
        f" platform-wide days: {counts.get('platform_day', 0)})"
    )
    if args.list:
        for (day, breadth) in con.execute(
            "SELECT day, score FROM flagged WHERE kind = 'platform_day' ORDER BY day"
        ).fetchall():
            print(f"  {day:%Y-%m-%d}  breadth {breadth:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
