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
from typing import Callable

# click, not typer: typer builds a pydantic validator for every parameter on each run, which was
# about 0.2 s of every cold `brevgen letter` (bench/RESULTS.md, benchmark 5).
import click

from .errors import BrevgenError

PATHS = click.Path(path_type=Path)


@click.group(name="brevgen", no_args_is_help=True)
def app() -> None:
    """Letters and leaflets for Danish municipal social services."""


def fail(message: str) -> None:
    click.echo(f"brevgen: error: {message}", err=True)
    raise click.exceptions.Exit(2)


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


NEW_VERSION = click.option(
    "--new-version", "new_version", is_flag=True,
    help="A case already written from different input gets a new version beside the old one (both kept).")
SEND = click.option("--send", is_flag=True, help="Then send the letters of --out (as `brevgen send`).")


def send_after(send: bool, out: Path) -> None:
    if send:
        from .send_cli import send_folders

        send_folders([out])


@app.command()
@click.option("--dated", required=True, help="The letter's date, YYYY-MM-DD.")
@click.option("--channel", required=True, help="digital, post or quickpost.")
@click.option("--weeks", type=click.IntRange(min=1), default=4, show_default=True, help="The complaint deadline in weeks.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@user_errors
def deadline(dated: str, channel: str, weeks: int, as_json: bool) -> None:
    """Print the date of receipt and the complaint deadline for a letter, and the rule used."""
    from .deadlines import compute_deadline
    from .models import Channel

    day = parse_date(dated, "--dated")
    allowed = [c.value for c in Channel]
    if channel not in allowed:
        fail(f"--channel {channel!r} is not a delivery channel; allowed: {', '.join(allowed)}")
    result = compute_deadline(day, Channel(channel), weeks)
    if as_json:
        click.echo(json.dumps(result.as_record(), ensure_ascii=False, sort_keys=True))
        return
    click.echo(f"letter dated  {result.dated} ({result.channel.value})")
    click.echo(f"received      {result.received} ({result.method})")
    moved = f" (moved from {result.unmoved}: {result.moved_because})" if result.moved else ""
    click.echo(f"deadline      {result.deadline}{moved}")
    click.echo(f"rule          {result.rule_set}: {result.source}")


@app.command()
@click.argument("sources", nargs=-1, required=True, type=PATHS)
@click.option("--out", required=True, type=PATHS, help="Folder to write into.")
@click.option("--format", "format", default="pdf,docx,html", show_default=True, help="Comma-separated: pdf, docx, html.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Render in this many processes (for many letters; 2 on a two-core machine).")
@NEW_VERSION
@SEND
@user_errors
def guidance(sources: tuple[Path, ...], out: Path, format: str, workers: int, new_version: bool, send: bool) -> None:
    """Write standalone complaint guidance, one per recipient, with its JSON record.

    SOURCES: guidance request files (YAML/JSON), or folders of them."""
    from .jobs import guidance_job

    for line in guidance_job(list(sources), out, parse_formats(format), workers, new_version):
        click.echo(line)
    send_after(send, out)


@app.command()
@click.argument("sources", nargs=-1, required=True, type=PATHS)
@click.option("--out", required=True, type=PATHS, help="Folder to write into.")
@click.option("--format", "format", default="pdf,docx,html", show_default=True, help="Comma-separated: pdf, docx, html.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Render in this many processes (for many letters; 2 on a two-core machine).")
@NEW_VERSION
@SEND
@user_errors
def letter(sources: tuple[Path, ...], out: Path, format: str, strict: bool, workers: int, new_version: bool,
           send: bool) -> None:
    """Write decision letters, one per recipient, each with its JSON record. Checks run first.

    Letters already written are never overwritten: the same input again writes nothing; a
    changed case file for a case already written is refused unless --new-version.

    SOURCES: case files (YAML/JSON), or folders of them."""
    from .jobs import letter_job

    for line in letter_job(list(sources), out, parse_formats(format), strict, workers, new_version):
        click.echo(line)
    send_after(send, out)


@app.command()
@click.option("--outdated", is_flag=True,
              help="List what phrases in force on --as-of cite that is not in force that day; exit 1 if anything is listed.")
@click.option("--as-of", "as_of", help="The date to check, YYYY-MM-DD (default: today).")
@user_errors
def refs(outdated: bool, as_of: str | None) -> None:
    """The reference registry: which phrases cite what (the lawyer's view).

    With --outdated: every consolidation, provision period, document, rate, quality standard and
    ruling that a phrase in force cites but that is not in force on the date. Exits 1 when it
    lists anything, so a nightly job can alert the lawyer."""
    from .phrases import default_library
    from .references import default_registry, outdated as outdated_rows

    day = parse_date(as_of, "--as-of") if as_of else dt.date.today()
    library, registry = default_library(), default_registry()
    if outdated:
        rows = outdated_rows(library, registry, day)
        for phrase_id, ref, why in rows:
            click.echo(f"{phrase_id}\t{ref}\t{why}")
        click.echo(f"{len(rows)} citation(s) outdated on {day}")
        if rows:
            raise click.exceptions.Exit(1)
        return
    for phrase in sorted(library.phrases.values(), key=lambda p: p.id):
        for ref in phrase.cites:
            citation = registry.cite(ref, day)
            click.echo(f"{phrase.id}\t{ref}\t{citation.problem or 'in force'}")


@app.command()
@click.argument("sources", nargs=-1, required=True, type=PATHS)
@click.option("--out", required=True, type=PATHS, help="Folder to write into.")
@click.option("--watch", is_flag=True, help="After building, rebuild the web pages on every save (Ctrl-C stops).")
@user_errors
def leaflet(sources: tuple[Path, ...], out: Path, watch: bool) -> None:
    """Build process leaflets: print PDF, accessible web page and a report (LIX, links, images).

    SOURCES: leaflet Markdown files, or folders of them (*.md)."""
    from .leaflets.job import leaflet_job

    if not watch:
        for line in leaflet_job(list(sources), out):
            click.echo(line)
        return
    from .leaflets.watch import watch as watch_loop

    try:
        for line in leaflet_job(list(sources), out):
            click.echo(line)
    except BrevgenError as exc:  # keep watching: the writer is about to fix it
        click.echo(f"brevgen: error: {exc}", err=True)
    try:
        watch_loop(list(sources), out, click.echo)
    except KeyboardInterrupt:
        click.echo("stopped watching")


@app.command()
@click.option("--as-of", "as_of", help="Check references in force on this date (default: today).")
@user_errors
def check(as_of: str | None) -> None:
    """Check the content, phrases, references, templates, leaflets and example data; non-zero on any error."""
    from .selfcheck import run_checks

    problems, summary = run_checks(parse_date(as_of, "--as-of") if as_of else None)
    for line in summary:
        click.echo(line)
    if problems:
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        raise click.exceptions.Exit(1)
    click.echo("ok")


def main() -> None:  # pragma: no cover - entry point
    sys.exit(app())


# Sub-apps live in their own modules; imported last because they use the helpers above.
from .transition_cli import transition_app  # noqa: E402
from .send_cli import send_command  # noqa: E402

app.add_command(transition_app, name="transition")
app.add_command(send_command, name="send")


# --- the web app, its accounts, and what editors and integrators need -----------------------------


@app.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@user_errors
def serve(host: str, port: int) -> None:
    """Start the web app (and the database migrations) on BREVGEN_DATABASE_URL or SQLite in BREVGEN_DATA."""
    import uvicorn

    from .web.app import create_app

    click.echo(f"brevgen: web app on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    uvicorn.run(create_app(), host=host, port=port, log_level="warning", proxy_headers=False,
                timeout_graceful_shutdown=3)


@app.group()
def user() -> None:
    """Accounts for the web app."""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["caseworker", "lawyer", "admin"]), help="What the account may do.")
