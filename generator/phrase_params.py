"""Typed parameters of a phrase the caseworker chooses (`params:` in phrases/*.yaml).

A phrase that the caseworker picks in a case file (a `chosen` slot) fills its text with values
the caseworker types: a number of hours, an amount, a date, a short text. The phrase declares
each of them with a type, so a wrong value is refused with a message that names the phrase, the
parameter and what was expected, before any letter is built:

    params:
      timer: {type: integer, min: 1, max: 168, label: timer om ugen}
      beloeb: {type: money, min: 0}
      fra: {type: date}
      ydelse: {type: choice, choices: [rengøring, tøjvask, indkøb]}
      hvad: {type: text, max_length: 120}

Messages never repeat the value itself (it may be personal). `brevgen check` also makes sure a
phrase that declares `params` declares every free variable its text uses.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import Field

from .models import Model

ParamType = Literal["integer", "int", "number", "money", "date", "text", "choice"]

_EXPECTED = {
    "integer": "a whole number",
    "int": "a whole number",
    "number": "a number",
    "money": "an amount in kroner (a number)",
    "date": "a date (YYYY-MM-DD)",
    "text": "a text",
    "choice": "one of the listed choices",
}


class ParamSpec(Model):
    type: ParamType
    label: str | None = None  # what the caseworker sees next to the field (Danish)
    required: bool = True
    min: float | None = None
    max: float | None = None
    max_length: int = Field(default=300, ge=1)
    choices: tuple[str, ...] = ()

    def describe(self) -> str:
        text = _EXPECTED[self.type]
        if self.type == "choice":
            text += f" ({', '.join(self.choices)})"
        if self.min is not None and self.max is not None:
            text += f" from {_plain(self.min)} to {_plain(self.max)}"
        elif self.min is not None:
            text += f" of at least {_plain(self.min)}"
        elif self.max is not None:
            text += f" of at most {_plain(self.max)}"
        if self.type == "text":
            text += f" of at most {self.max_length} characters"
        return text


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def danish_amount(text: str) -> str:
    """'2.400,50' or '2.400 kr.' as written in Danish -> '2400.50' (a dot groups thousands)."""
    text = text.removesuffix("kr.").strip().replace(" ", "").replace("\u00a0", "")
    if "," in text:
        return text.replace(".", "").replace(",", ".")
    if "." in text and all(len(group) == 3 for group in text.split(".")[1:]):
        return text.replace(".", "")
    return text


def _convert(spec: ParamSpec, value: Any) -> Any:
    """The value as the phrase text uses it, or raise ValueError."""
    if spec.type in ("integer", "int", "number", "money"):
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise ValueError
        text = str(value).strip()
        if spec.type == "money" and isinstance(value, str):
            text = danish_amount(text)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError from None
        if not number.is_finite():
            raise ValueError
        if spec.type in ("integer", "int"):
            if number != number.to_integral_value():
                raise ValueError
            converted: Any = int(number)
        else:
            converted = int(number) if number == number.to_integral_value() else float(number)
        if (spec.min is not None and converted < spec.min) or (spec.max is not None and converted > spec.max):
            raise ValueError
        return converted
    if spec.type == "date":
        if isinstance(value, dt.datetime):
            raise ValueError
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            return dt.date.fromisoformat(value.strip())
        raise ValueError
    if spec.type == "choice":
        if str(value) not in spec.choices:
            raise ValueError
        return str(value)
    # text: one line, not empty, not too long; no template syntax (it is printed, never evaluated)
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError
    text = " ".join(str(value).split())
    if not text or len(text) > spec.max_length:
        raise ValueError
    return text


def checked_params(phrase_id: str, specs: dict[str, ParamSpec], params: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Validate a caseworker's parameters against the phrase's declaration.

    Returns the converted parameters and a list of problems ("params.timer: ..."), empty when
    all is well. A phrase without declared params accepts its parameters unchecked (older phrases).
    """
    if not specs:
        return dict(params), []
    problems: list[str] = []
    converted: dict[str, Any] = {}
    for name in sorted(set(params) - set(specs)):
        problems.append(f"params.{name}: phrase {phrase_id!r} has no parameter {name!r} "
                        f"(it takes: {', '.join(sorted(specs))})")
    for name, spec in specs.items():
        if name not in params or params[name] is None:
            if spec.required:
                problems.append(f"params.{name}: phrase {phrase_id!r} needs {name!r}: {spec.describe()}")
            continue
        try:
            converted[name] = _convert(spec, params[name])
        except (ValueError, TypeError):
            problems.append(f"params.{name}: phrase {phrase_id!r} expects {spec.describe()}")
    return converted, problems
