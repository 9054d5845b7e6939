"""Time decision letters on the example cases: build + checks, and each renderer, per letter.

    .venv/bin/python bench/letters.py [ROUNDS]

Not a test: timings depend on the machine. The first round includes one-off start-up costs
(fonts, CSS, templates), so it is reported apart.
"""

from __future__ import annotations

import statistics
import sys
import time

from generator import paths
from generator.case import CaseFile
from generator.checks import check_decision
from generator.documents.decision_letter import build_decision
from generator.loading import load_model
from generator.render import RENDERERS


def one_round() -> dict[str, float]:
    totals = {"build+check": 0.0, **{fmt: 0.0 for fmt in RENDERERS}}
    letters = 0
    for path in sorted((paths.CONTENT / "examples" / "cases").glob("*.yaml")):
        start = time.perf_counter()
        built = build_decision(load_model(CaseFile, path), source=str(path), input_sha256="")
        check_decision(built)
        totals["build+check"] += time.perf_counter() - start
        for recipient_letter in built.letters:
            letters += 1
            for fmt, render in RENDERERS.items():
                start = time.perf_counter()
                render(recipient_letter.letter)
                totals[fmt] += time.perf_counter() - start
    return {name: seconds / letters for name, seconds in totals.items()}


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    first = one_round()
    print("first round (ms per letter):", {k: round(v * 1000) for k, v in first.items()})
    later = [one_round() for _ in range(rounds)]
    print(f"median of {rounds} rounds (ms per letter):",
          {k: round(statistics.median(r[k] for r in later) * 1000) for k in first})


if __name__ == "__main__":
    main()
