"""The `brevgen` command. Each subcommand parses arguments, calls one function, prints, exits.

Conventions, the same for every command (docs/operator.md):

- exit status 0: done; 1: findings (problems found by `check`, outdated references, register rows
  that could not be used); 2: bad input (a file, field or option that is wrong; nothing written).
- results on stdout (the checks' warnings are part of them), progress, errors and logs on stderr;
  `--json` makes the result one JSON object.
- global options, accepted anywhere on the line: `--root DIR` (the content root, else
  BREVGEN_ROOT), `--json`, `--log-format text|json`, `--log-level LEVEL`, `--operator NAME`
  (recorded in each letter's JSON record, else BREVGEN_OPERATOR or the login name).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Callable, Iterable

# click, not typer: typer builds a pydantic validator for every parameter on each run, which was
# about 0.2 s of every cold `brevgen letter` (bench/RESULTS.md, benchmark 5).
import click

from .errors import BrevgenError

PATHS = click.Path(path_type=Path)

EXIT_DONE, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2
# Options that belong to the whole run rather than to one command; they may stand before or after
# the command's name (`brevgen check --root DIR` and `brevgen --root DIR check` are the same).
GLOBAL_VALUE_OPTIONS = ("--root", "--log-format", "--log-level", "--operator")
GLOBAL_FLAGS = ("--json",)


class Settings:
    """The global options of this run."""

    json = False


settings = Settings()


def split_global_options(args: list[str]) -> tuple[list[str], dict[str, str | bool]]:
    """Take the global options out of `args` wherever they stand (not after a bare `--`)."""
    rest: list[str] = []
    found: dict[str, str | bool] = {}
    items = iter(range(len(args)))
    for i in items:
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name, eq, value = arg.partition("=")
        if name in GLOBAL_VALUE_OPTIONS:
            if not eq:
                if i + 1 >= len(args):
                    fail(f"{name} needs a value")
                value = args[i + 1]
                next(items, None)
            found[name] = value
        elif arg in GLOBAL_FLAGS:
            found[arg] = True
        else:
            rest.append(arg)
    return rest, found


def apply_global_options(found: dict[str, str | bool]) -> None:
    from . import logs, paths

    settings.json = bool(found.get("--json"))
    from .content_root import set_operator

    set_operator(str(found["--operator"]) if "--operator" in found else None)
    try:
        logs.configure(found.get("--log-format"), found.get("--log-level"))  # type: ignore[arg-type]
    except BrevgenError as exc:
        fail(str(exc))
    if "--root" in found:
        root = Path(str(found["--root"]))
        if not paths.is_root(root):
            fail(f"--root {root}: not a content root: expected the folders {', '.join(paths.FOLDERS)} "
                 "(`brevgen init DIR` writes one)")
        paths.use_root(root)
    elif paths.chosen() is not None:  # an earlier run in this process (tests) chose a root
        paths.use_root(None)


class BrevgenGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:  # the top-level group sees the whole command line
            args, found = split_global_options(list(args))
            apply_global_options(found)
        return super().parse_args(ctx, args)


def version_text() -> str:
    from . import paths
    from .content_root import brevgen_version, root_version

    root = paths.root()
    return (f"brevgen {brevgen_version()}\n"
            f"content root {root} ({paths.root_source()}): {root_version(root) if paths.is_root(root) else 'missing'}")


def print_version(ctx: click.Context, _param, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    if settings.json:
        from . import paths
        from .content_root import brevgen_version, root_version

        root = paths.root()
        click.echo(json.dumps({"brevgen_version": brevgen_version(), "content_root": str(root),
                               "content_root_source": paths.root_source(),
                               "content_root_version": root_version(root) if paths.is_root(root) else None}))
    else:
        click.echo(version_text())
    ctx.exit(EXIT_DONE)


@click.group(name="brevgen", cls=BrevgenGroup, no_args_is_help=True,
             epilog="Global options (anywhere on the line): --root DIR, --json, --log-format text|json, "
                    "--log-level LEVEL, --operator NAME. Exit status: 0 done, 1 findings, 2 bad input.")
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=print_version,
              help="Print brevgen's version and the content root's version, and exit.")
def app() -> None:
    """Letters and leaflets for Danish municipal social services."""


def fail(message: str) -> None:
    """Bad input: one message (JSON on stdout with --json), exit status 2."""
    if settings.json:
        click.echo(json.dumps({"ok": False, "exit_code": EXIT_BAD_INPUT, "error": message}, ensure_ascii=False))
    click.echo(f"brevgen: error: {message}", err=True)
    raise click.exceptions.Exit(EXIT_BAD_INPUT)


def emit(lines: Iterable[str], command: str, **data) -> None:
    """A command's result: its lines on stdout, or with --json one object holding them."""
    if settings.json:
        lines = list(lines)
        click.echo(json.dumps({"ok": True, "command": command, **data, "messages": lines},
                              ensure_ascii=False, sort_keys=True, default=str))
        return
    for line in lines:
        click.echo(line)


