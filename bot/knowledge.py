"""The knowledge base: entry model, YAML loading and strict validation.

Admins edit YAML by hand, so every problem is reported at once with the file, line and entry
it concerns, in words an editor can act on. A knowledge base that loads is immutable; a reload
builds a new one and swaps it in, so a bad edit never touches what is being served.

The field table below is the single source of truth for the format: validation reads it and
`json_schema()` publishes it for editors (knowledge/schema.json).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import process

from bot.text import fold

KINDS = ("concern", "guideline", "overview", "rule")
VERDICTS = ("allowed", "with care", "not allowed")
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_ID_RE = re.compile(ID_PATTERN)
MAX_ID_LENGTH = 48  # button data ("open:<id>") and deep links must stay within 64 bytes
FILE_KEYS = ("entries", "phrasings", "synonyms", "ignore", "off_topic")
SCHEMA_FILE = "schema.json"


@dataclass(frozen=True)
class FieldSpec:
    """One field of an entry: its type, whether it is required, and what it means."""

    name: str
    type: str  # "text", "id", "choice", "list of text", "list of ids"
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "id", "Stable id: lowercase words joined by hyphens. Never rename.", True),
    FieldSpec("kind", "choice", "What sort of entry this is.", True, KINDS),
    FieldSpec("title", "text", "Short title shown on buttons and headings.", True),
    FieldSpec(
        "verdict",
        "choice",
        "The short answer to 'can I ...?'. Required for rules, not allowed for other kinds.",
        choices=VERDICTS,
    ),
    FieldSpec("answer", "text", "The rule in plain words.", True),
    FieldSpec("why", "list of ids", "Ids of the concerns this touches. Required for rules."),
    FieldSpec("examples", "list of text", "Concrete examples."),
    FieldSpec("do_instead", "list of text", "What to do instead."),
    FieldSpec("questions", "list of text", "The ways people ask it; used for matching.", True),
    FieldSpec("keywords", "list of text", "Other words people use for this topic."),
    FieldSpec("related", "list of ids", "Ids of entries an officer may want next."),
    FieldSpec("sources", "list of text", "The rule, law or policy this rests on.", True),
    FieldSpec("aliases", "list of ids", "Old ids of this entry, so published links keep working."),
)
FIELD_NAMES = tuple(spec.name for spec in FIELDS)


@dataclass(frozen=True)
class Entry:
    """One answerable topic. Frozen: a loaded knowledge base never changes under a reader."""

    id: str
    kind: str
    title: str
    answer: str
    questions: tuple[str, ...]
    sources: tuple[str, ...]
    verdict: str | None = None
    why: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    do_instead: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    file: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, order=True)
class Problem:
    """A validation problem an editor can find: file, line, entry and what is wrong."""

    file: str
    line: int
    entry_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        entry = f" [{self.entry_id}]" if self.entry_id else ""
        return f"{where}{entry}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base did not validate; `problems` lists every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems))
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the knowledge base")

    def report(self) -> str:
        return "\n".join([str(self), *(f"  {p}" for p in self.problems)])


@dataclass(frozen=True)
class KnowledgeBase:
    """All entries plus the shared vocabulary (synonyms, filler words) used to match them."""

    entries: tuple[Entry, ...]
    synonyms: Mapping[str, str]  # variant -> canonical
    ignore: frozenset[str]
    _by_id: Mapping[str, Entry] = field(repr=False, compare=False, default_factory=dict)
    off_topic: frozenset[str] = frozenset()  # phrases marking questions the bot does not answer

    def get(self, entry_id: str) -> Entry | None:
        """Look an entry up by id or by one of its old ids (aliases)."""
        return self._by_id.get(entry_id)

    def of_kind(self, kind: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.kind == kind)

    def rules_under(self, concern_id: str) -> tuple[Entry, ...]:
        """Situations that touch a concern: how /topics goes from a concern to its rules."""
        return tuple(e for e in self.entries if e.kind == "rule" and concern_id in e.why)

    def diff(self, newer: KnowledgeBase) -> KnowledgeDiff:
        """What changed between this knowledge base and a newer one (for /reload's summary)."""
        old = {e.id: e for e in self.entries}
        new = {e.id: e for e in newer.entries}
        return KnowledgeDiff(
            added=tuple(sorted(new.keys() - old.keys())),
            removed=tuple(sorted(old.keys() - new.keys())),
            changed=tuple(sorted(i for i in old.keys() & new.keys() if old[i] != new[i])),
        )


@dataclass(frozen=True)
class KnowledgeDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]


