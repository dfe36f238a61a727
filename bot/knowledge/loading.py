"""Loading the knowledge files: read the YAML, validate it, build one immutable knowledge base.

Every problem in every file is collected before anything is refused, so an editor fixes them
in one go; each names its file, line and entry. Problems that do not make the answers wrong
(a stale phrasing an admin added, an entry with few questions) are warnings: the knowledge
base still loads, and `validate` and /reload show them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.checks import cross_check, merge_synonyms
from bot.knowledge.format import Context, read_file_node
from bot.knowledge.hindi import hindi_gaps, hindi_numbers
from bot.knowledge.model import (
    Entry,
    Hindi,
    KnowledgeBase,
    KnowledgeError,
    Problem,
    Service,
    ServiceLine,
)
from bot.text import fold

# libyaml's parser keeps the same line marks and is over ten times faster than PyYAML's own.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MIN_QUESTIONS = 8  # knowledge/README.md asks for at least this many questions per entry


@dataclass
class ParsedFile:
    path: str
    entries: list[Entry] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    synonyms: list[tuple[str, str, int]] = field(default_factory=list)  # variant, canonical, line
    phrasings: list[tuple[str, str, int]] = field(default_factory=list)  # text, entry id, line
    ignore: list[str] = field(default_factory=list)
    generic: list[str] = field(default_factory=list)
    off_topic: list[str] = field(default_factory=list)
    glossary: dict[str, str] = field(default_factory=dict)
    readable: bool = True  # False: the file did not parse, so links into it cannot be checked


def load_knowledge(directory: Path, extra_files: Iterable[Path] = ()) -> KnowledgeBase:
    """Load every *.yaml file in `directory` (plus `extra_files`), or raise KnowledgeError.

    `extra_files` hold admins' phrasings (written by the bot): a phrasing there that no longer
    fits (its entry was removed, or an editor added the same question to an entry) is a
    warning, never a reason to refuse to start.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise KnowledgeError([Problem(str(directory), 0, None, "knowledge directory not found")])
    problems: list[Problem] = []
    warnings: list[Problem] = []
    files = sorted(directory.glob("*.yaml"))
    if not files:
        problems.append(Problem(str(directory), 0, None, "no *.yaml files found"))
    parsed = [parse_file(path, problems) for path in files]
    learned = [_parse_learned(Path(p), warnings) for p in extra_files if Path(p).exists()]
    entries = [e for chunk in parsed for e in chunk.entries]
    services = [s for chunk in parsed for s in chunk.services]
    edited = {str(p): _modified(p) for p in files}
    problems.extend(cross_check(entries, services, all(c.readable for c in parsed), edited))
    problems.extend(hindi_numbers(entries))
    glossary = {t: h for chunk in parsed for t, h in chunk.glossary.items()}
    warnings.extend(hindi_gaps(entries, glossary))
    entries = _add_phrasings(entries, [*parsed, *learned], warnings)
    synonyms = merge_synonyms(parsed, problems)
    warnings.extend(_thin_entries(entries))
    if problems:
        raise KnowledgeError(problems)
    by_id = {e.id: e for e in entries}
    for entry in entries:
        for alias in entry.aliases:
            by_id.setdefault(alias, entry)
    return KnowledgeBase(
        entries=tuple(entries),
        synonyms=synonyms,
        ignore=frozenset(w for chunk in parsed for w in chunk.ignore),
        _by_id=by_id,
        off_topic=frozenset(p for chunk in parsed for p in chunk.off_topic),
        generic=frozenset(w for chunk in parsed for w in chunk.generic),
        services=tuple(services),
        warnings=tuple(sorted(warnings)),
        glossary=glossary,
    )


def _modified(path: Path) -> float:
    """When a file was last changed; 0 for one that vanished while being read (reported
    already, by parse_file)."""
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


# --- one file -----------------------------------------------------------------------------


def parse_file(path: Path, problems: list[Problem]) -> ParsedFile:
    name = str(path)
    result = ParsedFile(name)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(name, 0, None, f"cannot read file: {error}"))
        result.readable = False
        return result
    except yaml.YAMLError as error:
        problems.append(_syntax_problem(name, error))
        result.readable = False
        return result
    if root is None:
        problems.append(Problem(name, 0, None, "file is empty"))
        return result
    at = Context(name, problems)
    values = read_file_node(root, at)
    for raw in values.get("entries", []):
        entry = _entry(raw, name)
        if entry is not None:
            result.entries.append(entry)
    for raw in values.get("services", []):
        if raw is not None and not raw["_broken"]:
            result.services.append(_service(raw, name))
    for key in ("synonyms", "phrasings"):
        mapping, _ = values.get(key, ({}, 0))
        for head, (texts, line) in mapping.items():
            getattr(result, key).extend((text, head, line) for text in texts)
    for key in ("ignore", "generic", "off_topic"):
        getattr(result, key).extend(values.get(key, ((), 0))[0])
    terms, _ = values.get("glossary", ({}, 0))
    result.glossary.update({term: hindi for term, (hindi, _) in terms.items()})
    return result


