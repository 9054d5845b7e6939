"""Logging: the standard `logging` module, as text or as JSON lines, always on stderr.

`brevgen --log-format json` (or BREVGEN_LOG_FORMAT=json) writes one JSON object per line
(time, level, logger, message, and the record's `extra` fields), for a log collector.
`--log-level` / BREVGEN_LOG_LEVEL picks the level (default WARNING for the CLI, so a terminal
shows only what needs attention; a server uses INFO).

What is logged: commands, counts, file stems, durations, ids of tokens and jobs. Never personal
data: no names, addresses, CPR numbers or case text. Letter file stems hold no personal data
(output.letter_stem), so they may be logged.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys

FORMAT_ENV = "BREVGEN_LOG_FORMAT"
LEVEL_ENV = "BREVGEN_LOG_LEVEL"
FORMATS = ("text", "json")
# Attributes every LogRecord has; anything else came in through `extra=` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        return json.dumps(entry, ensure_ascii=False, default=str)


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test runner swaps it per command)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(fmt: str | None = None, level: str | None = None, stream=None) -> None:
    """Set up the `brevgen` logger once per process (the root logger is left to the host app)."""
    fmt = (fmt or os.environ.get(FORMAT_ENV) or "text").lower()
    if fmt not in FORMATS:
        from .errors import BrevgenError

        raise BrevgenError(f"--log-format {fmt!r}: expected one of {', '.join(FORMATS)}")
    level_name = (level or os.environ.get(LEVEL_ENV) or "WARNING").upper()
    if level_name not in logging.getLevelNamesMapping():
        from .errors import BrevgenError

        raise BrevgenError(f"--log-level {level_name!r}: expected DEBUG, INFO, WARNING or ERROR")
    logger = logging.getLogger("brevgen")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream) if stream is not None else _CurrentStderr()
    handler.setFormatter(JsonLines() if fmt == "json" else logging.Formatter("brevgen: %(levelname)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level_name)
    logger.propagate = False


def get(name: str) -> logging.Logger:
    """A logger under `brevgen.` (e.g. get("batch") -> brevgen.batch)."""
    return logging.getLogger(f"brevgen.{name}")
