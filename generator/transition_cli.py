"""`brevgen transition ...`: the quarterly 16-year invitations and the caseworkers' overview."""

from __future__ import annotations

from pathlib import Path

import click

from .cli import PATHS, parse_date, user_errors


@click.group(no_args_is_help=True)
def transition_app() -> None:
    """Quarterly 16-year transition invitations and the 15½ / 16½ overview."""


@transition_app.command()
@click.option("--register", required=True, type=PATHS, help="The register extract (CSV, UTF-8; columns in README.md).")
@click.option("--meeting", required=True, help="The café meeting's date, YYYY-MM-DD (must be in the schedule).")
@click.option("--schedule", type=PATHS, help="Meeting schedule (YAML); default content/transition/meetings.yaml.")
@click.option("--out", required=True, type=PATHS, help="Folder to write into; a re-run into it resumes.")
@click.option("--dry-run", "dry_run", is_flag=True, help="List who would receive what; write nothing.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Render in this many processes.")
@click.option("--docx", is_flag=True, help="Also write each letter as DOCX.")
@click.option("--send", is_flag=True, help="Then send the digital invitations (as `brevgen send OUT`).")
@user_errors
def invite(register: Path, meeting: str, schedule: Path | None, out: Path, dry_run: bool, workers: int, docx: bool,
           send: bool) -> None:
    """Write one invitation per young person turning 16 in the meeting's quarter and per custody holder."""
    from .batch import dry_run_lines, plan_run, run_invite
    from .parallel import RenderPool

    with RenderPool(1 if dry_run else workers) as pool:  # the workers start while the run is planned
        plan = plan_run(register, parse_date(meeting, "--meeting"), schedule, docx)
        lines = dry_run_lines(plan) if dry_run else run_invite(plan, out, pool, click.echo)
        for line in lines:
            click.echo(line)
    if send and not dry_run:
        from .send_cli import send_folders

        send_folders([out])


@transition_app.command()
@click.option("--register", required=True, type=PATHS, help="The register extract (CSV, UTF-8).")
@click.option("--as-of", "as_of", required=True, help="The day the overview is made for, YYYY-MM-DD.")
@click.option("--out", required=True, type=PATHS, help="Folder to write the CSV and HTML into.")
@user_errors
def overview(register: Path, as_of: str, out: Path) -> None:
    """List the young people who reach 15½ or 16½ within three months, as CSV and HTML."""
    from .overview import overview_job

    for line in overview_job(register, parse_date(as_of, "--as-of"), out):
        click.echo(line)