# PyYAML's words for the mistakes people make by hand, and what they mean to an editor.
_SYNTAX_HINTS = (
    ("expected <block end>", "the indentation does not line up with the lines above"),
    (
        "mapping values are not allowed",
        "a ':' where none was expected: this line is indented more than the one above, or a"
        " text with ':' needs quotes",
    ),
    ("could not find expected ':'", "a line is not 'field: value' (a missing ':' or quotes)"),
    ("found character '\\t'", "a tab: indent with spaces"),
    ("expected ',' or ']'", "a list in [ ] is not closed, or an item needs quotes"),
    ("expected ',' or '}'", "a mapping in { } is not closed, or a value needs quotes"),
    ("found unexpected end of stream", "a quote or bracket is never closed"),
    ("while scanning a quoted scalar", "a quote is never closed"),
    ("did not find expected key", "the indentation does not line up with the lines above"),
    (
        "did not find expected '-' indicator",
        "this line is indented differently from the lines above it",
    ),
)


def _syntax_problem(file: str, error: yaml.YAMLError) -> Problem:
    """One problem in plain words, at the line where the reader noticed it."""
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark else 0
    raw = " ".join(
        str(part)
        for part in (getattr(error, "context", None), getattr(error, "problem", None))
        if part
    ) or str(error)
    hint = next((words for key, words in _SYNTAX_HINTS if key in raw), None)
    message = f"the file does not parse: {hint}" if hint else f"the file does not parse: {raw}"
    return Problem(file, line, None, message + " (links into this file are not checked)")


def _entry(raw: dict[str, Any], file: str) -> Entry | None:
    if raw is None or raw.get("_broken"):
        return None
    values = {k: v for k, v in raw.items() if not k.startswith("_")}
    services = {
        service: ServiceLine(line["note"], line.get("verdict"), line.get("note_hi"))
        for service, (line, _) in values.pop("services", {}).items()
    }
    hindi = values.pop("hi", None)
    return Entry(
        **values,
        services=services,
        hi=Hindi(**{k: v for k, v in hindi.items() if not k.startswith("_")}) if hindi else None,
        file=file,
        line=raw["_line"],
    )


def _service(raw: dict[str, Any], file: str) -> Service:
    values = {k: v for k, v in raw.items() if not k.startswith("_")}
    return Service(**values, file=file, line=raw["_line"])


# --- admins' phrasings and warnings ---------------------------------------------------------


def _parse_learned(path: Path, warnings: list[Problem]) -> ParsedFile:
    """Admins' learned phrasings live in the data volume and outlive edits to the knowledge
    base, so whatever is wrong in them (unreadable, out of shape, more than phrasings) leaves
    that part out as a warning; it never stops the bot from starting or reloading."""
    chunk = parse_file(path, warnings)
    if chunk.entries or chunk.synonyms or chunk.ignore or chunk.off_topic or chunk.services:
        message = "only 'phrasings' is read from a learned-phrasings file; the rest is left out"
        warnings.append(Problem(chunk.path, 0, None, message))
    return ParsedFile(chunk.path, phrasings=chunk.phrasings)


def _add_phrasings(
    entries: list[Entry], parsed: Sequence[ParsedFile], warnings: list[Problem]
) -> list[Entry]:
    """Questions kept apart from their entries (admins' additions) join them.

    A phrasing follows its entry through a rename (aliases). One whose entry is gone, or that
    is already a question of some entry, is skipped with a warning saying which.
    """
    owner = {name: e for e in entries for name in (e.id, *e.aliases)}
    known = {fold(q): e.id for e in entries for q in e.questions}
    extra: dict[str, list[str]] = {}
    for chunk in parsed:
        for text, entry_id, line in chunk.phrasings:
            entry = owner.get(entry_id)
            if entry is None:
                message = "phrasing for unknown entry; left out"
                warnings.append(Problem(chunk.path, line, entry_id, message))
                continue
            key = fold(text)
            if key in known:
                message = f"already a question of '{known[key]}'; left out"
                warnings.append(Problem(chunk.path, line, entry_id, message))
                continue
            known[key] = entry.id
            extra.setdefault(entry.id, []).append(text)
    return [
        replace(e, questions=(*e.questions, *extra[e.id])) if e.id in extra else e for e in entries
    ]


def _thin_entries(entries: Sequence[Entry]) -> list[Problem]:
    return [
        Problem(
            e.file,
            e.line,
            e.id,
            f"only {len(e.questions)} questions; knowledge/README.md asks for {MIN_QUESTIONS}",
        )
        for e in entries
        if e.kind in ("rule", "info") and len(e.questions) < MIN_QUESTIONS
    ]