def _terminate(signum, frame) -> None:
    # SIGTERM unwinds like Ctrl-C: the output folder's staging is removed, its lock released,
    # and the worker processes are shut down (they also watch for their parent: parallel.py).
    raise SystemExit(128 + signum)


def user_errors(command: Callable) -> Callable:
    """Turn a BrevgenError into a message and exit status 2, without a traceback.

    An OSError or RecursionError/MemoryError that escaped the loaders and writers is still the
    user's input (a folder given as a file, a disk that filled up): one line, exit 2. Anything
    else is a bug: one line without the exception's text (it may quote input), exit 70, and the
    traceback only with BREVGEN_DEBUG=1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _terminate)
        try:
            return command(*args, **kwargs)
        except BrevgenError as exc:
            fail(str(exc))
        except BrokenPipeError:
            # The reader of our output stopped reading (`| head`): what was written is written.
            # Nothing more can be said on stdout; silence the flush at exit as well.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            click.echo("brevgen: standard output was closed before every line was printed", err=True)
            raise click.exceptions.Exit(EXIT_BAD_INPUT) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            fail(f"{where}{exc.strerror or type(exc).__name__}; nothing was written")
        except (RecursionError, MemoryError) as exc:
            fail(f"the input is too large or nested too deeply ({type(exc).__name__}); nothing was written")
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
            if os.environ.get("BREVGEN_DEBUG"):
                raise
            click.echo(f"brevgen: internal error ({type(exc).__name__}); please report it with the command used "
                       "(set BREVGEN_DEBUG=1 for details)", err=True)
            raise click.exceptions.Exit(70) from None

    return wrapper


def parse_date(value: str, option: str) -> dt.date:
    from .models import check_year

    try:
        day = dt.date.fromisoformat(value.strip())
        check_year(day, option)
        return day
    except ValueError:
        fail(f"{option} {value!r} is not a date that exists (years 1900-2199); expected YYYY-MM-DD, e.g. 2026-06-08")


def worker_count(requested: int, force: bool) -> int:
    from .parallel import capped_workers

    workers, note = capped_workers(requested, force)
    if note:
        click.echo(f"note: {note}", err=True)
    return workers


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
@click.option("--weeks", type=click.IntRange(min=1, max=104), default=4, show_default=True, help="The complaint deadline in weeks.")
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
    if as_json or settings.json:
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
@click.option("--force-workers", "force_workers", is_flag=True, help="Allow more workers than cores.")
@NEW_VERSION
@SEND
@user_errors
def guidance(sources: tuple[Path, ...], out: Path, format: str, workers: int, force_workers: bool, new_version: bool,
             send: bool) -> None:
    """Write standalone complaint guidance, one per recipient, with its JSON record.

    SOURCES: guidance request files (YAML/JSON), or folders of them."""
    from .jobs import guidance_job

    emit(guidance_job(list(sources), out, parse_formats(format), worker_count(workers, force_workers), new_version),
         "guidance", out=str(out))
    send_after(send, out)


@app.command()
@click.argument("sources", nargs=-1, required=True, type=PATHS)
@click.option("--out", required=True, type=PATHS, help="Folder to write into.")
@click.option("--format", "format", default="pdf,docx,html", show_default=True, help="Comma-separated: pdf, docx, html.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Render in this many processes (for many letters; 2 on a two-core machine).")
@click.option("--force-workers", "force_workers", is_flag=True, help="Allow more workers than cores.")
@NEW_VERSION
@SEND
@user_errors
def letter(sources: tuple[Path, ...], out: Path, format: str, strict: bool, workers: int, force_workers: bool,
           new_version: bool, send: bool) -> None:
    """Write decision letters, one per recipient, each with its JSON record. Checks run first.

    Letters already written are never overwritten: the same input again writes nothing; a
    changed case file for a case already written is refused unless --new-version.

    SOURCES: case files (YAML/JSON), or folders of them."""
    from .jobs import letter_job

    emit(letter_job(list(sources), out, parse_formats(format), strict, worker_count(workers, force_workers),
                    new_version), "letter", out=str(out))
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
        rows = [{"phrase": p, "reference": r, "problem": why} for p, r, why in outdated_rows(library, registry, day)]
        lines = [f"{r['phrase']}\t{r['reference']}\t{r['problem']}" for r in rows]
        emit([*lines, f"{len(rows)} citation(s) outdated on {day}"], "refs", as_of=day.isoformat(), outdated=rows)
        if rows:  # a finding: the lawyer has phrases to update
            raise click.exceptions.Exit(EXIT_FINDINGS)
        return
    rows = []
    for phrase in sorted(library.phrases.values(), key=lambda p: p.id):
        for ref in phrase.cites:
            citation = registry.cite(ref, day)
            rows.append({"phrase": phrase.id, "reference": ref, "problem": citation.problem})
    emit([f"{r['phrase']}\t{r['reference']}\t{r['problem'] or 'in force'}" for r in rows], "refs",
         as_of=day.isoformat(), citations=rows)


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
        emit(leaflet_job(list(sources), out), "leaflet", out=str(out))
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
    """Check a content root (profile, rules, phrases, references, templates, leaflets, examples); exit 1 on any problem.

    The root checked is --root DIR, else BREVGEN_ROOT, else the bundled one."""
    from . import paths
    from .content_root import root_version
    from .selfcheck import run_checks

    root = paths.root()
    problems, summary = run_checks(parse_date(as_of, "--as-of") if as_of else None)
    if settings.json:
        click.echo(json.dumps({"ok": not problems, "command": "check", "root": str(root),
                               "root_version": root_version(root), "problems": problems, "summary": summary},
                              ensure_ascii=False, sort_keys=True))
    else:
        for line in summary:
            click.echo(line)
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        if not problems:
            click.echo("ok")
    if problems:
        raise click.exceptions.Exit(EXIT_FINDINGS)


@app.command()
@click.argument("target", type=PATHS)
@user_errors
def init(target: Path) -> None:
    """Write a new content root to TARGET, from the bundled example, for a municipality to make its own.

    TARGET must not hold content/, phrases/ or templates/ yet."""
    from .content_root import init_root

    emit(init_root(target), "init", root=str(target.resolve()))


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
    if as_json or settings.json:
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


# --- API tokens (administrators) ------------------------------------------------------------


@app.group(no_args_is_help=True)
def token() -> None:
    """API tokens for case systems calling the HTTP API (/api/v1): create, list, revoke."""


def _token_db():
    from sqlalchemy.orm import Session

    from .store import make_engine, upgrade

    upgrade()
    return Session(make_engine())


@token.command("create")
@click.option("--name", required=True, help="The system the token is for, e.g. nexus-prod (unique).")
@click.option("--scope", "scopes", multiple=True, required=True,
              help="What the token may do (repeat, or comma-separated): check, render, phrases, deadlines, batch.")
@user_errors
def token_create(name: str, scopes: tuple[str, ...]) -> None:
    """Create a token and print it once; the database keeps only its hash."""
    from .content_root import operator
    from .store.tokens import create_token

    wanted = [s.strip() for value in scopes for s in value.split(",") if s.strip()]
    with _token_db() as db:
        try:
            row, secret = create_token(db, name, wanted, operator())
        except ValueError as exc:
            fail(str(exc))
        db.commit()
        scopes_text = row.scopes
    emit([secret, f"token {name!r} created with scopes: {scopes_text}; it is shown only now"], "token create",
         name=name, scopes=scopes_text.split(), token=secret)


@token.command("list")
@user_errors
def token_list() -> None:
    """List tokens: name, scopes, created, last used, revoked (never the secrets)."""
    from sqlalchemy import select

    from .store.tokens import ApiToken

    with _token_db() as db:
        rows = db.scalars(select(ApiToken).order_by(ApiToken.name)).all()
        data = [{"name": r.name, "scopes": r.scopes.split(), "created_by": r.created_by, "created_at": r.created_at,
                 "last_used_at": r.last_used_at, "revoked_at": r.revoked_at} for r in rows]
    emit([f"{d['name']}\t{' '.join(d['scopes'])}\t{'revoked ' + str(d['revoked_at']) if d['revoked_at'] else 'active'}"
          for d in data], "token list", tokens=data)


@token.command("revoke")
@click.argument("name")
@user_errors
def token_revoke(name: str) -> None:
    """Revoke the token NAME: refused from its next call on every server."""
    from .store.tokens import revoke_token

    with _token_db() as db:
        row = revoke_token(db, name)
        if row is None:
            fail(f"no token named {name!r} (`brevgen token list` shows them)")
        db.commit()
    emit([f"token {name!r} revoked"], "token revoke", name=name)


# --- queue workers --------------------------------------------------------------------------


class _RecycleDefault(click.Option):
    """`--max-letters` defaults to the local pool's RenderPool.RECYCLE_AFTER, looked up only when
    `worker` runs or shows its help: generator.parallel loads the letter models (0.2 s), which no
    other command should pay at start-up."""

    def get_default(self, ctx: click.Context, call: bool = True):
        from .parallel import RenderPool

        return RenderPool.RECYCLE_AFTER


@app.command()
@click.option("--broker", help="Broker URL (default BREVGEN_BROKER_URL), e.g. redis://127.0.0.1:6379/0.")
@click.option("--name", "node", help="Worker name (default: brevgen@HOST-PID).")
@click.option("--max-letters", "max_letters", cls=_RecycleDefault, type=click.IntRange(min=1), show_default=True,
              help="Letters the rendering process renders before a fresh one replaces it, so its memory "
                   "(WeasyPrint's and fontconfig's caches) does not grow with the batches it renders.")
def worker(broker: str | None, node: str | None, max_letters: int) -> None:
    """Run one queue worker: renders letters of batches sent to the queue (one letter at a time).

    The letters are rendered by a child process that is replaced by a fresh one after
    --max-letters letters (as the local pool's workers are), so a worker's memory stays bounded."""
    import os
    import socket

    from .queue.tasks import make_app

    queue_app = make_app(broker)
    node = node or f"brevgen-{os.getpid()}@{socket.gethostname()}"
    # Celery's prefork pool with one child, replaced after --max-letters tasks (issue 17), rather
    # than a loop of our own around a solo-pool worker: Celery already does it right.
    # - No letter lost or doubled: in the prefork pool the parent holds the message and
    #   acknowledges it (acks_late) when the child has returned the letter; the child exits only
    #   between letters, and a child that dies mid-letter has its message requeued
    #   (task_reject_on_worker_lost), as a killed solo worker's message was.
    # - Fork safety: WeasyPrint (Pango, fontconfig) is not fork-safe, but the child is forked from
    #   a parent that never renders and never imports the renderers (tasks.py and parallel.py
    #   import them inside the render functions); the child loads them itself, fresh, at its first
    #   letter. tasks.py refuses to render in a child that inherited them (see `forked_clean`).
    # - No orphans: each child asks the kernel for SIGKILL when its parent dies
    #   (PR_SET_PDEATHSIG, celery.concurrency.prefork.process_initializer), so a SIGKILLed
    #   `brevgen worker` leaves no child rendering on; its letter goes back on the queue after
    #   BREVGEN_QUEUE_VISIBILITY seconds, as before.
    # Celery's pool is billiard's, not concurrent.futures': the hang that keeps the local pool from
    # ProcessPoolExecutor's max_tasks_per_child (CPython gh-115634, parallel.py) does not apply.
    # Not the 'spawn' start method: a spawned child would rebuild the app from a pickle, without
    # the task and the signed serializer that make_app registers.
    # brevgen's own log lines (`--log-format json`: one JSON object a line) go to stderr as they
    # are, not wrapped by Celery's redirect of stdout and stderr into its logger as warnings.
    queue_app.conf.worker_redirect_stdouts = False
    queue_app.worker_main(["worker", "--pool=prefork", "--concurrency=1", f"--max-tasks-per-child={max_letters}",
                           "-n", node, "--without-gossip", "--without-mingle", "--loglevel=WARNING", "-Q", "brevgen"])
