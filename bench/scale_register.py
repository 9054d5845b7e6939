"""An invented register for the scale benchmark (issue 17): every person is fictitious.

YOUTHS young people turning 16 in the first quarter of 2027 (born January-March 2011); every
other one has two custody holders, the rest one, so a run has about 2.5 letters per young
person, a third of them on paper post and a third quick post, as in the issue's table.

    .venv/bin/python -m bench.scale_register YOUTHS OUT.csv
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

CHANNELS = ("digital", "post", "quickpost")
HEADER = ["person_id", "role", "youth_id", "name", "birth_date", "address", "postcode", "city", "channel"]


def write_register(path: Path, youths: int) -> int:
    """Write the register; returns the number of letters it makes."""
    letters = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(youths):
            born = dt.date(2011, 1, 1) + dt.timedelta(days=n % 89)
            youth = f"S{n + 1:06d}"
            street = f"Eksempelvej {n % 90 + 1}"  # invented
            writer.writerow([youth, "youth", "", f"Fiktiv Ung {n + 1}", born.isoformat(), street, "9999", "Eksempelby", CHANNELS[n % 3]])
            letters += 1
            for k in range(1 + n % 2):
                writer.writerow([f"S{n + 1:06d}F{k + 1}", "custody", youth, f"Fiktiv Forælder {n + 1}-{k + 1}", "", street,
                                 "9999", "Eksempelby", CHANNELS[(n + k + 1) % 3]])
                letters += 1
    return letters


if __name__ == "__main__":
    print(write_register(Path(sys.argv[2]), int(sys.argv[1])))
