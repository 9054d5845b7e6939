"""Profile `transition invite` in one process with a cheap render path (issue 17).

Rendering is replaced by the bytes of one real letter per (role, channel), rendered once, so the
profile shows the other phases (register, selection, planning, resume bookkeeping, manifest,
reports, print bundles) at a size where anything quadratic stands out. Invented data only.

    .venv/bin/python -m bench.profile_batch YOUTHS [--cprofile FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import tempfile
import time
from pathlib import Path

from .scale_register import write_register


def cheap_renderer():
    from generator import parallel

    real = parallel.render_letter
    cache: dict = {}

    def render(letter, formats):
        key = (letter.recipient.role, letter.recipient.channel, formats)
        if key not in cache:
            cache[key] = real(letter, formats)
        return cache[key]

    parallel.render_letter = render


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("youths", type=int)
    parser.add_argument("--cprofile", help="write cProfile stats here")
    args = parser.parse_args()
    from generator.batch import plan_run, run_invite
    from generator.parallel import RenderPool

    cheap_renderer()
    with tempfile.TemporaryDirectory() as tmp:
        register = Path(tmp) / "register.csv"
        letters = write_register(register, args.youths)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        plan = plan_run(register, dt.date(2027, 2, 10), None, False)
        planned = time.perf_counter()
        with RenderPool(1) as pool:
            lines = list(run_invite(plan, Path(tmp) / "out", pool, lambda line: None))
        profiler.disable()
        done = time.perf_counter()
        print(f"{args.youths} youths, {letters} letters: plan {planned - started:.1f} s, run {done - planned:.1f} s")
        print("\n".join(line for line in lines if "bundle" in line))
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        if args.cprofile:
            stats.dump_stats(args.cprofile)
        stats.print_stats(35)


if __name__ == "__main__":
    main()
