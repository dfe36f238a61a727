"""Checks across entries and files: what no single entry can check alone.

Links must lead somewhere of the right kind, ids and questions must be unique, a service an
entry speaks to must exist, and a synonym means one thing. A duplicate is blamed on the later
copy (the original is usually the one nobody touched).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from bot.knowledge.format import suggest
from bot.knowledge.model import Entry, Problem, Service
from bot.text import fold

if TYPE_CHECKING:
    from bot.knowledge.loading import ParsedFile


def cross_check(
    entries: Sequence[Entry],
    services: Sequence[Service],
    links_checkable: bool = True,
    edited: Mapping[str, float] | None = None,
) -> Iterator[Problem]:
    """Every cross-entry problem. Links are checked only when every file parsed: a file that
    does not parse would otherwise turn into a flood of knock-on "unknown id" problems.

    An id given twice is blamed on the copy an editor most likely just made: the one in the
    file changed last (`edited`: file -> modification time), else the later one."""
    edited = edited or {}
    newest_last = sorted(entries, key=lambda e: (edited.get(e.file, 0.0), e.file, e.line))
    owners: dict[str, Entry] = {}
    for entry in newest_last:
        for name in (entry.id, *entry.aliases):
            first = owners.get(name)
            if first is None:
                owners[name] = entry
            else:
                where = f"{first.file}:{first.line}"
                message = f"id '{name}' is already used at {where}; give this entry a new id"
                yield Problem(entry.file, entry.line, entry.id, message)
    yield from _duplicate_services(services)
    if links_checkable:
        known_services = {s.id for s in services}
        for entry in entries:
            yield from _links(entry, owners, known_services)
    yield from _duplicate_questions(entries)


def _links(entry: Entry, owners: dict[str, Entry], services: set[str]) -> Iterator[Problem]:
    def problem(message: str) -> Problem:
        return Problem(entry.file, entry.line, entry.id, message)

    for target in entry.concerns:
        linked = owners.get(target)
        if linked is None or linked.kind != "concern":
            what = "does not exist" if linked is None else f"is a {linked.kind}"
            hint = suggest(target, [i for i, e in owners.items() if e.kind == "concern"])
            yield problem(
                f"'concerns' links to '{target}', which {what}; it must be a concern{hint}"
            )
    for target in entry.related:
        if target not in owners:
            yield problem(f"'related' links to unknown id '{target}'{suggest(target, owners)}")
        elif owners[target] is entry:
            yield problem("'related' links the entry to itself")
    if entry.split_from is not None:
        parent = owners.get(entry.split_from)
        if parent is None:
            yield problem(f"'split_from' names unknown id '{entry.split_from}'")
        elif parent is entry:
            yield problem("'split_from' names the entry itself")
    for service in entry.services:
        if service not in services:
            yield problem(
                f"'services' names unknown service '{service}'{suggest(service, services)}"
            )
    if entry.hi is not None:
        for service, line in entry.services.items():
            if line.note_hi is None:
                yield problem(f"'services: {service}' has no 'note_hi' though the entry has Hindi")


def _duplicate_services(services: Sequence[Service]) -> Iterator[Problem]:
    seen: set[str] = set()
    for service in services:
        if service.id in seen:
            message = f"service '{service.id}' is declared twice"
            yield Problem(service.file, service.line, service.id, message)
        seen.add(service.id)


def _duplicate_questions(entries: Sequence[Entry]) -> Iterator[Problem]:
    phrasings: dict[str, Entry] = {}
    for entry in entries:
        for question in entry.questions:
            first = phrasings.setdefault(fold(question), entry)
            if first is not entry:
                where = f"{first.file}:{first.line}"
                message = f"question '{question}' is also a question of '{first.id}' ({where})"
                yield Problem(entry.file, entry.line, entry.id, message)


def merge_synonyms(parsed: Sequence[ParsedFile], problems: list[Problem]) -> dict[str, str]:
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