def load_knowledge(directory: Path, extra_files: Iterable[Path] = ()) -> KnowledgeBase:
    """Load every *.yaml file in `directory` (plus `extra_files`), or raise KnowledgeError.

    Problems from all files are collected before raising, so an editor fixes them in one go.
    """
    directory = Path(directory)
    problems: list[Problem] = []
    if not directory.is_dir():
        raise KnowledgeError([Problem(str(directory), 0, None, "knowledge directory not found")])
    files = sorted(directory.glob("*.yaml")) + [Path(p) for p in extra_files if Path(p).exists()]
    if not files:
        problems.append(Problem(str(directory), 0, None, "no *.yaml files found"))
    parsed = [_parse_file(path, problems) for path in files]
    entries = _add_phrasings([e for chunk in parsed for e in chunk.entries], parsed, problems)
    synonyms = _merge_synonyms(parsed, problems)
    ignore = frozenset(word for chunk in parsed for word in chunk.ignore)
    off_topic = frozenset(phrase for chunk in parsed for phrase in chunk.off_topic)
    problems.extend(_cross_check(entries))
    if problems:
        raise KnowledgeError(problems)
    by_id = {e.id: e for e in entries}
    for e in entries:
        for alias in e.aliases:
            by_id.setdefault(alias, e)
    return KnowledgeBase(tuple(entries), synonyms, ignore, by_id, off_topic)


# --- parsing one file -----------------------------------------------------------------------


@dataclass
class _ParsedFile:
    path: str
    entries: list[Entry] = field(default_factory=list)
    synonyms: list[tuple[str, str, int]] = field(default_factory=list)  # variant, canonical, line
    phrasings: list[tuple[str, str, int]] = field(default_factory=list)  # entry id, text, line
    ignore: list[str] = field(default_factory=list)
    off_topic: list[str] = field(default_factory=list)


_constructor = yaml.constructor.SafeConstructor()


def _value(node: yaml.Node) -> Any:
    return _constructor.construct_object(node, deep=True)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _parse_file(path: Path, problems: list[Problem]) -> _ParsedFile:
    name = str(path)
    result = _ParsedFile(name)
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(name, 0, None, f"cannot read file: {error}"))
        return result
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        problem = getattr(error, "problem", None) or str(error)
        problems.append(Problem(name, line, None, f"YAML syntax error: {problem}"))
        return result
    if root is None:
        problems.append(Problem(name, 0, None, "file is empty"))
        return result
    if not isinstance(root, yaml.MappingNode):
        expected = "a mapping with the keys " + ", ".join(FILE_KEYS)
        problems.append(Problem(name, _line(root), None, f"the file must be {expected}"))
        return result
    for key, value in _mapping_items(root, name, None, problems):
        if key == "entries":
            result.entries.extend(_parse_entries(value, name, problems))
        elif key == "synonyms":
            result.synonyms.extend(_parse_synonyms(value, name, problems))
        elif key == "phrasings":
            result.phrasings.extend(_parse_synonyms(value, name, problems, "phrasings"))
        elif key in ("ignore", "off_topic"):
            getattr(result, key).extend(_text_list(value, name, None, key, problems))
        else:
            hint = _suggest(key, FILE_KEYS)
            problems.append(
                Problem(name, _line(value), None, f"unknown top-level key '{key}'{hint}")
            )
    return result


def _mapping_items(
    node: yaml.MappingNode, file: str, entry_id: str | None, problems: list[Problem]
) -> Iterator[tuple[str, yaml.Node]]:
    """Yield (key, value node) pairs, reporting keys given twice (YAML keeps only the last)."""
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = str(_value(key_node))
        if key in seen:
            problems.append(Problem(file, _line(key_node), entry_id, f"'{key}' is given twice"))
            continue
        seen.add(key)
        yield key, value_node


def _parse_entries(node: yaml.Node, file: str, problems: list[Problem]) -> Iterator[Entry]:
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(file, _line(node), None, "'entries' must be a list of entries"))
        return
    for item in node.value:
        entry = _parse_entry(item, file, problems)
        if entry is not None:
            yield entry


