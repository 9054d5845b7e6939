"""The phrase library: approved Danish texts in phrases/*.yaml, chosen by safe conditions.

A phrase's `text` is a Jinja template rendered in a sandbox with StrictUndefined: a missing
parameter is an error, never a blank, and staff-edited text cannot run code. A phrase's `when`
is a sandboxed Jinja expression over the case context (e.g. `channel == 'post'`); it is the
rule engine that chooses phrases automatically. Phrases that fill the same `slot` are
alternatives: exactly one may apply to a case. A composition lists slots in reading order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from pydantic import Field

from . import paths, sandbox
from .documents.model import Block, Section
from .errors import BrevgenError
from .formatting import FILTERS
from .loading import parse_model, read_yaml
from .models import Model
from .params import ParamSpec, typed
from .sandbox import BoundedEnvironment


class Phrase(Model):
    id: str = Field(pattern=r"^[a-z0-9_.\-]+$")
    version: int = Field(ge=1)
    title: str
    slot: str | None = None
    when: str | None = None
    text: str | None = None
    parts: tuple[str, ...] = ()  # a composite phrase: the ids of the phrases it bundles
    provisions: tuple[str, ...] = ()  # empty: fits every provision
    decision_types: tuple[str, ...] = ()  # empty: fits every decision type
    cites: tuple[str, ...] = ()  # reference ids in the registry (rates too: their amounts are `satser.<id>`)
    params: dict[str, ParamSpec] = {}  # typed parameters the caseworker fills (generator/params.py)
    valid_from: dt.date
    valid_to: dt.date | None = None
    owner: str
    reviewed: dt.date

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class SlotRef(Model):
    slot: str
    required: bool = True
    chosen: bool = False  # filled by the caseworker's chosen phrases (any number), not by conditions


class Composition(Model):
    id: str
    heading: str  # a template like a phrase text: it may depend on the case
    slots: tuple[SlotRef, ...]


class PhraseFile(Model):
    compositions: tuple[Composition, ...] = ()
    phrases: tuple[Phrase, ...] = ()


@dataclass(frozen=True)
class RenderedPhrase:
    id: str
    version: int
    blocks: tuple[Block, ...]
    cites: tuple[str, ...]


def text_environment() -> BoundedEnvironment:
    """The sandbox for staff-edited citizen text: no autoescape (plain text), StrictUndefined."""
    env = BoundedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters.update(FILTERS)
    return env


def text_to_blocks(text: str) -> tuple[Block, ...]:
    """Blank lines separate blocks; a block whose lines all start with '- ' is a list;
    a paragraph wrapped in ** ** is a key sentence (set in bold)."""
    blocks = []
    for chunk in text.strip().split("\n\n"):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            blocks.append(Block("list", items=tuple(line[2:].strip() for line in lines)))
        else:
            text = " ".join(lines)
            strong = len(text) > 4 and text.startswith("**") and text.endswith("**")
            blocks.append(Block("paragraph", text=text[2:-2].strip() if strong else text, strong=strong))
    return tuple(blocks)


class PhraseLibrary:
    def __init__(self, phrases: dict[str, Phrase], compositions: dict[str, Composition], origins: dict[str, str]):
        self.phrases = phrases
        self.compositions = compositions
        self.origins = origins  # phrase id -> "file:line", for messages
        self._env = text_environment()
        # Compiled on first use, not at load: a letter needs a few of the phrases, and compiling
        # all of them was 0.05-0.1 s of each cold start. `compile_all` (run by `brevgen check`)
        # finds a syntax error anywhere in the library.
        self._templates: dict[str, jinja2.Template] = {}
        self._conditions: dict[str, Any] = {}
        self._headings: dict[str, jinja2.Template] = {}  # composition id -> compiled heading
        # Slot -> its phrases in library order: `select` runs about 20 times per letter and
        # should not walk the whole library each time. The library is not changed after loading.
        self._by_slot: dict[str | None, list[Phrase]] = {}
        for phrase in phrases.values():
            self._by_slot.setdefault(phrase.slot, []).append(phrase)
        # Phrases whose text is the same for every case (no template syntax, no parameters),
        # rendered once per process: most standard texts are such, and a render in the sandbox
        # costs about 0.1 ms (a letter uses some 30 phrases).
        self._static: dict[str, RenderedPhrase] = {}

    # --- loading -------------------------------------------------------------------------------

    @classmethod
    def load(cls, directory: Path) -> PhraseLibrary:
        phrases: dict[str, Phrase] = {}
        compositions: dict[str, Composition] = {}
        origins: dict[str, str] = {}
        files = sorted(directory.glob("*.yaml"))
        if not files:
            raise BrevgenError(f"{directory}: no phrase files (*.yaml)")
        for path in files:
            data, lines = read_yaml(path)
            parsed = parse_model(PhraseFile, data or {}, str(path), lines)
            for index, phrase in enumerate(parsed.phrases):
                where = f"{path}:{lines.get(('phrases', index), '?')}"
                if phrase.id in phrases:
                    raise BrevgenError(f"{where}: phrase id {phrase.id!r} is also defined at {origins[phrase.id]}")
                if (phrase.text is None) == (not phrase.parts):
                    raise BrevgenError(f"{where}: phrase {phrase.id!r} needs either `text` or `parts`, not both")
                phrases[phrase.id] = phrase
                origins[phrase.id] = where
            for composition in parsed.compositions:
                compositions[composition.id] = composition
        library = cls(phrases, compositions, origins)
        library._check_parts()
        return library

    def _compiled(self, phrase: Phrase, cache: dict[str, Any], source: str | None, compile_source):
        if phrase.id not in cache:
            try:
                cache[phrase.id] = compile_source(source) if source else None
            except jinja2.TemplateSyntaxError as exc:
                where = self.origins.get(phrase.id, phrase.id)
                raise BrevgenError(f"{where}: phrase {phrase.id!r}: {exc.message}") from None
        return cache[phrase.id]

    def _template(self, phrase: Phrase) -> jinja2.Template:
        return self._compiled(phrase, self._templates, phrase.text, self._env.from_string)

    def _condition(self, phrase: Phrase):
        """The compiled `when` expression, or None for a phrase without one."""
        return self._compiled(
            phrase, self._conditions, phrase.when,
            lambda when: self._env.compile_expression(when, undefined_to_none=False),
        )

    def compile_all(self) -> None:
        """Compile every text and condition now: raises on the first syntax error."""
        for phrase in self.phrases.values():
            if phrase.text is not None:
                self._template(phrase)
            self._condition(phrase)

    def _check_parts(self) -> None:
        for phrase in self.phrases.values():
            for part in phrase.parts:
                if part not in self.phrases:
                    raise BrevgenError(f"{self.origins[phrase.id]}: phrase {phrase.id!r} bundles unknown phrase {part!r}")
        for phrase in self.phrases.values():  # a bundle that contains itself would render forever
            stack, seen = list(phrase.parts), set()
            while stack:
                part = stack.pop()
                if part == phrase.id:
                    raise BrevgenError(f"{self.origins[phrase.id]}: phrase {phrase.id!r} bundles itself (through its parts)")
                if part not in seen:
                    seen.add(part)
                    stack.extend(self.phrases[part].parts)

    # --- use -----------------------------------------------------------------------------------

    def get(self, phrase_id: str) -> Phrase:
        try:
            return self.phrases[phrase_id]
        except KeyError:
            raise BrevgenError(f"unknown phrase id {phrase_id!r}") from None

    def fits(self, phrase: Phrase, context: dict[str, Any]) -> bool:
        """A phrase limited to some provisions or decision types fits only those cases."""
        if phrase.provisions and "provision" in context and context["provision"] not in phrase.provisions:
            return False
        if phrase.decision_types and "decision" in context and context["decision"] not in phrase.decision_types:
            return False
        return True

    def applies(self, phrase: Phrase, context: dict[str, Any], on: dt.date) -> bool:
        if not phrase.valid_on(on) or not self.fits(phrase, context):
            return False
        condition = self._condition(phrase)
        if condition is None:
            return True
        try:
            return bool(condition(**context))
        except jinja2.UndefinedError as exc:
            raise BrevgenError(f"{self.origins[phrase.id]}: condition of phrase {phrase.id!r}: {exc.message}") from None
        except jinja2.exceptions.SecurityError as exc:
            raise BrevgenError(f"{self.origins[phrase.id]}: condition of phrase {phrase.id!r} is not allowed: {exc}") from None
        except sandbox.TextError as exc:
            raise BrevgenError(f"{self.origins[phrase.id]}: condition of phrase {phrase.id!r}: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - the condition's fault, reported as the phrase's
            raise BrevgenError(f"{self.origins[phrase.id]}: condition of phrase {phrase.id!r} failed "
                               f"({type(exc).__name__}); check the expression") from None

    def select(self, slot: str, context: dict[str, Any], on: dt.date, required: bool = True) -> Phrase | None:
        candidates = [p for p in self._by_slot.get(slot, ()) if self.applies(p, context, on)]
        if len(candidates) > 1:
            ids = ", ".join(p.id for p in candidates)
            raise BrevgenError(f"phrase slot {slot!r}: more than one phrase applies ({ids}); make their conditions exclusive")
        if not candidates:
            if required:
                raise BrevgenError(f"phrase slot {slot!r}: no phrase applies to this case on {on}")
            return None
        return candidates[0]

    def render(self, phrase_id: str, params: dict[str, Any]) -> RenderedPhrase:
        phrase = self.get(phrase_id)
        if phrase.parts:
            rendered = [self.render(part, params) for part in phrase.parts]
            return RenderedPhrase(
                phrase.id,
                phrase.version,
                tuple(block for part in rendered for block in part.blocks),
                tuple(dict.fromkeys((*phrase.cites, *(c for part in rendered for c in part.cites)))),
            )
        if phrase.id in self._static:
            return self._static[phrase.id]
        params = self.typed_params(phrase_id, params)
        where = self.origins.get(phrase.id, "phrases")
        try:
            text = sandbox.render(self._template(phrase), params)
        except jinja2.UndefinedError as exc:
            raise BrevgenError(f"phrase {phrase.id!r}: parameter missing: {exc.message}") from None
        except jinja2.exceptions.SecurityError as exc:
            raise BrevgenError(f"{where}: phrase {phrase.id!r}: not allowed: {exc}") from None
        except sandbox.TextError as exc:  # the phrase's own fault, not the case file's
            raise BrevgenError(f"{where}: phrase {phrase.id!r} (in the phrase library, not the case file): {exc}") from None
        rendered = RenderedPhrase(phrase.id, phrase.version, text_to_blocks(text), phrase.cites)
        if _is_static(phrase):
            self._static[phrase.id] = rendered
        return rendered

    def typed_params(self, phrase_id: str, params: dict[str, Any], given: dict[str, Any] | None = None) -> dict[str, Any]:
        """`params` with the phrase's declared parameters parsed, and rate-tied amounts taken from
        `params["satser"]` (the rate table on the letter's date). `given`: the caseworker's own
        parameters, checked by name too (a misspelt parameter is an error, not ignored)."""
        phrase = self.get(phrase_id)
        if not phrase.params:
            return params
        if given is not None:
            typed(phrase.id, phrase.params, given, params.get("satser"), params.get("dated"), strict_names=True)
        return typed(phrase.id, phrase.params, params, params.get("satser"), params.get("dated"))

    def compose(
        self,
        composition_id: str,
        context: dict[str, Any],
        on: dt.date,
        chosen: dict[str, list[tuple[str, dict[str, Any]]]] | None = None,
    ) -> tuple[Section, list[RenderedPhrase]]:
        """Fill a composition's slots for this case: one section, and the phrases used.

        `chosen` maps a chosen slot to the caseworker's (phrase id, parameters), in their order;
        each is rendered with the case context plus its own parameters.
        """
        try:
            composition = self.compositions[composition_id]
        except KeyError:
            raise BrevgenError(f"unknown phrase composition {composition_id!r}") from None
        used = []
        for ref in composition.slots:
            if ref.chosen:
                used.extend(self.render(pid, {**context, **params}) for pid, params in (chosen or {}).get(ref.slot, []))
                continue
            phrase = self.select(ref.slot, context, on, ref.required)
            if phrase is not None:
                used.append(self.render(phrase.id, context))
        blocks = tuple(block for phrase in used for block in phrase.blocks)
        try:
            if composition_id not in self._headings:  # compiled once per process, not per letter
                self._headings[composition_id] = self._env.from_string(composition.heading)
            heading = sandbox.render(self._headings[composition_id], context).strip()
        except (jinja2.TemplateError, jinja2.exceptions.SecurityError, sandbox.TextError) as exc:
            raise BrevgenError(f"heading of composition {composition_id!r}: {exc}") from None
        return Section(heading, blocks, tuple(p.id for p in used)), used


def _is_static(phrase: Phrase) -> bool:
    """The text renders the same whatever the context: no Jinja syntax at all (every tag, variable
    and comment starts with "{"), and no declared parameters whose values would be checked."""
    return phrase.text is not None and "{" not in phrase.text and not phrase.params


@lru_cache(maxsize=None)
def default_library() -> PhraseLibrary:
    return PhraseLibrary.load(paths.PHRASES)
