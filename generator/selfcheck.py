"""`brevgen check`: load and cross-check everything a municipality maintains.

Returns problems instead of raising on the first, so the lawyer sees the whole list.
"""

from __future__ import annotations

import datetime as dt

from . import loading, paths
from .errors import BrevgenError
from .models import Channel, GuidanceRequest


def run_checks(as_of: dt.date | None = None) -> tuple[list[str], list[str]]:
    """`as_of`: the day phrases and references must be in force (default: today)."""
    as_of = as_of or dt.date.today()
    problems: list[str] = []
    summary: list[str] = []

    def attempt(label: str, action):
        try:
            result = action()
            return result
        except BrevgenError as exc:
            problems.append(f"{label}: {exc}")
            return None

    profile = attempt("profile", loading.profile)
    if profile and not (paths.CONTENT / profile.logo).exists():
        problems.append(f"content/profile.yaml: logo {profile.logo!r} not found in content/")
    calendar = attempt("calendar", loading.calendar_config)
    if calendar:
        from .calendar import table_differences

        differences = attempt("calendar", lambda: table_differences(calendar)) or []
        problems.extend(
            f"content/{calendar.public_holidays.file} differs from the holidays package "
            f"(run scripts/make_holiday_table.py): {difference}"
            for difference in differences[:10]
        )
    rules = attempt("deadline rules", loading.deadline_rules)
    if rules:
        problems.extend(_rule_set_gaps(rules))
        summary.append(f"deadline rule sets: {len(rules.rule_sets)}")
    routes = attempt("complaint routes", loading.complaint_routes)
    if routes:
        summary.append(f"complaint routes: {len(routes.routes)}")

    from .phrases import default_library

    library = attempt("phrases", default_library)
    if library:
        attempt("phrases", library.compile_all)  # phrases compile on first use; check them all now
        summary.append(f"phrases: {len(library.phrases)}")

    from .render.environment import environment

    for template in sorted(p.name for p in paths.TEMPLATES.glob("*.j2")):
        attempt(f"templates/{template}", lambda t=template: _compile_template(environment(), t))

    examples = sorted((paths.CONTENT / "examples" / "guidance").glob("*.yaml"))
    from .documents.complaint_guidance import guidance_letters

    for path in examples:
        request = attempt(str(path), lambda p=path: loading.load_model(GuidanceRequest, p))
        if request:
            attempt(str(path), lambda r=request: guidance_letters(r, input_sha256=""))
    summary.append(f"example guidance requests: {len(examples)}")
    _check_decision_letters(problems, summary, attempt, library, as_of)
    _check_leaflets(attempt, problems, summary)
    transition = attempt("transition", _check_transition)
    if transition:
        summary.append(transition)
    attempt("delivery", lambda: _delivery(summary))
    return problems, summary


def _check_decision_letters(problems, summary, attempt, library, as_of: dt.date) -> None:
    """The reference registry, the phrase library's citations, the Word template and the example cases."""
    from .checks import (development_plan_problems, example_case_problems, library_problems, phrase_parameter_problems,
                         provisions_without_rule)
    from .references import default_registry

    registry = attempt("references", default_registry)
    if registry:
        summary.append(f"references: {len(registry.ids)} (rates: {len(registry.rates)})")
        # Not errors: the lawyer's to-do list. `brevgen letter --strict` refuses letters citing them.
        unconfirmed = registry.unconfirmed_entries()
        summary.append(f"unconfirmed legal facts (confirmed: false): {len(unconfirmed)}")
        summary.extend(f"  unconfirmed: {row}" for row in unconfirmed)
    if registry and library:
        problems.extend(library_problems(library, registry, as_of))
        routes = attempt("complaint routes", loading.complaint_routes)
        if routes:
            missing = provisions_without_rule(library, routes, registry)
            summary.append(f"provisions without a rule phrase (no decision letter possible yet): {', '.join(missing) or 'none'}")
            plan = attempt("development plan", loading.development_plan)
            if plan is not None:
                problems.extend(development_plan_problems(plan, library, routes, registry, _case_provisions()))
                summary.append(f"development plan provisions: {len(plan)}")
        param_problems, untyped = phrase_parameter_problems(library)
        problems.extend(param_problems)
        if untyped:
            summary.append(f"chosen phrases without typed parameters: {', '.join(untyped)}")
    cases = sorted((paths.CONTENT / "examples" / "cases").glob("*.yaml"))
    if library and registry:
        case_problems, letters = example_case_problems(cases, as_of)
        problems.extend(case_problems)
        summary.append(f"example cases: {len(cases)} ({letters} letters)")
        if cases and not case_problems:
            attempt("templates/letter.docx", lambda: _render_example(cases[0]))