def _parse_entry(node: yaml.Node, file: str, problems: list[Problem]) -> Entry | None:
    line = _line(node)
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(file, line, None, "each entry must be a mapping of fields"))
        return None
    raw_id = next((_value(v) for k, v in node.value if _value(k) == "id"), None)
    entry_id = raw_id if isinstance(raw_id, str) else None
    values: dict[str, Any] = {}
    for key, value_node in _mapping_items(node, file, entry_id, problems):
        spec = next((s for s in FIELDS if s.name == key), None)
        if spec is None:
            hint = _suggest(key, FIELD_NAMES)
            problems.append(
                Problem(file, _line(value_node), entry_id, f"unknown field '{key}'{hint}")
            )
            continue
        values[key] = _check_field(spec, value_node, file, entry_id, problems)
    for spec in FIELDS:
        if spec.required and spec.name not in values:
            problems.append(Problem(file, line, entry_id, f"missing field '{spec.name}'"))
    kind = values.get("kind")
    if kind == "rule":
        for name in ("verdict", "why"):
            if not values.get(name):
                problems.append(Problem(file, line, entry_id, f"a rule needs '{name}'"))
    elif kind in KINDS and "verdict" in values:
        problems.append(Problem(file, line, entry_id, f"only rules have a verdict, not a {kind}"))
    # An entry with an unknown field is still built, so its links are checked in the same run.
    complete = all(spec.name in values for spec in FIELDS if spec.required)
    if not complete or None in values.values() or kind not in KINDS:
        return None
    return Entry(**values, file=file, line=line)


def _check_field(
    spec: FieldSpec, node: yaml.Node, file: str, entry_id: str | None, problems: list[Problem]
) -> Any:
    line = _line(node)
    if spec.type.startswith("list of"):
        items = _text_list(node, file, entry_id, spec.name, problems)
        if spec.type == "list of ids":
            for item in items:
                if not _ID_RE.match(item):
                    problems.append(
                        Problem(file, line, entry_id, f"'{spec.name}': bad id '{item}'")
                    )
        if spec.required and not items:
            problems.append(Problem(file, line, entry_id, f"'{spec.name}' must not be empty"))
        return tuple(items)
    value = _value(node)
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(file, line, entry_id, f"'{spec.name}' must be non-empty text"))
        return None
    value = value.strip()
    if spec.type == "id" and not _ID_RE.match(value):
        problems.append(
            Problem(file, line, entry_id, f"id '{value}' must be lowercase words joined by hyphens")
        )
    elif spec.type == "id" and len(value) > MAX_ID_LENGTH:
        message = f"id is {len(value)} characters; at most {MAX_ID_LENGTH} fit in a Telegram button"
        problems.append(Problem(file, line, entry_id, message))
    if spec.choices and value not in spec.choices:
        options = ", ".join(spec.choices)
        problems.append(
            Problem(
                file, line, entry_id, f"'{spec.name}' is '{value}'; it must be one of: {options}"
            )
        )
    return value


def _text_list(
    node: yaml.Node, file: str, entry_id: str | None, name: str, problems: list[Problem]
) -> list[str]:
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(file, _line(node), entry_id, f"'{name}' must be a list"))
        return []
    items: list[str] = []
    for item in node.value:
        value = _value(item)
        if isinstance(value, bool):
            hint = f"'{name}': write {item.value!r} in quotes (YAML reads it as true/false)"
            problems.append(Problem(file, _line(item), entry_id, hint))
        elif not isinstance(value, str) or not value.strip():
            problems.append(Problem(file, _line(item), entry_id, f"'{name}' items must be text"))
        else:
            items.append(value.strip())
    return items


def _parse_synonyms(
    node: yaml.Node, file: str, problems: list[Problem], key: str = "synonyms"
) -> Iterator[tuple[str, str, int]]:
    """A mapping of word (or entry id) to a list of texts, as (text, word, line) triples."""
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(file, _line(node), None, f"'{key}' must map a key to a list"))
        return
    for head, value in _mapping_items(node, file, None, problems):
        for text in _text_list(value, file, None, f"{key}: {head}", problems):
            yield text, head, _line(value)


def _add_phrasings(
    entries: list[Entry], parsed: Sequence[_ParsedFile], problems: list[Problem]
) -> list[Entry]:
    """Questions kept apart from their entries (admins' additions from the bot) join them."""
    extra: dict[str, list[str]] = {}
    known = {e.id for e in entries}
    for chunk in parsed:
        for text, entry_id, line in chunk.phrasings:
            if entry_id in known:
                extra.setdefault(entry_id, []).append(text)
            else:
                problems.append(Problem(chunk.path, line, entry_id, "phrasing for unknown entry"))
    return [
        replace(e, questions=(*e.questions, *extra[e.id])) if e.id in extra else e for e in entries
    ]


