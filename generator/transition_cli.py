"""`brevgen transition ...`: the quarterly 16-year invitations and the caseworkers' overview."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .cli import parse_date, user_errors

transition_app = typer.Typer(
    help="Quarterly 16-year transition invitations and the 15½ / 16½ overview.", no_args_is_help=True,
)


@transition_app.command()
@user_errors
def invite(
    register: Path = typer.Option(..., "--register", help="The register extract (CSV, UTF-8; columns in README.md)."),
    meeting: str = typer.Option(..., "--meeting", help="The café meeting's date, YYYY-MM-DD (must be in the schedule)."),
    schedule: Optional[Path] = typer.Option(None, "--schedule", help="Meeting schedule (YAML); default content/transition/meetings.yaml."),
    out: Path = typer.Option(..., "--out", help="Folder to write into; a re-run into it resumes."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List who would receive what; write nothing."),
    workers: int = typer.Option(1, "--workers", min=1, help="Render in this many processes."),
    docx: bool = typer.Option(False, "--docx", help="Also write each letter as DOCX."),
) -> None:
    """Write one invitation per young person turning 16 in the meeting's quarter and per custody holder."""
    from .batch import dry_run_lines, plan_run, run_invite
    from .parallel import RenderPool

    with RenderPool(1 if dry_run else workers) as pool:  # the workers start while the run is planned
        plan = plan_run(register, parse_date(meeting, "--meeting"), schedule, docx)
        lines = dry_run_lines(plan) if dry_run else run_invite(plan, out, pool, typer.echo)
        for line in lines:
            typer.echo(line)


@transition_app.command()
@user_errors
def overview(
    register: Path = typer.Option(..., "--register", help="The register extract (CSV, UTF-8)."),
    as_of: str = typer.Option(..., "--as-of", help="The day the overview is made for, YYYY-MM-DD."),
    out: Path = typer.Option(..., "--out", help="Folder to write the CSV and HTML into."),
) -> None:
    """List the young people who reach 15½ or 16½ within three months, as CSV and HTML."""
    from .overview import overview_job

    for line in overview_job(register, parse_date(as_of, "--as-of"), out):
        typer.echo(line)
