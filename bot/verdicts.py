"""Which verdict an entry gives to the officer asking, by the rules of the officer's service.

An entry has one verdict, true for every service it has no line for; a service whose rules
differ has its own line (and verdict). When the asker's service is known, the answer is theirs.
When it is not and the services' verdicts differ, the honest headline is "depends", followed by
how it differs; a verdict that is right for one service must never reach another as settled.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge import Entry, KnowledgeBase, Service

DEPENDS = "depends"


@dataclass(frozen=True)
class ServiceVerdict:
    """One service's verdict and line, as listed under "how it differs"."""

    service: Service
    verdict: str
    note: str
    note_hi: str | None = None


@dataclass(frozen=True)
class Ruling:
    """The verdict an entry gives one asker, and what to say about the asker's service."""

    verdict: str | None  # None: the entry gives no verdict (a concern, an overview, information)
    service: Service | None = None  # the asker's service, when known
    note: str | None = None  # the line for that service
    note_hi: str | None = None
    differs: tuple[ServiceVerdict, ...] = ()  # when it depends on the (unknown) service
    others: str | None = None  # with `differs`: the verdict for every service not listed
    general: bool = False  # the note is the service's general one, not this entry's own line

    @property
    def depends_on_service(self) -> bool:
        return bool(self.differs)


def headline(entry: Entry, service_id: str | None) -> str | None:
    """The verdict an asker of `service_id` (None: not known) would be shown for `entry`,
    without the lines under it: what the matcher compares when two entries nearly tie."""
    if entry.verdict is None:
        return None
    if service_id is None:
        differs = any(headline(entry, s) != entry.verdict for s in entry.services)
        return DEPENDS if differs else entry.verdict
    line = entry.services.get(service_id)
    return (line.verdict if line else None) or entry.verdict


def rule_for(entry: Entry, kb: KnowledgeBase, service_id: str | None) -> Ruling:
    """The ruling for an asker of `service_id` (None: not known)."""
    service = kb.service(service_id)
    if entry.verdict is None:
        return _informational(entry, service)
    if service is not None:
        verdict = headline(entry, service.id)
        line = entry.services.get(service.id)
        if line is not None:
            return Ruling(verdict, service, line.note, line.note_hi)
        return Ruling(verdict, service, service.note, service.note_hi, general=True)
    listed = [
        ServiceVerdict(s, headline(entry, s.id) or entry.verdict, entry.services[s.id].note,
                       entry.services[s.id].note_hi)
        for s in kb.services
        if s.id in entry.services
    ]  # fmt: skip
    differing = tuple(v for v in listed if v.verdict != entry.verdict)
    if not differing:
        return Ruling(entry.verdict)
    return Ruling(DEPENDS, differs=differing, others=entry.verdict)


def _informational(entry: Entry, service: Service | None) -> Ruling:
    """Entries without a verdict still speak to the asker's service where they have a line."""
    line = entry.services.get(service.id) if service else None
    if line is None:
        return Ruling(None, service)
    return Ruling(None, service, line.note, line.note_hi)


def verdicts_by_service(entry: Entry, kb: KnowledgeBase) -> dict[str, str | None]:
    """Every service's verdict for this entry (what `validate` and the tests check)."""
    return {s.id: rule_for(entry, kb, s.id).verdict for s in kb.services}
