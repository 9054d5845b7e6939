"""`python -m bench [NUMBERS...] [--rounds N] [--record]`: run the benchmarks, print the ratios.

NUMBERS picks benchmarks (1-6); none means all. --record writes the figures into
bench/RESULTS.md with the machine and date. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

from .benchmarks import all_benchmarks
from .results import record


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", help="benchmarks to run (1-7); default all")
    parser.add_argument("--rounds", type=int, default=15, help="rounds for the warm benchmarks 1-3")
    parser.add_argument("--cold-rounds", type=int, default=5, help="rounds for the cold benchmarks 5-6")
    parser.add_argument("--batch-letters", type=int, default=500, help="letters in the batch of benchmark 4")
    parser.add_argument("--soffice-letters", type=int, default=50, help="letters per batch in benchmark 6b")
    parser.add_argument("--record", action="store_true", help="write the results into bench/RESULTS.md")
    args = parser.parse_args()
    only = set(args.numbers) or None
    began, load = dt.datetime.now(dt.timezone.utc), os.getloadavg()[0]
    print(f"brevgen benchmarks, {began:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
          f"load {load:.1f}; ratio = ours / theirs, side by side")
    started = time.perf_counter()
    rows = all_benchmarks(args.rounds, args.cold_rounds, args.batch_letters, args.soffice_letters, only)
    print(f"done in {time.perf_counter() - started:.0f} s")
    if args.record:
        path = record(rows, vars(args), began, load)
        print(f"recorded in {path}")


if __name__ == "__main__":
    main()
