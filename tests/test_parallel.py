"""The local render pool (generator/parallel.py): fresh workers after each worker's share of
letters (issue 17: a worker's memory must not grow with the batch), and the same bytes either way."""

from __future__ import annotations

import datetime as dt
import hashlib

from conftest import EXAMPLES
from generator.batch import plan_run
from generator.parallel import RenderPool


def test_workers_are_replaced_after_their_share_and_render_the_same_bytes():
    plan = plan_run(EXAMPLES / "transition" / "register.csv", dt.date(2027, 2, 10), None, False)
    paper = next(i for i, a in enumerate(plan.addressees) if a.person.channel.is_paper)
    chosen = [0, 1, paper]  # a digital and a paper letter at least
    jobs = [(i, plan.letter(i)) for i in chosen]
    with RenderPool(1) as alone:  # rendered in this process
        expected = dict(alone.render_all(iter(jobs), plan.formats, checked=True))

    pids: list[set[int]] = []
    with RenderPool(2, recycle_after=1) as pool:  # two letters per set of two workers
        got = {}
        for key, rendered in pool.render_all(iter(jobs), plan.formats, checked=True):
            got[key] = rendered
            pids.append(pool.worker_pids())
        generations = pool.generations
    assert generations == 2
    assert len(pids[0]) == 2 and pids[-1] and not pids[0] & pids[-1]  # other processes took the third letter
    assert got.keys() == expected.keys()
    for key, rendered in got.items():
        pdf = rendered["pdf"]
        assert pdf.data == expected[key]["pdf"].data and pdf.data.startswith(b"%PDF")
        assert pdf.sha256 == hashlib.sha256(pdf.data).hexdigest()
        # The remote-print check ran in the worker for the paper letter only, and found nothing.
        assert pdf.print_problems == (() if key == paper else None)


def test_the_batch_process_does_not_load_the_renderers_until_it_renders_itself():
    """With workers, the process that plans and writes never renders a letter: it must not load
    WeasyPrint (about 30 MB and a second of start-up in a process that lives the whole run)."""
    import subprocess
    import sys

    code = ("import sys, generator.cli, generator.batch, generator.parallel, generator.printing; "
            "print(sorted(m for m in ('weasyprint', 'generator.render.pdf') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