@click.option("--department", required=True, help="A department id in content/profile.yaml (a caseworker sees its cases).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@user_errors
def user_add(username: str, role: str, department: str, password_stdin: bool) -> None:
    """Create an account; the password is asked for (or read with --password-stdin), never an argument."""
    from sqlalchemy.orm import Session

    from .store import make_engine, upgrade
    from .web.auth import create_user

    if password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    upgrade()
    with Session(make_engine()) as db:
        create_user(db, username, password, role, department)
        db.commit()
    click.echo(f"user {username} added ({role}, department {department})")


@app.command()
@click.option("--provision", required=True, help="A provision id, e.g. sel-85.")
@click.option("--decision", required=True, help="granted, partly_granted, rejected, stopped or changed.")
@click.option("--dated", help="The letter's date, YYYY-MM-DD (default: today): phrases valid that day.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
@user_errors
def phrases(provision: str, decision: str, dated: str | None, as_json: bool) -> None:
    """The phrases a caseworker can choose for a provision and decision, with their parameters."""
    from . import api
    from .references import default_registry

    if decision not in api.decision_types():
        fail(f"--decision {decision!r}: allowed: {', '.join(api.decision_types())}")
    if provision not in default_registry().provisions:
        fail(f"--provision {provision!r} is not in content/references.yaml "
             f"(known: {', '.join(sorted(default_registry().provisions))})")
    day = parse_date(dated, "--dated") if dated else dt.date.today()
    choices = api.fitting_phrases(provision, decision, day)
    if as_json:
        click.echo(json.dumps([c.as_dict() for c in choices], ensure_ascii=False, indent=2))
        return
    for choice in choices:
        params = ", ".join(f"{p.name} ({p.type})" for p in choice.params) or "no parameters"
        click.echo(f"{choice.phrase.id}\t{choice.slot}\t{choice.phrase.title}\t{params}")
    click.echo(f"{len(choices)} phrase(s) fit {provision} / {decision} on {day}")


@app.command()
@click.argument("what", type=click.Choice(["case"]))
def schema(what: str) -> None:
    """Print a JSON Schema (of the case file) for editors' completion and validation."""
    from . import api

    click.echo(json.dumps(api.case_schema(), ensure_ascii=False, indent=2))
