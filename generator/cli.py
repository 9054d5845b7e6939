"""The `brevgen` command. Each subcommand parses arguments, calls one function, prints, exits.

Errors the user can fix (BrevgenError) print one clear message and exit with status 2;
nothing has been written by then.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from pathlib import Path
from typing import Callable, Optional

import typer

from .errors import BrevgenError

app = typer.Typer(
    name="brevgen",
    help="Letters and leaflets for Danish municipal social services.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str) -> None:
    typer.echo(f"brevgen: error: {message}", err=True)
    raise typer.Exit(2)


def user_errors(command: Callable) -> Callable:
    """Turn a BrevgenError into a message and exit status 2, without a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except BrevgenError as exc:
            fail(str(exc))

    return wrapper


def parse_date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r} is not a date that exists; expected YYYY-MM-DD, e.g. 2026-06-08")


def parse_formats(value: str) -> tuple[str, ...]:
    from .render import FORMATS

    formats = tuple(f.strip() for f in value.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        fail(f"--format {value!r}: allowed formats are {', '.join(FORMATS)} (comma-separated)")
    return formats


@app.command()
@user_errors
def deadline(
    dated: str = typer.Option(..., "--dated", help="The letter's date, YYYY-MM-DD."),
    channel: str = typer.Option(..., "--channel", help="digital, post or quickpost."),
    weeks: int = typer.Option(4, "--weeks", min=1, help="The complaint deadline in weeks."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Print the date of receipt and the complaint deadline for a letter, and the rule used."""
    from .deadlines import compute_deadline
    from .models import Channel

    day = parse_date(dated, "--dated")
    allowed = [c.value for c in Channel]
    if channel not in allowed:
        fail(f"--channel {channel!r} is not a delivery channel; allowed: {', '.join(allowed)}")
    result = compute_deadline(day, Channel(channel), weeks)
    if as_json:
        typer.echo(json.dumps(result.as_record(), ensure_ascii=False, sort_keys=True))
        return
    typer.echo(f"letter dated  {result.dated} ({result.channel.value})")
    typer.echo(f"received      {result.received} ({result.method})")
    moved = f" (moved from {result.unmoved}: {result.moved_because})" if result.moved else ""
    typer.echo(f"deadline      {result.deadline}{moved}")
    typer.echo(f"rule          {result.rule_set}: {result.source}")


@app.command()
@user_errors
def guidance(
    sources: list[Path] = typer.Argument(..., help="Guidance request files (YAML/JSON), or folders of them."),
    out: Path = typer.Option(..., "--out", help="Folder to write into."),
    format: str = typer.Option("pdf,docx,html", "--format", help="Comma-separated: pdf, docx, html."),
    workers: int = typer.Option(1, "--workers", min=1, help="Render in this many processes (for many letters; 2 on a two-core machine)."),
) -> None:
    """Write standalone complaint guidance, one per recipient, with its JSON record."""
    from .jobs import guidance_job

    for line in guidance_job(sources, out, parse_formats(format), workers):
        typer.echo(line)


@app.command()
@user_errors
def letter(
    sources: list[Path] = typer.Argument(..., help="Case files (YAML/JSON), or folders of them."),
    out: Path = typer.Option(..., "--out", help="Folder to write into."),
    format: str = typer.Option("pdf,docx,html", "--format", help="Comma-separated: pdf, docx, html."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
    workers: int = typer.Option(1, "--workers", min=1, help="Render in this many processes (for many letters; 2 on a two-core machine)."),
) -> None:
    """Write decision letters, one per recipient, each with its JSON record. Checks run first."""
    from .jobs import letter_job

    for line in letter_job(sources, out, parse_formats(format), strict, workers):
        typer.echo(line)


@app.command()
@user_errors
def refs(
    outdated: bool = typer.Option(False, "--outdated", help="List phrases citing references expired or historic by --as-of."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="The date to check, YYYY-MM-DD (default: today)."),
) -> None:
    """The reference registry: which phrases cite what (the lawyer's view)."""
    from .phrases import default_library
    from .references import default_registry, outdated as outdated_rows

    day = parse_date(as_of, "--as-of") if as_of else dt.date.today()
    library, registry = default_library(), default_registry()
    if outdated:
        rows = outdated_rows(library, registry, day)
        for phrase_id, ref, why in rows:
            typer.echo(f"{phrase_id}\t{ref}\t{why}")
        typer.echo(f"{len(rows)} citation(s) outdated on {day}")
        return
    for phrase in sorted(library.phrases.values(), key=lambda p: p.id):
        for ref in phrase.cites:
            citation = registry.cite(ref, day)
            typer.echo(f"{phrase.id}\t{ref}\t{citation.problem or 'in force'}")


@app.command()
@user_errors
def leaflet(
    sources: list[Path] = typer.Argument(..., help="Leaflet Markdown files, or folders of them (*.md)."),
    out: Path = typer.Option(..., "--out", help="Folder to write into."),
    watch: bool = typer.Option(False, "--watch", help="After building, rebuild the web pages on every save (Ctrl-C stops)."),
) -> None:
    """Build process leaflets: print PDF, accessible web page and a report (LIX, links, images)."""
    from .leaflets.job import leaflet_job

    if not watch:
        for line in leaflet_job(sources, out):
            typer.echo(line)
        return
    from .leaflets.watch import watch as watch_loop

    try:
        for line in leaflet_job(sources, out):
            typer.echo(line)
    except BrevgenError as exc:  # keep watching: the writer is about to fix it
        typer.echo(f"brevgen: error: {exc}", err=True)
    try:
        watch_loop(sources, out, typer.echo)
    except KeyboardInterrupt:
        typer.echo("stopped watching")


@app.command()
@user_errors
def check(
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Check references in force on this date (default: today)."),
) -> None:
    """Check the content, phrases, references, templates, leaflets and example data; non-zero on any error."""
    from .selfcheck import run_checks

    problems, summary = run_checks(parse_date(as_of, "--as-of") if as_of else None)
    for line in summary:
        typer.echo(line)
    if problems:
        for problem in problems:
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1)
    typer.echo("ok")


def main() -> None:  # pragma: no cover - entry point
    sys.exit(app())


# Sub-apps live in their own modules; imported last because they use the helpers above.
from .transition_cli import transition_app  # noqa: E402

app.add_typer(transition_app, name="transition")
