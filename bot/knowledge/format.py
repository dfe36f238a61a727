"""The knowledge files' format, declared once.

Admins edit YAML by hand, so the format is written down here as data (the types of values and
the fields of each record, with which kinds of entry need or may have them). Two things are
derived from that one declaration and so always agree:

- validation (`read`): walks the YAML nodes, collecting every problem with its file, line and
  entry in words an editor can act on, and returns plain Python values;
- the JSON Schema published for editors (`json_schema()`, knowledge/schema.json), which
  editors such as VS Code use to autocomplete and check fields as the admin types.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from rapidfuzz import process

from bot.knowledge.model import KINDS, VERDICTS, Problem

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_ID_RE = re.compile(ID_PATTERN)
MAX_ID_LENGTH = 48  # button data ("open:<id>") and deep links must stay within 64 bytes
SCHEMA_FILE = "schema.json"

INVALID: Any = object()  # what `read` returns for a value it reported a problem with


@dataclass
class Context:
    """Where a value is being read (file, entry), and the list its problems go to."""

    file: str
    problems: list[Problem]
    entry_id: str | None = None

    def report(self, node: yaml.Node, message: str) -> None:
        self.problems.append(Problem(self.file, line_of(node), self.entry_id, message))


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


_constructor = yaml.constructor.SafeConstructor()


def scalar(node: yaml.Node) -> Any:
    """The Python value of a scalar node (lists and mappings are read field by field)."""
    if isinstance(node, yaml.ScalarNode):
        return _constructor.construct_object(node, deep=True)
    return INVALID


def suggest(word: str, choices: Iterable[str]) -> str:
    best = process.extractOne(word, list(choices), score_cutoff=70)
    return f" (did you mean '{best[0]}'?)" if best else ""


# --- value types -----------------------------------------------------------------------------


class Type:
    """A kind of value: how to read it from YAML and how JSON Schema describes it."""

    def read(self, node: yaml.Node, name: str, at: Context) -> Any:
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError


class Text(Type):
    def read(self, node: yaml.Node, name: str, at: Context) -> Any:
        value = scalar(node)
        if isinstance(value, bool | int | float):
            reads = "true/false" if isinstance(value, bool) else "a number"
            at.report(node, f"'{name}': write {node.value!r} in quotes (YAML reads it as {reads})")
            return INVALID
        if not isinstance(value, str) or not value.strip():
            at.report(node, f"'{name}' must be non-empty text")
            return INVALID
        return value.strip()

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1}


class Id(Text):
    def read(self, node: yaml.Node, name: str, at: Context) -> Any:
        value = super().read(node, name, at)
        if value is INVALID:
            return value
        if not _ID_RE.match(value):
            at.report(node, f"{name} '{value}' must be lowercase words joined by hyphens")
            return INVALID
        if len(value) > MAX_ID_LENGTH:
            at.report(
                node,
                f"{name} is {len(value)} characters; at most {MAX_ID_LENGTH} fit in a Telegram "
                "button",
            )
            return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": ID_PATTERN, "maxLength": MAX_ID_LENGTH}


@dataclass(frozen=True)
class Choice(Text):
    values: tuple[str, ...]

    def read(self, node: yaml.Node, name: str, at: Context) -> Any:
        value = super().read(node, name, at)
        if value is not INVALID and value not in self.values:
            at.report(
                node,
                f"'{name}' is '{value}'; it must be one of: {', '.join(self.values)}"
                + suggest(value, self.values),
            )
            return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        return {"enum": list(self.values)}


@dataclass(frozen=True)
class ListOf(Type):
    item: Type
    non_empty: bool = False

    def read(self, node: yaml.Node, name: str, at: Context) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            at.report(node, f"'{name}' must be a list")
            return INVALID
        items = [self.item.read(item, name, at) for item in node.value]
        if self.non_empty and not items:
            at.report(node, f"'{name}' must not be empty")
            return INVALID
        return tuple(item for item in items if item is not INVALID)

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": self.item.schema()}
        if self.non_empty:
            schema["minItems"] = 1
        return schema


def mapping_items(
    node: yaml.MappingNode, at: Context
) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """(key, key node, value node); a key given twice is reported (YAML keeps only the last)."""
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = str(scalar(key_node))
        if key in seen:
            at.report(key_node, f"'{key}' is given twice")
            continue
        seen.add(key)
        yield key, key_node, value_node


@dataclass(frozen=True)
class MapOf(Type):
    """A mapping whose keys are data (synonyms, service ids), each key with the same value."""

    key: Type
    value: Type
    description: str = ""

    def read(self, node: yaml.Node, name: str, at: Context) -> Any:
        if not isinstance(node, yaml.MappingNode):
            at.report(node, f"'{name}' must map a key to a value")
            return INVALID
        result: dict[str, Any] = {}
        for key, key_node, value_node in mapping_items(node, at):
            if self.key.read(key_node, f"{name} key", at) is INVALID:
                continue
            value = self.value.read(value_node, f"{name}: {key}", at)
            if value is not INVALID:
                result[key] = (value, line_of(value_node))
        return result

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "object", "additionalProperties": self.value.schema()}
        if isinstance(self.key, Choice):
            schema["propertyNames"] = {"enum": list(self.key.values)}
        elif isinstance(self.key, Id):
            schema["propertyNames"] = {"pattern": ID_PATTERN}
        if self.description:
            schema["description"] = self.description
        return schema


@dataclass(frozen=True)
class Field:
    """One field of a record; `required_for` and `only_for` name kinds of entry (or "all")."""

    name: str
    type: Type
    description: str
    required: bool = False
    required_for: tuple[str, ...] = ()
    only_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class Record(Type):
    """A mapping of named fields. With `by`, fields may be required or allowed per kind."""

    fields: tuple[Field, ...]
    what: str = "mapping of fields"
    by: str | None = None  # the field whose value decides the per-kind rules ("kind")
    names_entry: bool = False  # problems inside carry this record's id

    def spec_of(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def read(self, node: yaml.Node, name: str, at: Context) -> Any:
        if not isinstance(node, yaml.MappingNode):
            at.report(node, f"each {name} must be a {self.what}")
            return INVALID
        if self.names_entry:
            raw_id = next((scalar(v) for k, v in node.value if scalar(k) == "id"), None)
            at = Context(at.file, at.problems, raw_id if isinstance(raw_id, str) else None)
        values: dict[str, Any] = {}
        broken = False
        for key, key_node, value_node in mapping_items(node, at):
            spec = self.spec_of(key)
            if spec is None:
                names = [f.name for f in self.fields]
                at.report(key_node, f"unknown field '{key}'{suggest(key, names)}")
                continue
            value = spec.type.read(value_node, key, at)
            broken |= value is INVALID
            if value is not INVALID:
                values[key] = value
        kind = values.get(self.by) if self.by else None
        for spec in self.fields:
            if spec.name not in values and (spec.required or kind in spec.required_for):
                if spec.required:
                    at.report(node, f"missing field '{spec.name}'")
                else:
                    at.report(node, f"a {kind} needs '{spec.name}'")
                broken = True
            elif spec.name in values and spec.only_for and kind not in spec.only_for:
                allowed = " and ".join(f"{k}s" for k in spec.only_for)
                at.report(node, f"only {allowed} have '{spec.name}', not a {kind}")
                broken = True
        values["_line"] = line_of(node)
        values["_broken"] = broken
        return values

    def schema(self) -> dict[str, Any]:
        properties = {}
        for spec in self.fields:
            properties[spec.name] = {**spec.type.schema(), "description": spec.description}
        schema: dict[str, Any] = {
            "type": "object",
            "additionalProperties": False,
            "required": [f.name for f in self.fields if f.required],
            "properties": properties,
        }
        rules = []
        if self.by:
            kinds = self._kinds()
            for kind in kinds:
                need = [f.name for f in self.fields if kind in f.required_for]
                refuse = [f.name for f in self.fields if f.only_for and kind not in f.only_for]
                then: dict[str, Any] = {}
                if need:
                    then["required"] = need
                if refuse:
                    then["not"] = {"anyOf": [{"required": [name]} for name in refuse]}
                if then:
                    rules.append({"if": {"properties": {self.by: {"const": kind}}}, "then": then})
        if rules:
            schema["allOf"] = rules
        return schema

    def _kinds(self) -> Sequence[str]:
        spec = self.spec_of(self.by or "")
        return spec.type.values if spec and isinstance(spec.type, Choice) else ()


# --- the declaration -------------------------------------------------------------------------

TEXT = Text()
ID = Id()
TEXTS = ListOf(TEXT)
IDS = ListOf(ID)
RULES_AND_INFO = ("rule", "info")

SERVICE_LINE = Record(
    (
        Field(
            "verdict", Choice(VERDICTS), "This service's verdict, if it differs from the entry's."
        ),
        Field("note", TEXT, "One line on how the rule reads for this service.", required=True),
        Field("note_hi", TEXT, "The same line in Hindi."),
    ),
    what="mapping with 'note' (and 'verdict' where it differs)",
)

HINDI = Record(
    (
        Field("title", TEXT, "The title in Hindi."),
        Field("answer", TEXT, "The rule in plain Hindi."),
        Field("why", TEXT, "Why it matters, in Hindi."),
        Field("examples", TEXTS, "The examples in Hindi."),
        Field("do_instead", TEXTS, "What to do instead, in Hindi."),
        Field("sources", TEXTS, "The sources, with their Hindi names where in common use."),
    ),
    what="mapping of Hindi texts",
)

ENTRY = Record(
    (
        Field("id", ID, "Stable id: lowercase words joined by hyphens. Never rename.", True),
        Field("kind", Choice(KINDS), "What sort of entry this is.", True),
        Field("title", TEXT, "Short title shown on buttons and headings.", True),
        Field(
            "verdict",
            Choice(VERDICTS),
            "The short answer to 'can I ...?', true for every question of the entry.",
            required_for=("rule",),
            only_for=("rule",),
        ),
        Field("answer", TEXT, "The rule in plain words.", True),
        Field(
            "why",
            TEXT,
            "Why it matters in this situation, in one or two sentences.",
            required_for=("rule",),
        ),
        Field("concerns", IDS, "Ids of the concerns this touches.", required_for=("rule",)),
        Field("examples", TEXTS, "Concrete examples."),
        Field("do_instead", TEXTS, "What to do instead."),
        Field("questions", ListOf(TEXT, non_empty=True), "How people ask it (matching).", True),
        Field("keywords", TEXTS, "Other words people use for this topic."),
        Field("related", IDS, "Ids of entries an officer may want next."),
        Field(
            "sources",
            ListOf(TEXT, non_empty=True),
            "The rule, law or policy this rests on, and whom it binds.",
            True,
        ),
        Field(
            "services",
            MapOf(ID, SERVICE_LINE),
            "Per service (ids from the services list): a line, and a verdict where it differs.",
            only_for=RULES_AND_INFO,
        ),
        Field("split_from", ID, "The entry this one was split from (evaluation sets name it)."),
        Field("aliases", IDS, "Old ids of this entry, so published links keep working."),
        Field("hi", HINDI, "The entry's texts in Hindi."),
    ),
    what="mapping of fields",
    by="kind",
    names_entry=True,
)

SERVICE = Record(
    (
        Field("id", ID, "Stable id of the service (used by --service and in entries).", True),
        Field("title", TEXT, "How the bot names the service ('UP Police').", True),
        Field("title_hi", TEXT, "The same in Hindi."),
        Field("rules", TEXT, "The rules or orders that bind this service.", True),
        Field("phrases", TEXTS, "How officers say they belong to it ('up police', 'ias')."),
        Field("places", TEXTS, "The state it serves ('up'), named near one of its roles."),
        Field("roles", TEXTS, "Its posts ('bdo', 'tehsildar'): 'BDO in UP' names the service."),
        Field("note", TEXT, "Said when an entry has no line of its own for this service."),
        Field("note_hi", TEXT, "The same in Hindi."),
    ),
    names_entry=True,
)

WORDS = MapOf(TEXT, TEXTS, "canonical word -> the words people type for it")
FILE_FIELDS: tuple[Field, ...] = (
    Field("entries", ListOf(ENTRY), "The entries of this file."),
    Field("services", ListOf(SERVICE), "The services whose rules decide verdicts."),
    Field(
        "phrasings",
        MapOf(ID, TEXTS, "entry id -> more questions for that entry (added from the bot)"),
        "More questions for existing entries.",
    ),
    Field("synonyms", WORDS, "canonical word -> the words people type for it"),
    Field("ignore", TEXTS, "filler words that never decide a match"),
    Field("generic", TEXTS, "words that alone never name a topic ('post', 'photo')"),
    Field("off_topic", TEXTS, "words or phrases marking questions the bot does not answer"),
    Field(
        "glossary",
        MapOf(TEXT, TEXT, "English term -> the Hindi every entry uses for it"),
        "The Hindi used for legal and service terms, so every entry says them alike.",
    ),
)
FILE_KEYS = tuple(f.name for f in FILE_FIELDS)


def read_file_node(root: yaml.Node, at: Context) -> dict[str, Any]:
    """The top-level keys of one file, each read by its declared type."""
    if not isinstance(root, yaml.MappingNode):
        at.report(root, "the file must be a mapping with the keys " + ", ".join(FILE_KEYS))
        return {}
    result: dict[str, Any] = {}
    for key, key_node, value_node in mapping_items(root, at):
        spec = next((f for f in FILE_FIELDS if f.name == key), None)
        if spec is None:
            at.report(key_node, f"unknown top-level key '{key}'{suggest(key, FILE_KEYS)}")
            continue
        if isinstance(spec.type, ListOf) and isinstance(spec.type.item, Record):
            if not isinstance(value_node, yaml.SequenceNode):
                at.report(value_node, f"'{key}' must be a list of {key}")
                continue
            item_name = "entry" if key == "entries" else key.rstrip("s")
            result[key] = [spec.type.item.read(item, item_name, at) for item in value_node.value]
        else:
            value = spec.type.read(value_node, key, at)
            if value is not INVALID:
                result[key] = (value, line_of(value_node))
    return result


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a knowledge file, derived from the declaration above."""
    properties = {}
    for spec in FILE_FIELDS:
        schema = spec.type.schema()
        if isinstance(spec.type, ListOf) and isinstance(spec.type.item, Record):
            name = "entry" if spec.name == "entries" else spec.name.rstrip("s")
            schema = {"type": "array", "items": {"$ref": f"#/$defs/{name}"}}
        properties[spec.name] = {**schema, "description": spec.description}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Conduct bot knowledge file",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "$defs": {"entry": ENTRY.schema(), "service": SERVICE.schema()},
    }
