"""Benchmark `brevgen transition invite`: letters per second with 1 and N workers, file sizes.

Generates an invented register (every person fictitious) of YOUTHS young people turning 16 in
the first quarter of 2027, each with two custody holders, and runs the real command.

    .venv/bin/python bench/transition_bench.py [YOUTHS] [WORKERS...]     e.g. 20 1 2
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

BREVGEN = Path(sys.executable).parent / "brevgen"
CHANNELS = ("digital", "post", "quickpost")


def register(path: Path, youths: int) -> None:
    rows = ["person_id,role,youth_id,name,birth_date,address,postcode,city,channel"]
    for n in range(youths):
        born = f"2011-{1 + n % 3:02d}-{1 + n % 28:02d}"
        rows.append(f"B{n},youth,,Ung{n} Fiktivsen,{born},Benchvej {n},9999,Eksempelby,digital")
        for k in (1, 2):
            rows.append(f"B{n}P{k},custody,B{n},Forælder{k} Fiktivsen,,Benchvej {n},9999,Eksempelby,{CHANNELS[(n + k) % 3]}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def main() -> None:
    youths = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    worker_counts = [int(a) for a in sys.argv[2:]] or [1, 2]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "register.csv"
        register(source, youths)
        for workers in worker_counts:
            out = Path(tmp) / f"out{workers}"
            command = [str(BREVGEN), "transition", "invite", "--register", str(source), "--meeting", "2027-02-10",
                       "--out", str(out), "--workers", str(workers)]
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            seconds = time.perf_counter() - start
            letters = sorted((out / "letters").glob("*.pdf"))
            sizes = [p.stat().st_size for p in letters]
            print(f"workers={workers}: {len(letters)} letters in {seconds:.1f} s ({len(letters) / seconds:.1f}/s); "
                  f"letter PDF {min(sizes) // 1024}-{max(sizes) // 1024} KB; "
                  f"print bundles {sum(p.stat().st_size for p in out.glob('print_bundle_*.pdf')) // 1024} KB")
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            print(f"workers={workers}: re-run with everything written: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
