"""Typed phrase parameters: what a caseworker types into a phrase, parsed and checked.

A phrase declares its parameters with a type (phrases/*.yaml):

    params:
      beloeb: {type: money}                          # an amount in kroner, parsed as Decimal
      graense: {type: money, rate: kompensation_minimum}  # must equal the rate table's amount
      timer: {type: int, max: 40}
      fra: {type: date}
      stoette: {type: text}

Amounts are written the Danish way: "2.400" is two thousand four hundred (never 2,40),
"2.400,50" and "2400,50" have øre. A YAML number keeps the text it was written as
(loading.SourceFloat), so an unquoted `2.400` in a case file means 2400 too. Anything else
("2.4", "1e3", ".inf", ".nan", text, null, a negative or absurd amount) is refused with a
message naming the phrase, the parameter and the form expected. A parameter tied to a `rate`
may be left out (the table's amount is used); a typed amount that differs is an error naming
both figures. No personal values are echoed: text parameters are never quoted back.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Mapping

from pydantic import Field, model_validator

from .errors import BrevgenError
from .models import Model

MONEY_MAX = Decimal("10000000")  # 10 mio. kr.: no amount in a social-services letter is above this
INT_MAX = 100_000
TEXT_MAX = 500
MONEY_FORM = 'an amount in kroner written like 2400, 2.400, 2.400,50 or 2400,50 (Danish notation)'

_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$")  # 2.400 / 12.400,50
_PLAIN = re.compile(r"^\d+(,\d{1,2})?$")  # 2400 / 2400,5
_INT_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


class ParamSpec(Model):
    type: Literal["money", "int", "integer", "number", "date", "text", "choice"]  # integer = int
    rate: str | None = None  # money only: the amount must be the rate table's on the letter's date
    label: str | None = None  # what the caseworker sees next to the field (Danish)
    min: Decimal | None = None
    max: Decimal | None = None
    max_length: int = Field(default=TEXT_MAX, ge=1, le=5000)  # text only
    choices: tuple[str, ...] = ()  # choice only
    required: bool = True

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"type": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _rate_is_money(self):
        if self.rate and self.type != "money":
            raise ValueError("only a money parameter can take its amount from a rate")
        if (self.type == "choice") != bool(self.choices):
            raise ValueError("a choice parameter needs `choices` (and only a choice parameter has them)")
        return self


class ParamError(ValueError):
    """What was wrong with one value, in words (the caller adds phrase and parameter)."""


def _written(value: Any) -> str | None:
    """The text of a number as the person wrote it (YAML keeps it), or None."""
    return getattr(value, "source_text", None)


def parse_money(value: Any, spec: ParamSpec | None = None) -> Decimal:
    if value is None:
        raise ParamError(f"is empty; expected {MONEY_FORM}")
    if isinstance(value, bool):
        raise ParamError(f"is yes/no; expected {MONEY_FORM}")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, float):
        text = _written(value)
        if text is None:  # a float from code or JSON without its text: only whole numbers are safe
            if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
                raise ParamError(f"{value!r} is not {MONEY_FORM}")
            amount = Decimal(int(value))
        else:
            amount = _money_text(text)
    elif isinstance(value, str):
        amount = _money_text(value)
    else:
        raise ParamError(f"is not {MONEY_FORM}")
    if not amount.is_finite():
        raise ParamError(f"is not {MONEY_FORM}")
    low = spec.min if spec and spec.min is not None else Decimal(0)
    high = spec.max if spec and spec.max is not None else MONEY_MAX
    if amount < low:
        raise ParamError(f"{_kr(amount)} is below {_kr(low)}; expected {MONEY_FORM}")
    if amount > high:
        raise ParamError(f"{_kr(amount)} is above {_kr(high)}, the largest amount allowed here")
    if amount != amount.quantize(Decimal("0.01")):
        raise ParamError(f"has more than two decimals (øre); expected {MONEY_FORM}")
    return amount


def _money_text(text: str) -> Decimal:
    cleaned = text.strip().removesuffix("kr.").removesuffix("kr").strip().replace("\u00a0", "").replace(" ", "")
    if cleaned.startswith("-"):
        raise ParamError(f"{text.strip()!r} is negative; expected {MONEY_FORM}")
    if not (_THOUSANDS.match(cleaned) or _PLAIN.match(cleaned)):
        raise ParamError(f"{text.strip()!r} is not {MONEY_FORM}")
    try:
        return Decimal(cleaned.replace(".", "").replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the patterns admit only digits
        raise ParamError(f"{text.strip()!r} is not {MONEY_FORM}") from None


def parse_int(value: Any, spec: ParamSpec | None = None) -> int:
    form = "a whole number like 3 or 2.400"
    if isinstance(value, bool) or value is None:
        raise ParamError(f"is {'empty' if value is None else 'yes/no'}; expected {form}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and _written(value) and _INT_THOUSANDS.match(_written(value)):
        number = int(_written(value).replace(".", ""))
    elif isinstance(value, str) and (value.strip().isdigit() or _INT_THOUSANDS.match(value.strip())):
        number = int(value.strip().replace(".", ""))
    else:
        raise ParamError(f"is not {form}")
    low = int(spec.min) if spec and spec.min is not None else 0
    high = int(spec.max) if spec and spec.max is not None else INT_MAX
    if not low <= number <= high:
        raise ParamError(f"{number} is outside {low}-{high}; expected {form}")
    return number


def parse_date(value: Any, spec: ParamSpec | None = None) -> dt.date:
    form = "a date written YYYY-MM-DD, e.g. 2026-06-01"
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ParamError(f"is not {form}") from None
    if not isinstance(value, dt.date):
        raise ParamError(f"is not {form}")
    if not 1900 <= value.year <= 2200:
        raise ParamError(f"{value} is not a plausible date; expected {form}")
    return value


def parse_text(value: Any, spec: ParamSpec | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParamError("is not a text (write it in quotes if it looks like a number or a date)")
    limit = spec.max_length if spec else TEXT_MAX
    if len(value) > limit:
        raise ParamError(f"is longer than {limit} characters")
    return " ".join(value.split())


def parse_number(value: Any, spec: ParamSpec | None = None) -> Decimal:
    """A number that is not an amount (a percentage, kilometres): Danish decimal comma, or a
    whole number; the same refusals as money, without the money bound."""
    plain = ParamSpec(type="money", min=spec.min if spec else Decimal(0), max=spec.max if spec else MONEY_MAX)
    try:
        return parse_money(value, plain)
    except ParamError as exc:
        raise ParamError(str(exc).replace(MONEY_FORM, "a number written like 12 or 12,5")) from None


def parse_choice(value: Any, spec: ParamSpec | None = None) -> str:
    choices = spec.choices if spec else ()
    if not isinstance(value, str) or value not in choices:
        raise ParamError(f"is not one of the choices: {', '.join(choices)}")
    return value


PARSERS = {"money": parse_money, "int": parse_int, "integer": parse_int, "number": parse_number,
           "date": parse_date, "text": parse_text, "choice": parse_choice}


def _kr(amount: Decimal) -> str:
    from .formatting import kroner

    return kroner(amount)


def typed(phrase_id: str, specs: Mapping[str, ParamSpec], given: Mapping[str, Any],
          rates: Mapping[str, Decimal] | None, on: dt.date | None = None, strict_names: bool = False) -> dict[str, Any]:
    """The declared parameters parsed (and rate-tied ones filled from `rates`); others unchanged.

    `strict_names`: refuse a parameter the phrase does not declare (for the caseworker's own
    parameters, where a misspelt name would otherwise be silently ignored)."""
    out = dict(given)
    if strict_names and specs:
        unknown = sorted(set(given) - set(specs))
        if unknown:
            raise BrevgenError(f"phrase {phrase_id!r}: unknown parameter {unknown[0]!r}; "
                               f"this phrase takes: {', '.join(sorted(specs))}")
    for name, spec in specs.items():
        where = f"phrase {phrase_id!r}: parameter {name!r}"
        table = None
        if spec.rate:
            table = (rates or {}).get(spec.rate)
            if table is None:
                when = f" on {on}" if on else ""
                raise BrevgenError(f"{where}: the rate table (content/rates.yaml) has no amount for {spec.rate!r}{when}")
        if name not in given:
            if table is not None:
                out[name] = table
                continue
            if spec.required:
                continue  # left to the template: a missing parameter is reported there, by name
            out[name] = None
            continue
        try:
            value = PARSERS[spec.type](given[name], spec)
        except ParamError as exc:
            raise BrevgenError(f"{where} {exc}") from None
        if table is not None and value != table:
            raise BrevgenError(f"{where}: {_kr(value)} ({value}) contradicts the rate table, which says {_kr(table)} "
                               f"({table}) for {spec.rate!r}{f' on {on}' if on else ''}; leave the parameter out "
                               "to use the table's amount")
        out[name] = value
    return out


def checked_params(phrase_id: str, specs: Mapping[str, ParamSpec], params: Mapping[str, Any],
                   rates: Mapping[str, Decimal] | None = None) -> tuple[dict[str, Any], list[str]]:
    """The caseworker's parameters checked against the declaration: (converted, problems).
    Problems read "params.<name>: ..." (for forms that show each field's problem next to it)."""
    if not specs:
        return dict(params), []
    problems = [f"params.{name}: phrase {phrase_id!r} has no parameter {name!r} (it takes: {', '.join(sorted(specs))})"
                for name in sorted(set(params) - set(specs))]
    converted: dict[str, Any] = {}
    for name, spec in specs.items():
        try:
            value = typed(phrase_id, {name: spec}, {k: v for k, v in params.items() if k == name}, rates)
        except BrevgenError as exc:
            problems.append(f"params.{name}: {exc}")
            continue
        if name in value:
            converted[name] = value[name]
        elif spec.required and not spec.rate:
            problems.append(f"params.{name}: phrase {phrase_id!r} needs {name!r}")
    return converted, problems
