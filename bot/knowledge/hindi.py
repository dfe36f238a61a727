"""Checks of the Hindi beside the English: the same facts, the same terms, nothing missing.

An officer who reads the Hindi must be told the same rule numbers, sections, dates and
amounts as one who reads the English, so a number that differs between the two texts of a
field is an error. A missing Hindi text is only a warning (an admin may add an entry in
English first; the bot then answers it in English with a one-line note in Hindi), and so is
a legal term not rendered as the glossary says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from bot.knowledge.model import Entry, Problem
from bot.text import stems

_NUMBER = re.compile(r"\d+")


def numbers(text: str) -> list[int]:
    """The numbers in a text, in any script's digits (२०२३ is 2023), sorted."""
    return sorted(int(n) for n in _NUMBER.findall(text))


def _pairs(entry: Entry) -> Iterator[tuple[str, str, str]]:
    """(field, English, Hindi) for every field the entry has in both languages."""
    hindi = entry.hi
    if hindi is not None:
        for name in ("title", "answer", "why"):
            theirs = getattr(hindi, name)
            if theirs is not None:
                yield name, getattr(entry, name) or "", theirs
        for name in ("examples", "do_instead", "sources"):
            theirs = getattr(hindi, name)
            if theirs:
                yield name, " ".join(getattr(entry, name)), " ".join(theirs)
    for service, line in entry.services.items():
        if line.note_hi is not None:
            yield f"services: {service}", line.note, line.note_hi


def hindi_numbers(entries: Sequence[Entry]) -> Iterator[Problem]:
    for entry in entries:
        for name, english, hindi in _pairs(entry):
            if numbers(english) != numbers(hindi):
                message = (
                    f"'{name}': the Hindi has the numbers {numbers(hindi)} but the English "
                    f"{numbers(english)}; they must be the same"
                )
                yield Problem(entry.file, entry.line, entry.id, message)


def hindi_gaps(entries: Sequence[Entry], glossary: Mapping[str, str]) -> Iterator[Problem]:
    terms = _Terms(glossary)
    for entry in entries:
        hindi = entry.hi
        missing = [
            name
            for name in ("title", "answer", "why", "examples", "do_instead", "sources")
            if getattr(entry, name) and (hindi is None or not getattr(hindi, name))
        ]
        if missing:
            message = f"no Hindi for {', '.join(missing)}: answered in English to Hindi askers"
            yield Problem(entry.file, entry.line, entry.id, message)
        yield from terms.check(entry)


class _Terms:
    """A glossary term in the English whose Hindi text does not use the glossary's word.

    Compared word by word on stems, so an inflected form counts (अधिकारियों for अधिकारी);
    a term inside a hyphenated compound ("law-and-order") is not the term. All terms are
    looked for in one pass per text (one pattern), since this runs on every load."""

    def __init__(self, glossary: Mapping[str, str]) -> None:
        self._hindi = {term.casefold(): set(stems(hindi)) for term, hindi in glossary.items()}
        self._rendering = {term.casefold(): hindi for term, hindi in glossary.items()}
        alternatives = "|".join(re.escape(term) for term in sorted(glossary, key=len, reverse=True))
        self._pattern = (
            re.compile(rf"(?<![-\w])(?:{alternatives})(?![-\w])", re.IGNORECASE)
            if glossary
            else None
        )

    def check(self, entry: Entry) -> Iterator[Problem]:
        if self._pattern is None:
            return
        for name, english, hindi in _pairs(entry):
            said = {m.group(0).casefold() for m in self._pattern.finditer(english)}
            if not said:
                continue
            hindi_stems = set(stems(hindi))
            for term in sorted(said):
                if not self._hindi[term] <= hindi_stems:
                    rendering = self._rendering[term]
                    message = f"'{name}': '{term}' is \u201c{rendering}\u201d in the glossary"
                    yield Problem(entry.file, entry.line, entry.id, message)