def _case_provisions() -> set[str]:
    """The provisions the example decision letters are decided under (read as plain YAML: a broken
    case is reported by the example check itself)."""
    from .loading import read_yaml

    found = set()
    for path in (paths.CONTENT / "examples" / "cases").glob("*.yaml"):
        try:
            data, _ = read_yaml(path)
        except BrevgenError:
            continue
        if isinstance(data, dict) and isinstance(data.get("provision"), str) and data.get("kind", "decision") == "decision":
            found.add(data["provision"])
    return found


def _render_example(path) -> None:
    """Render one example letter to DOCX and HTML, and read the DOCX back: the templates work."""
    import io

    from docx import Document

    from .case import CaseFile
    from .documents.decision_letter import build_decision
    from .render import render_docx, render_html

    letter = build_decision(loading.load_model(CaseFile, path), source=str(path), input_sha256="").letters[0].letter
    render_html(letter)
    text = "\n".join(p.text for p in Document(io.BytesIO(render_docx(letter))).paragraphs)
    # compared with whitespace collapsed: the template keeps "§ 85" together with a no-break space
    if " ".join(letter.heading.split()) not in " ".join(text.split()) or "{{" in text or "{%" in text:
        raise BrevgenError("the rendered example letter does not read back (a tag split across runs?)")


def _check_leaflets(attempt, problems: list[str], summary: list[str]) -> None:
    """Processes, the processing-times table, and the bundled leaflets (built, not rendered)."""
    from .leaflets.build import build_leaflet
    from .leaflets.source import read_leaflet
    from .processes import load_process, process_files, processing_times

    if attempt("processing times", processing_times) is None:
        return
    processes = [attempt(str(path), lambda p=path: load_process(p)) for path in process_files().values()]
    summary.append(f"processes: {sum(1 for p in processes if p)}")
    leaflets = sorted((paths.CONTENT / "leaflets").glob("*.md"))
    for path in leaflets:
        built = attempt(str(path), lambda p=path: build_leaflet(read_leaflet(p), dt.date.today()))
        if built:
            problems.extend(str(error) for error in built[1])
    summary.append(f"leaflets: {len(leaflets)}")


def _check_transition() -> str:
    """The meeting schedule loads, and both letter texts render for the example register."""
    from .documents.transition import information_attachment, invitation_letter
    from .register import read_register
    from .transition import Addressee, letter_date, load_schedule

    schedule = load_schedule()
    register = read_register(paths.CONTENT / "examples" / "transition" / "register.csv")
    meeting = schedule.meetings[0]
    dated = letter_date(meeting.date)
    from .readability import lix

    information = lix(information_attachment(schedule, dated).citizen_text)
    scores = []
    for youth in register.youths.values():
        for person in (youth, *register.custody.get(youth.person_id, [])):
            scores.append(invitation_letter(Addressee(youth, person), meeting, schedule, dated).record["lix"]["score"])
    return (f"transition meetings: {len(schedule.meetings)}; example register rows: {register.rows} "
            f"({len({e.row for e in register.errors})} deliberately bad); LIX invitations up to {max(scores)}, "
            f"information letter {information.score} ({information.band})")


def _compile_template(env, name: str) -> None:
    import jinja2

    try:
        env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise BrevgenError(f"line {exc.lineno}: {exc.message}") from None


def _rule_set_gaps(rules) -> list[str]:
    """Rule sets must not overlap, and must leave no gap from the first one to today."""
    problems = []
    ordered = sorted(rules.rule_sets, key=lambda rs: rs.valid_from)
    for before, after in zip(ordered, ordered[1:]):
        if before.valid_to is None or before.valid_to >= after.valid_from:
            problems.append(f"deadline rule sets {before.id} and {after.id} overlap")
        elif before.valid_to + dt.timedelta(days=1) != after.valid_from:
            problems.append(f"deadline rule sets leave a gap between {before.id} and {after.id}")
    for rule_set in ordered:
        missing = [c.value for c in Channel if c not in rule_set.channels]
        if missing:
            problems.append(f"deadline rule set {rule_set.id} has no rule for {', '.join(missing)}")
    return problems


def _delivery(summary: list[str]) -> None:
    """The delivery settings' files load (identities, exempt recipients), and the remote-print figures."""
    from .delivery.channels import default_lookup
    from .delivery.identity import identities
    from .delivery.remote_print import requirements
    from .delivery.settings import delivery_settings

    settings = delivery_settings()
    identities(settings)
    if settings.channel_lookup != "platform":  # the platform look-up is not called from a check
        default_lookup()
    requirements()
    summary.append(f"delivery: transport {settings.transport}, channel look-up {settings.channel_lookup}")
