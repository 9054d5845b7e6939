"""Letters already written are never overwritten: a re-run finds them, a new version goes beside.

A letter's key is its file stem (case number, kind, recipient number, role); version 1 is
`{key}.pdf` + `{key}.json`, version n is `{key}.v{n}.pdf` + `{key}.v{n}.json`. For each letter of
a run, the newest version on disk decides:

- none: write version 1;
- the same content (the record without its file list: input SHA-256, phrases and versions,
  references, channel and deadlines): nothing is written, the letter is already there;
- different content: refused (the whole run writes nothing), unless `--new-version`, which writes
  version n+1 beside the old ones; its record names the version it replaces.

The send ledger keys messages by letter and version, so a new version is a new message.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .documents.model import Letter
from .errors import BrevgenError
from .loading import dump_json


def content_fingerprint(record: dict) -> str:
    """What makes two versions of a letter the same: its record without the files and version."""
    content = {k: v for k, v in record.items() if k not in ("files", "delivery", "title")}
    return hashlib.sha256(dump_json(content).encode("utf-8")).hexdigest()


def versioned_stem(key: str, version: int) -> str:
    return key if version == 1 else f"{key}.v{version}"


def newest_on_disk(out: Path, key: str) -> tuple[int, Path] | None:
    """The newest version of the letter `key` in `out` (by its record), or None."""
    found: list[tuple[int, Path]] = []
    if (out / f"{key}.json").is_file():
        found.append((1, out / f"{key}.json"))
    pattern = re.compile(re.escape(key) + r"\.v(\d+)\.json$")
    if out.is_dir():
        for path in out.glob(f"{glob_escape(key)}.v*.json"):
            match = pattern.match(path.name)
            if match:
                found.append((int(match.group(1)), path))
    return max(found) if found else None


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


@dataclass(frozen=True)
class Planned:
    to_write: dict[str, Letter]  # file stem -> letter, its record carrying `delivery`
    already: list[str]  # keys of letters already written with the same content
    refused: list[str]  # case numbers written before from different input


def plan_versions(named: dict[str, Letter], out: Path, new_version: bool, cvr: str | None) -> Planned:
    from .delivery.memo import message_uuid

    to_write: dict[str, Letter] = {}
    already: list[str] = []
    refused: list[str] = []
    for key, letter in named.items():
        newest = newest_on_disk(out, key)
        previous = None
        if newest is None:
            version = 1
        else:
            number, record_path = newest
            try:
                old = json.loads(record_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raise BrevgenError(f"{record_path}: the record of a letter already written cannot be read; nothing written") from None
            if content_fingerprint(old) == content_fingerprint(letter.record):
                already.append(key)
                continue
            if not new_version:
                if letter.case_number not in refused:
                    refused.append(letter.case_number)
                continue
            version = number + 1
            previous = {"version": number, "record": record_path.name,
                        "sha256": hashlib.sha256(record_path.read_bytes()).hexdigest()}
        delivery = {"letter_key": key, "version": version}
        if cvr:
            delivery["message_uuid"] = message_uuid(cvr, key, version)
        if previous:
            delivery["replaces"] = previous
        to_write[versioned_stem(key, version)] = dataclasses.replace(letter, record={**letter.record, "delivery": delivery})
    return Planned(to_write, already, refused)


def refusal(refused: list[str], out: Path) -> BrevgenError:
    cases = ", ".join(sorted(refused))
    return BrevgenError(
        f"case number {cases}: letters for this case are already written in {out} from different input; "
        "nothing written. A letter already written is never overwritten: to issue a new version beside it, "
        "run again with --new-version"
    )
