"""One question, one answer: match it, then rule on it for the officer asking.

This is the path every front door takes (private chats, groups, inline, the CLI, evaluation):
the asker's service (named in the question, or chosen once) is an input to the answer, never
a branch in a handler.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.asker import Asker, ServiceDetector
from bot.knowledge import Entry, KnowledgeBase, Service
from bot.matcher import Band, Match, Matcher
from bot.text import asks_for_information, language_of
from bot.verdicts import Ruling, rule_for


@dataclass(frozen=True)
class Answer:
    question: str
    match: Match
    ruling: Ruling | None  # set when the match is confident
    service: Service | None  # the asker's service, as used for the ruling
    service_stated: bool = False  # named in the question (rather than chosen before)
    language: str = "en"  # the language of the answer: chosen, else the question's script

    @property
    def band(self) -> Band:
        return self.match.band

    @property
    def entry(self) -> Entry | None:
        return self.match.entry

    @property
    def verdict(self) -> str | None:
        """The headline verdict this asker is given, or None (no confident answer, or none due)."""
        return self.ruling.verdict if self.ruling else None


class Answerer:
    """Everything needed to answer from one knowledge base. Built once per knowledge base."""

    def __init__(self, kb: KnowledgeBase, matcher: Matcher) -> None:
        self.kb = kb
        self.matcher = matcher
        self.detector = ServiceDetector(kb)

    def ask(self, question: str, asker: Asker | None = None) -> Answer:
        """The answer to a message, as one question."""
        return self._answers(question, asker, each=False)[0]

    def ask_all(self, message: str, asker: Asker | None = None) -> tuple[Answer, ...]:
        """One answer per question when a message asks several about different things
        (up to three, in the order asked), else the one answer."""
        return self._answers(message, asker, each=True)

    def _answers(self, message: str, asker: Asker | None, *, each: bool) -> tuple[Answer, ...]:
        named, rest = self.detector.strip(message)
        service = named or self.kb.service(asker.service if asker else None)
        service_id = service.id if service else None
        text = rest if named else message
        matches = (
            self.matcher.match_each(text, service=service_id)
            if each
            else [self.matcher.match(text, service_id)]
        )
        language = (asker.language if asker else None) or language_of(message)
        return tuple(
            Answer(
                match.question if len(matches) > 1 else message,
                match,
                self._ruling(match, service_id),
                service,
                named is not None,
                language,
            )
            for match in matches
        )

    def _ruling(self, match: Match, service_id: str | None) -> Ruling | None:
        """The verdict for a "may I?" question; for one asking what a rule says or what
        follows ("what is the punishment for ..."), the rule without a verdict headline."""
        if match.entry is None:
            return None
        ruling = rule_for(match.entry, self.kb, service_id)
        if ruling.verdict is not None and asks_for_information(match.question):
            return replace(ruling, verdict=None, differs=(), others=None)
        return ruling

    def rule(self, entry: Entry, service_id: str | None) -> Ruling:
        """The ruling on an entry opened directly (a button, a deep link) for a service."""
        return rule_for(entry, self.kb, service_id)
