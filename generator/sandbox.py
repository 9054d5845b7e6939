"""The one sandbox for staff-edited text (phrases, transition texts, process times): bounded.

Phrase texts are Jinja templates written by municipal staff. The sandbox is *immutable*
(a phrase cannot change a list or dict it is given, so one phrase cannot alter what the next
sees) and *bounded*: `range` counts every number it hands out against a budget per render,
`*` and `**` refuse results that would be huge, the output is cut off at a size limit, and a
render that runs past a time limit stops. Whatever goes wrong is raised as a `TextError`
naming nothing from the parameters; the caller reports it as the phrase's (file and id).
"""

from __future__ import annotations

import contextvars
import time
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_OUTPUT = 1_000_000  # characters one text may produce (a phrase is a few hundred; case text is inserted)
MAX_ITERATIONS = 10_000  # numbers `range` may hand out in one render, all loops together
MAX_SECONDS = 2.0
MAX_POWER = 64


class TextError(Exception):
    """A text could not be rendered within the bounds, or failed; the message has no parameter values."""


_budget: contextvars.ContextVar[list] = contextvars.ContextVar("brevgen_text_budget")


def _spend(amount: int) -> None:
    budget = _budget.get(None)
    if budget is None:  # an expression evaluated outside render(): one range at most the budget
        if amount > MAX_ITERATIONS:
            raise TextError(f"loops run more than {MAX_ITERATIONS:,} times")
        return
    budget[0] -= amount
    if budget[0] < 0:
        raise TextError(f"loops run more than {MAX_ITERATIONS:,} times")
    if time.monotonic() > budget[1]:
        raise TextError(f"took longer than {MAX_SECONDS} s")


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    _spend(len(numbers))
    return numbers


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.globals["range"] = _bounded_range

    def make_globals(self, d):
        """A plain dict, not Jinja's ChainMap over the environment's globals: every render copies
        the globals into its context, and iterating a ChainMap is Python code, a dict's is not
        (a letter renders some 50 texts). The globals are fixed before any text is compiled."""
        return {**self.globals, **(d or {})}

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_POWER:
            raise TextError(f"a power above {MAX_POWER}")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_OUTPUT:
                    raise TextError(f"a repetition longer than {MAX_OUTPUT:,} characters")
        return super().call_binop(context, operator, left, right)


def render(template: jinja2.Template, params: dict[str, Any]) -> str:
    """Render within the bounds. Raises TextError; jinja2.UndefinedError and SecurityError pass
    through as themselves (callers word them: a missing parameter, a forbidden operation)."""
    token = _budget.set([MAX_ITERATIONS, time.monotonic() + MAX_SECONDS])
    try:
        out: list[str] = []
        size = 0
        for chunk in template.generate(**params):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TextError(f"the text is longer than {MAX_OUTPUT:,} characters")
            _spend(0)  # the time limit
            out.append(chunk)
        return "".join(out)
    except (TextError, jinja2.UndefinedError, jinja2.exceptions.SecurityError):
        raise
    except RecursionError:
        raise TextError("a macro calls itself without end") from None
    except jinja2.TemplateError as exc:
        raise TextError(exc.message or type(exc).__name__) from None
    except Exception as exc:  # noqa: BLE001 - a staff-edited text may fail in any way
        raise TextError(f"the text failed while rendering ({type(exc).__name__}); check the template and "
                        "the types of its parameters") from None
    finally:
        _budget.reset(token)
