"""Who is asking: the officer's service, told in the question or chosen once.

Officers often say who they are ("UP Police constable hoon", "I'm IAS", "as a central govt
employee"). The service decides some verdicts, so it is read from the question; the words that
said it are then taken out, so "UP Police" does not pull a question about gifts towards the
entries that cite the UP Police policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from bot.knowledge import KnowledgeBase, Service
from bot.text import PhraseIndex, fold, words

# A service named in a question says who is asking only when it names a person: "I am UP
# Police", "as a CRPF jawan", "UP Police constable hoon", "can IAS officers ...". The same
# words in "what does the UP Police policy say" name a document, not the asker.
_BEFORE = frozenset(fold("i im am main mai hum ham we as being a an ek मैं हम एक").split())
_AFTER = frozenset(
    fold(
        "hoon hu hun hain officer officers employee employees staff constable constables jawan "
        "jawans personnel cop cops si inspector karmachari karmchari adhikari servant servants "
        "wala wali sipahi hoo हूँ हूं हू अधिकारी कर्मचारी सिपाही कांस्टेबल जवान में"
    ).split()
)


@dataclass(frozen=True)
class Asker:
    """What the bot knows of the person asking, before reading the question."""

    service: str | None = None  # chosen once (/service, --service, an "I am" button)
    language: str | None = None  # chosen once (/language, --lang); else the question's script


@dataclass(frozen=True)
class ServiceMention:
    service: Service
    start: int  # word positions of the phrase in the question's folded words
    end: int


class ServiceDetector:
    """Finds a service named in a question. Built once per knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        phrases = [(tuple(words(p)), s) for s in kb.services for p in s.phrases if words(p)]
        self._phrases = PhraseIndex(phrases)
        self._places = PhraseIndex(
            (tuple(words(p)), s.id) for s in kb.services for p in s.places if words(p)
        )
        self._roles = PhraseIndex(
            (tuple(words(r)), s) for s in kb.services for r in _roles_of(s, kb.services) if words(r)
        )

    def find(self, question: str) -> ServiceMention | None:
        """The longest service phrase naming the asker (the earliest, between equals; the
        first listed, between equals there); failing one, a role said with its state ("BDO in
        UP", "UP mein naib tehsildar hoon")."""
        folded = words(question)
        mentions = _naming(folded, self._phrases.found(folded)) or _naming(
            folded, self._posts(folded)
        )
        return min(mentions, key=lambda m: m[:3])[3] if mentions else None

    def _posts(self, folded: Sequence[str]) -> Iterator[tuple[int, int, int, Service]]:
        """(start, end, order, service) of a service's role and one of its places at most two
        words apart, either way round: officers of state services name their post and their
        state, rarely their rules."""
        roles = list(self._roles.found(folded))
        places = list(self._places.found(folded)) if roles else []
        for start, end, order, service in roles:
            for p_start, p_end, _, place in places:
                gap = p_start - end if p_start >= end else start - p_end
                if place == service.id and 0 <= gap <= _NEAR:
                    yield min(start, p_start), max(end, p_end), order, service

    def strip(self, question: str) -> tuple[Service | None, str]:
        """The service named in the question, and the question without the words naming it
        (its punctuation kept, since it tells where the question is in a long message)."""
        mention = self.find(question)
        if mention is None:
            return None, question
        span = _span(question, words(question)[mention.start : mention.end])
        if span is None:
            return mention.service, question
        marked = question[: span[0]] + "\0" + question[span[1] :]
        return mention.service, _without_introduction(marked)


def _naming(
    folded: Sequence[str], found: Iterable[tuple[int, int, int, Service]]
) -> list[tuple[int, int, int, ServiceMention]]:
    """The mentions among `found` that say who someone is, keyed longest, earliest, first."""
    return [
        (-(end - start), start, order, ServiceMention(service, start, end))
        for start, end, order, service in found
        if _names_a_person(folded, start, end)
    ]


def _roles_of(service: Service, services: Sequence[Service]) -> Sequence[str]:
    """A service's posts; one with places but no posts of its own (other states) has every
    state post the others list, so services.yaml lists each post once."""
    if service.roles or not service.places:
        return service.roles
    return list(dict.fromkeys(r for s in services for r in s.roles))


# How many words may stand between a role and its state ("BDO in UP", "teacher in a UP school").
_NEAR = 2

_TOKEN = re.compile(r"[\w\u0900-\u0dff]+")


def _span(text: str, named: Sequence[str]) -> tuple[int, int] | None:
    """Where, in the text as typed, the words that fold to `named` are (Devanagari and Latin
    alike: the comparison is on folded words, the cut on the original characters)."""
    tokens = [(m.start(), m.end(), words(m.group())) for m in _TOKEN.finditer(text)]
    flat = [(start, end, w) for start, end, folded in tokens for w in folded]
    size = len(named)
    for i in range(len(flat) - size + 1):
        if [w for _, _, w in flat[i : i + size]] == list(named):
            return flat[i][0], flat[i + size - 1][1]
    return None


# Words of a sentence that only says who is asking ("I am a constable in UP Police.",
# "मैं यूपी पुलिस में सिपाही हूँ।"): once the service is taken out, nothing of the question.
_INTRODUCTION = (
    _BEFORE
    | _AFTER
    | frozenset(
        fold(
            "the of in from at with working posted serving currently here hai ho se ka ki ke mein "
            "mai me posted tainat में से का की के है हैं हो हूँ हूं तैनात यहाँ"
        ).split()
    )
)


def _without_introduction(text: str) -> str:
    """The message without the sentence that named the service (marked by a NUL), when that
    sentence only introduced the asker; the words naming it go either way."""
    sentences = re.split(r"(?<=[.?!।\n])", text)
    kept = [
        s
        for s in sentences
        if "\0" not in s or not set(words(s.replace("\0", " "))) <= _INTRODUCTION
    ]
    if not any(words(s) for s in kept):  # the message was only an introduction
        kept = sentences
    return "".join(kept).replace("\0", " ")


def _names_a_person(folded: Sequence[str], start: int, end: int) -> bool:
    """Whether the phrase at folded[start:end] says who someone is (see _BEFORE, _AFTER)."""
    if folded[end - 1] in _AFTER:  # "central government employee", "ias officer"
        return True
    before = folded[max(0, start - 3) : start]
    after = folded[end : end + 2]
    return bool(_BEFORE.intersection(before) or _AFTER.intersection(after))