def _merge_synonyms(parsed: Sequence[_ParsedFile], problems: list[Problem]) -> dict[str, str]:
    """Fold every file's synonyms into one variant -> canonical map; a variant has one meaning."""
    merged: dict[str, tuple[str, str, int]] = {}
    for chunk in parsed:
        for variant, canonical, line in chunk.synonyms:
            key = fold(variant)
            if not key:
                continue
            earlier = merged.get(key)
            if earlier and fold(earlier[0]) != fold(canonical):
                problems.append(
                    Problem(
                        chunk.path,
                        line,
                        None,
                        f"synonym '{variant}' means '{canonical}' here but '{earlier[0]}' "
                        f"at {earlier[1]}:{earlier[2]}",
                    )
                )
                continue
            merged[key] = (canonical, chunk.path, line)
    return {variant: canonical for variant, (canonical, _, _) in merged.items()}


# --- checks across entries ------------------------------------------------------------------


def _cross_check(entries: Sequence[Entry]) -> Iterator[Problem]:
    """Links, duplicate ids and duplicate phrasings: what no single entry can check alone."""
    owners: dict[str, Entry] = {}
    for entry in entries:
        for name in (entry.id, *entry.aliases):
            first = owners.get(name)
            if first is not None:
                where = f"{first.file}:{first.line}"
                yield Problem(
                    entry.file, entry.line, entry.id, f"id '{name}' is also used at {where}"
                )
            else:
                owners[name] = entry
    for entry in entries:
        for target in entry.why:
            linked = owners.get(target)
            if linked is None or linked.kind != "concern":
                problem = "does not exist" if linked is None else f"is a {linked.kind}"
                yield Problem(
                    entry.file,
                    entry.line,
                    entry.id,
                    f"'why' links to '{target}', which {problem}; it must be a concern",
                )
        for target in entry.related:
            if target not in owners:
                yield Problem(
                    entry.file,
                    entry.line,
                    entry.id,
                    f"'related' links to unknown id '{target}'{_suggest(target, owners)}",
                )
            elif owners[target] is entry:
                yield Problem(
                    entry.file, entry.line, entry.id, "'related' links the entry to itself"
                )
    yield from _duplicate_phrasings(entries)


def _duplicate_phrasings(entries: Sequence[Entry]) -> Iterator[Problem]:
    phrasings: dict[str, Entry] = {}
    for entry in entries:
        for question in entry.questions:
            key = fold(question)
            first = phrasings.setdefault(key, entry)
            if first is not entry:
                where = f"{first.file}:{first.line}"
                message = f"question '{question}' is also a question of '{first.id}' ({where})"
                yield Problem(entry.file, entry.line, entry.id, message)


def _suggest(word: str, choices: Iterable[str]) -> str:
    best = process.extractOne(word, list(choices), score_cutoff=70)
    return f" (did you mean '{best[0]}'?)" if best else ""


# --- the published schema -------------------------------------------------------------------


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a knowledge file, generated from FIELDS (published as schema.json)."""
    text = {"type": "string", "minLength": 1}
    id_ = {"type": "string", "pattern": ID_PATTERN, "maxLength": MAX_ID_LENGTH}
    kinds = {
        "text": text,
        "id": id_,
        "list of text": {"type": "array", "items": text},
        "list of ids": {"type": "array", "items": id_},
    }
    properties: dict[str, Any] = {}
    for spec in FIELDS:
        schema = {"enum": list(spec.choices)} if spec.choices else dict(kinds[spec.type])
        schema["description"] = spec.description
        properties[spec.name] = schema
    entry = {
        "type": "object",
        "additionalProperties": False,
        "required": [spec.name for spec in FIELDS if spec.required],
        "properties": properties,
        "if": {"properties": {"kind": {"const": "rule"}}},
        "then": {"required": ["verdict", "why"]},
        "else": {"not": {"required": ["verdict"]}},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Conduct bot knowledge file",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "entries": {"type": "array", "items": {"$ref": "#/$defs/entry"}},
            "phrasings": {
                "type": "object",
                "description": "entry id -> more questions for that entry (added from the bot)",
                "additionalProperties": {"type": "array", "items": text},
            },
            "synonyms": {
                "type": "object",
                "description": "canonical word -> the words people type for it",
                "additionalProperties": {"type": "array", "items": text},
            },
            "ignore": {
                "type": "array",
                "description": "filler words that never decide a match",
                "items": text,
            },
            "off_topic": {
                "type": "array",
                "description": "words or phrases marking questions the bot does not answer",
                "items": text,
            },
        },
        "$defs": {"entry": entry},
    }
