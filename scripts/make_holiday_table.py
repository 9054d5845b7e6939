"""(Re)write content/public_holidays.csv from the installed `holidays` package.

The table spares every cold start the import of the package (see generator/calendar.py); its
span of years, country and source are in content/calendar.yaml. Run it when `brevgen check` or
the tests report that the table and the package differ (a new package version that knows of a
change in the law, say), and review the diff like any other change to the rules:

    .venv/bin/python scripts/make_holiday_table.py
"""

from __future__ import annotations

import csv
import io

from generator import loading, paths
from generator.calendar import holiday_table_rows


def main() -> None:
    config = loading.calendar_config()
    table = config.public_holidays
    rows = holiday_table_rows(config.country, table.first_year, table.last_year)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "name"])
    writer.writerows(rows)
    (paths.CONTENT / table.file).write_text(out.getvalue(), encoding="utf-8")
    print(f"wrote {len(rows)} holidays {table.first_year}-{table.last_year} to content/{table.file}")


if __name__ == "__main__":
    main()
