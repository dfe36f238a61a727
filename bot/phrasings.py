"""Admins' additions: new phrasings for existing entries, kept in their own knowledge file.

The hand-written YAML is never rewritten by the bot. Additions go to a separate file in the
data folder (`phrasings: {entry-id: [question, ...]}`), loaded and validated with the rest
of the knowledge base. A change is written to a temporary file and renamed into place, so a
crash mid-write leaves the previous file whole. Adding is one step under a lock: read, add,
write, reload, and undo if the reload fails; so two admins pressing "add" at once both keep
their addition, and an undo never takes back what another admin added meanwhile.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.files import private_directory, write_whole

HEADER = (
    "# Phrasings added by admins from the bot (/unanswered). Loaded with knowledge/.\n"
    "# Edit or delete lines freely; the bot only ever appends.\n"
)

_LOCK = threading.Lock()  # admins' additions run in worker threads (asyncio.to_thread)


class PhrasingsFileError(ValueError):
    """The file is not in the shape the bot writes (edited by hand); it is left as it is."""


def read_phrasings(path: Path) -> dict[str, list[str]]:
    """The phrasings file's content, or PhrasingsFileError rather than a guess at its meaning."""
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise PhrasingsFileError(f"{path.name} is not valid YAML{where}; fix it by hand") from None
    found = (data or {}).get("phrasings") if isinstance(data, dict | None) else data
    if found is None:
        return {}
    if not isinstance(found, dict) or not all(
        isinstance(v, list) and all(isinstance(q, str) for q in v) for v in found.values()
    ):
        raise PhrasingsFileError(
            f"{path.name} does not map entry ids to lists of questions; fix it by hand"
        )
    return {str(k): list(v) for k, v in found.items()}


def write_phrasings(path: Path, phrasings: dict[str, list[str]]) -> None:
    private_directory(path.parent)
    body = yaml.safe_dump({"phrasings": phrasings}, allow_unicode=True, sort_keys=True)
    write_whole(path, (HEADER + body).encode("utf-8"))


def learn(path: Path, entry_id: str, question: str, reload: Callable[[], object]) -> None:
    """Add `question` under `entry_id` and `reload`, as one step; undone if the reload fails.

    Raises what reading, writing or reloading raised; the file is then as it was before.
    """
    with _LOCK:
        before = read_phrasings(path)
        after = {key: list(values) for key, values in before.items()}
        if question not in after.setdefault(entry_id, []):
            after[entry_id].append(question)
        write_phrasings(path, after)
        try:
            reload()
        except BaseException:
            restore(path, before)
            raise


def restore(path: Path, previous: dict[str, list[str]]) -> None:
    """Undo an addition that did not validate."""
    if previous:
        write_phrasings(path, previous)
    else:
        path.unlink(missing_ok=True)
