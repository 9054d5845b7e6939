"""Where the main process's memory per letter goes (issue 17): tracemalloc of `transition invite`.

The batch runs in one process with the cheap render path of bench/profile_batch.py; a snapshot is
taken after planning and at the end of rendering, and each is compared with the start. Run it at
two sizes and compare: what grows per letter is the slope (e.g. 100 and 400 young people).

    .venv/bin/python -m bench.memory_batch YOUTHS
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import tempfile
import tracemalloc
from pathlib import Path

from .profile_batch import cheap_renderer
from .scale_register import write_register


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.memory_batch")
    parser.add_argument("youths", type=int)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    cheap_renderer()
    from generator import batch
    from generator.parallel import RenderPool
    from generator.render import pdf  # noqa: F401 - imported before tracing: not counted as the batch's

    snapshots = {}
    finish = batch.PrintParts.finish

    def finish_and_snapshot(self):
        gc.collect()
        snapshots["end of rendering"] = tracemalloc.take_snapshot()
        return finish(self)

    batch.PrintParts.finish = finish_and_snapshot
    with tempfile.TemporaryDirectory() as tmp:
        register = Path(tmp) / "register.csv"
        letters = write_register(register, args.youths)
        tracemalloc.start(6)
        start = tracemalloc.take_snapshot()
        plan = batch.plan_run(register, dt.date(2027, 2, 10), None, False)
        gc.collect()
        snapshots["after planning"] = tracemalloc.take_snapshot()
        with RenderPool(1) as pool:
            list(batch.run_invite(plan, Path(tmp) / "out", pool, lambda line: None))
    for name, snapshot in snapshots.items():
        stats = snapshot.compare_to(start, "lineno")
        total = sum(s.size_diff for s in stats)
        print(f"{name}: {total / 1024:.0f} KB held, {total / letters:.0f} bytes per letter ({letters} letters)")
        for s in stats[:args.top]:
            print(f"  {s.size_diff / letters:7.0f} B/letter {s.count_diff:8d} blocks  {s.traceback[0]}")


if __name__ == "__main__":
    main()
