"""The knowledge base as the rest of the bot sees it: immutable entries, services and words.

A loaded knowledge base never changes under a reader; a reload builds a new one and swaps it
in. Nothing here knows about YAML: `bot.knowledge.loading` builds these from the files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

KINDS = ("concern", "guideline", "overview", "rule", "info")
# What an officer may do, from most to least free. `depends` is also what an entry says when
# its verdict differs between services and the asker's service is not known.
VERDICTS = ("allowed", "allowed with care", "only with permission", "not allowed", "depends")
LANGUAGES = ("en", "hi")


@dataclass(frozen=True)
class ServiceLine:
    """What an entry says to one service: its own verdict (None: the entry's) and a line."""

    note: str
    verdict: str | None = None
    note_hi: str | None = None


@dataclass(frozen=True)
class Hindi:
    """An entry's Hindi text, beside the English in the same YAML entry."""

    title: str | None = None
    answer: str | None = None
    why: str | None = None
    examples: tuple[str, ...] = ()
    do_instead: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


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
    why: str | None = None
    concerns: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    do_instead: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    services: Mapping[str, ServiceLine] = field(default_factory=dict)
    split_from: str | None = None
    hi: Hindi | None = None
    file: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)

    @property
    def topic(self) -> str:
        """The id evaluation sets may name for this entry: its own, or the one it was split from."""
        return self.split_from or self.id


@dataclass(frozen=True)
class Service:
    """A service an officer belongs to, whose rules decide some verdicts."""

    id: str
    title: str
    rules: str  # the rules or orders that bind it, as an officer would name them
    phrases: tuple[str, ...] = ()  # how officers say they belong to it ("up police", "ias")
    places: tuple[str, ...] = ()  # the state it serves ("up", "महाराष्ट्र"), said with a role
    roles: tuple[str, ...] = ()  # its posts ("bdo", "naib tehsildar"), said with a place
    note: str | None = None  # said when an entry has no line of its own for this service
    title_hi: str | None = None
    note_hi: str | None = None
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
    """All entries and services plus the shared vocabulary used to match questions."""

    entries: tuple[Entry, ...]
    synonyms: Mapping[str, str]  # variant -> canonical
    ignore: frozenset[str]
    _by_id: Mapping[str, Entry] = field(repr=False, compare=False, default_factory=dict)
    off_topic: frozenset[str] = frozenset()  # phrases marking questions the bot does not answer
    generic: frozenset[str] = frozenset()  # words that alone never name a topic ("post")
    services: tuple[Service, ...] = ()
    warnings: tuple[Problem, ...] = ()  # worth an editor's look, but nothing stops loading
    glossary: Mapping[str, str] = field(default_factory=dict)  # English term -> Hindi

    def get(self, entry_id: str) -> Entry | None:
        """Look an entry up by id or by one of its old ids (aliases)."""
        return self._by_id.get(entry_id)

    def of_kind(self, kind: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.kind == kind)

    def rules_under(self, concern_id: str) -> tuple[Entry, ...]:
        """Situations (and information) that touch a concern: how /topics goes from a concern
        to its rules."""
        return tuple(
            e for e in self.entries if e.kind in ("rule", "info") and concern_id in e.concerns
        )

    def service(self, service_id: str | None) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

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
