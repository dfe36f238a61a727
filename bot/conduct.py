"""The bot's one application object: everything a front door asks of it.

Telegram handlers, the CLI and the playground translate their input into these calls and the
plain results back; none of them reaches into the knowledge base, the matcher or the database
on its own. Calls that touch SQLite or files run in a worker thread, so a slow disk never
stalls the event loop that answers everyone else. No Telegram import here: python-telegram-bot
holds one `Conduct` as its `bot_data` (ContextTypes), and the CLI opens its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot import phrasings, reports
from bot.answering import Answer
from bot.asker import Asker
from bot.config import Settings
from bot.flood import FloodGuard, Pace
from bot.group_commit import GroupCommit
from bot.knowledge import Entry, KnowledgeDiff, KnowledgeError, Problem, Service
from bot.reports import UnansweredGroup
from bot.service import AnswerService, Snapshot
from bot.store import Asked, Preferences, Stats, Store, StoreError
from bot.text import fold, language_of
from bot.verdicts import Ruling
from bot.wording import LANGUAGES

logger = logging.getLogger(__name__)

STORE_ALERT_EVERY = 3600.0  # seconds between repeated "cannot save" alerts to admins
REPORT_DAYS = 30
PREFERENCES_KEPT = 10_000  # users whose /service and /language are kept in memory


class Outcome(StrEnum):
    """What became of something a user asked to be saved or deleted."""

    DONE = "done"
    STALE = "stale"  # it names an entry or service that no longer exists
    NOT_SAVED = "not saved"  # the database refused (the admins are told)
    NO_STORAGE = "no storage"  # the bot has run without a database since it started


class Budget(StrEnum):
    """Flood control keeps two allowances per user (see bot.handlers.limits)."""

    QUESTIONS = "questions"
    TAPS = "taps"  # inline keystrokes and button presses


@dataclass(frozen=True)
class Opened:
    """An entry opened directly (a button, a deep link), ruled on for the asker's service."""

    entry: Entry
    ruling: Ruling
    service: str | None


@dataclass(frozen=True)
class Offered:
    """Entries offered for an inline query, best first, each ruled on for the asker."""

    results: tuple[Opened, ...]
    language: str | None  # the query's; None for an empty query (the front door decides)
    chosen_language: str | None  # the user's own choice, if any


@dataclass(frozen=True)
class Forgotten:
    outcome: Outcome
    count: int = 0


class LearnOutcome(StrEnum):
    ADDED = "added"
    GONE = "gone"  # the question is no longer stored, or its entry no longer exists
    INVALID = "invalid"  # the knowledge base would not validate with it (nothing changed)
    NOT_WRITTEN = "not written"  # the file could not be read or written (nothing changed)


@dataclass(frozen=True)
class Learned:
    outcome: LearnOutcome
    question: str = ""
    entry: Entry | None = None
    reason: str = ""  # NOT_WRITTEN: why, in plain words
    problems: tuple[Problem, ...] = ()  # INVALID: what validation said


@dataclass(frozen=True)
class Reloaded:
    diff: KnowledgeDiff | None  # None when the new files did not validate
    entries: int
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()  # admins' learned phrasings left out


@dataclass
class _Parts:
    settings: Settings
    answers: AnswerService
    store: Store
    questions: FloodGuard
    taps: FloodGuard
    watch_files: bool
    asked: GroupCommit[Asked]
    # The users with a saved choice (hashed), so nobody else's question waits on a read;
    # None when there are too many to keep (or they could not be read): read each time.
    choosers: set[str] | None
    alert: Callable[[str], Awaitable[None]] | None = None
    alerted_at: float = field(default=-STORE_ALERT_EVERY)


class Conduct:
    """The application: created empty (python-telegram-bot creates `bot_data` itself), then
    `open`ed with the settings, the knowledge being served and the database."""

    def __init__(self) -> None:
        self._parts: _Parts | None = None
        self._noted: set[str] = set()
        self._chosen: OrderedDict[int, Preferences] = OrderedDict()

    def note_once(self, what: str) -> bool:
        """True the first time `what` is noted: for things worth saying once per run."""
        first = what not in self._noted
        self._noted.add(what)
        return first

    def open(
        self,
        settings: Settings,
        answers: AnswerService,
        store: Store,
        *,
        watch_files: bool = False,
    ) -> Conduct:
        window = settings.flood_window_seconds
        self._parts = _Parts(
            settings,
            answers,
            store,
            FloodGuard(settings.user_questions_per_window, window),
            FloodGuard(settings.user_taps_per_window, window),
            watch_files,
            GroupCommit(store.record_questions),
            _choosers(store),
        )
        return self

    @property
    def _opened(self) -> _Parts:
        if self._parts is None:
            raise RuntimeError("Conduct.open() was not called")
        return self._parts

    # -- what is in use ----------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self._opened.settings

    @property
    def answers(self) -> AnswerService:
        return self._opened.answers

    @property
    def store(self) -> Store:
        return self._opened.store

    @property
    def snapshot(self) -> Snapshot:
        """The knowledge being served now; take it once per question (see bot.service)."""
        return self._opened.answers.snapshot

    @property
    def watch_files(self) -> bool:
        return self._opened.watch_files

    def on_alert(self, send: Callable[[str], Awaitable[None]]) -> None:
        """How to tell the admins something (a Telegram message, a terminal line)."""
        self._opened.alert = send

    def is_admin(self, user_id: int | None, *, private_chat: bool) -> bool:
        return private_chat and user_id in self.settings.admin_user_ids

    def hashed(self, telegram_id: int) -> str:
        """A user's or chat's id as logs may show it: the start of its keyed hash, as stored."""
        return self.store.user_hash(telegram_id)[:12]

    def pace(self, user_id: int, budget: Budget) -> Pace:
        guard = self._opened.questions if budget is Budget.QUESTIONS else self._opened.taps
        return guard.check(user_id)

    # -- asking ------------------------------------------------------------------------------

    async def preferences(self, user_id: int | None) -> Preferences:
        """The user's saved choices; none when the database cannot be read (answers go on).

        Every question needs them and only this process writes them, so they are read only
        for users known to have saved one (see `_choosers`), and kept once read for the most
        recent users."""
        if user_id is None or not self.store.available:
            return Preferences()
        known = self._chosen.get(user_id)
        if known is not None:
            self._chosen.move_to_end(user_id)
            return known
        choosers = self._opened.choosers
        if choosers is not None and self.store.user_hash(user_id) not in choosers:
            return Preferences()  # most users never choose: no read for them
        try:
            chosen = await asyncio.to_thread(self.store.preferences, user_id)
        except StoreError:
            return Preferences()
        self._remember(user_id, chosen)
        return chosen

    def _chose(self, user_id: int) -> None:
        """A choice was saved: its user's choices are read from now on."""
        parts = self._opened
        if parts.choosers is not None:
            parts.choosers.add(self.store.user_hash(user_id))
            if len(parts.choosers) > PREFERENCES_KEPT:
                parts.choosers = None  # too many to keep: read everyone's
        self._remember(user_id, None)  # read again, as saved

    def _remember(self, user_id: int, chosen: Preferences | None) -> None:
        if chosen is None:
            self._chosen.pop(user_id, None)
            return
        self._chosen[user_id] = chosen
        self._chosen.move_to_end(user_id)
        while len(self._chosen) > PREFERENCES_KEPT:
            self._chosen.popitem(last=False)

    async def ask(self, text: str, *, user_id: int | None, chat_type: str) -> tuple[Answer, ...]:
        """The answers to a message (one per question it asks), for this user's service and
        language; each question is recorded for the admins, a storage fault only reported."""
        chosen = await self.preferences(user_id)
        answers = self.snapshot.ask_all(text, Asker(chosen.service, chosen.language))
        if user_id is not None and self.store.available:
            await self._record(answers, user_id, chat_type)
        return answers

    async def _record(self, answers: Sequence[Answer], user_id: int, chat_type: str) -> None:
        limit = self.settings.match.max_question_chars
        asked = [
            Asked(
                user_id=user_id,
                chat_type=chat_type,
                question=fold(answer.match.question)[:limit],
                band=answer.match.band.value,
                answer_id=answer.match.entry.id if answer.match.entry else None,
                closest_id=(
                    answer.match.candidates[0].entry.id if answer.match.candidates else None
                ),
                score=answer.match.score,
            )
            for answer in answers
        ]
        try:
            await self._opened.asked.add(asked)  # together with others asked meanwhile
        except StoreError as error:
            await self.storage_fault(error)

    async def open_entry(
        self, entry_id: str, user_id: int | None, *, service: str | None = None
    ) -> Opened | None:
        """An entry opened by a button or deep link, for `service` or else the user's own;
        None when it no longer exists."""
        snapshot = self.snapshot
        entry = snapshot.kb.get(entry_id)
        if entry is None:
            return None
        service = service or (await self.preferences(user_id)).service
        return Opened(entry, snapshot.rule(entry, service), service)

    async def offer(self, text: str, user_id: int, limit: int) -> Offered:
        """What inline mode lists for a query as it is typed: the entries worth offering (no
        "did you mean" there: the list is the choice), or the most asked for an empty one."""
        chosen = await self.preferences(user_id)
        snapshot = self.snapshot
        text = text.strip()
        service = chosen.service
        if text:
            named, rest = snapshot.detector.strip(text)
            service = named.id if named else service
            entries = [c.entry for c in snapshot.matcher.offer(rest if named else text, limit)]
        else:
            entries = await self.popular(limit)
        results = tuple(Opened(e, snapshot.rule(e, service), service) for e in entries[:limit])
        return Offered(results, language_of(text) if text else None, chosen.language)

    async def popular(self, limit: int) -> list[Entry]:
        """The most asked entries of the last month, topped up with the overviews and rules."""
        kb = self.snapshot.kb
        try:
            counted = await asyncio.to_thread(self.store.most_asked, REPORT_DAYS, limit)
        except StoreError:
            counted = []
        ranked = [e for e in (kb.get(c.key) for c in counted) if e is not None]
        ranked += [e for e in (*kb.of_kind("overview"), *kb.of_kind("rule")) if e not in ranked]
        return ranked[:limit]

    # -- a user's own data -------------------------------------------------------------------

    async def vote(self, user_id: int, entry_id: str, value: int) -> Outcome:
        """One vote per user per answer; voting again changes it."""
        if self.snapshot.kb.get(entry_id) is None:
            return Outcome.STALE
        return await self._save(
            self.store.record_vote, user_id=user_id, entry_id=entry_id, vote=value
        )

    async def choose_service(self, user_id: int, service_id: str | None) -> Outcome:
        """Remember the service whose rules answers follow (None: forget it)."""
        if service_id is not None and self.service(service_id) is None:
            return Outcome.STALE
        outcome = await self._save(self.store.set_preference, user_id, "service", service_id)
        self._chose(user_id)
        return outcome

    async def choose_language(self, user_id: int, language: str | None) -> Outcome:
        """Remember the language of answers (None: the language each question is asked in)."""
        if language is not None and language not in LANGUAGES:
            return Outcome.STALE
        outcome = await self._save(self.store.set_preference, user_id, "language", language)
        self._chose(user_id)
        return outcome

    def service(self, service_id: str | None) -> Service | None:
        return self.snapshot.kb.service(service_id)

    async def forget(self, user_id: int) -> Forgotten:
        """Delete everything stored for the user; DONE only once the delete is committed."""
        if not self.store.available:
            return Forgotten(Outcome.NO_STORAGE)
        try:
            count = await asyncio.to_thread(self.store.forget_user, user_id)
            self._remember(user_id, None)
        except StoreError as error:
            await self.storage_fault(error)
            return Forgotten(Outcome.NOT_SAVED)
        return Forgotten(Outcome.DONE, count)

    async def _save(self, write: Callable[..., object], *args: object, **kwargs: object) -> Outcome:
        if not self.store.available:
            return Outcome.NO_STORAGE
        saved = await self._write(write, *args, **kwargs)
        return Outcome.DONE if saved else Outcome.NOT_SAVED

    async def _write(self, write: Callable[..., object], *args: object, **kwargs: object) -> bool:
        """A database write off the event loop; a fault is reported, never raised."""
        try:
            await asyncio.to_thread(write, *args, **kwargs)
        except StoreError as error:
            await self.storage_fault(error)
            return False
        return True

    # -- admins ------------------------------------------------------------------------------

    async def reload(self, admin_id: int | None, reason: str) -> Reloaded:
        """Re-read the knowledge base; on failure the previous one keeps serving."""
        try:
            diff = await asyncio.to_thread(self.answers.reload)
        except KnowledgeError as error:
            entries = len(self.snapshot.kb.entries)
            return Reloaded(None, entries, problems=tuple(error.problems))
        kb = self.snapshot.kb
        reloaded = Reloaded(diff, len(kb.entries), warnings=kb.warnings)
        if admin_id is not None:
            summary = diff_summary(reloaded)
            await self.admin_action(admin_id, "reload", detail=summary, logged=summary)
        else:
            logger.info("reloaded (%s): %s", reason, diff_summary(reloaded))
        return reloaded

    async def stats(self, days: int = REPORT_DAYS) -> Stats:
        """Raises StoreError when the database cannot be read."""
        return await asyncio.to_thread(self.store.stats, days)

    async def unanswered(self, days: int = REPORT_DAYS, limit: int = 10) -> list[UnansweredGroup]:
        """The most frequent recent misses, near-duplicates grouped. Raises StoreError."""
        rows = await asyncio.to_thread(self.store.unanswered, days)
        return reports.group_unanswered(rows, limit)

    async def learn(self, admin_id: int, row: str) -> Learned:
        """Add a stored unanswered question as a phrasing of the entry it came closest to,
        then reload; the file is left as it was if anything fails."""
        known = row.isdigit() and int(row) < 2**63  # SQLite's integers; a forged one may not be
        try:
            stored = await asyncio.to_thread(self.store.question, int(row)) if known else None
        except StoreError as error:
            return Learned(LearnOutcome.NOT_WRITTEN, reason=str(error))
        kb = self.snapshot.kb
        if stored is None or stored.closest_id is None or kb.get(stored.closest_id) is None:
            return Learned(LearnOutcome.GONE)
        question, entry_id = stored.text, stored.closest_id
        path = self.settings.learned_phrasings
        try:
            await asyncio.to_thread(phrasings.learn, path, entry_id, question, self.answers.reload)
        except KnowledgeError as error:
            return Learned(LearnOutcome.INVALID, question, problems=tuple(error.problems))
        except OSError as error:
            reason = f"cannot write {path.name} ({error.strerror})"
            return Learned(LearnOutcome.NOT_WRITTEN, question, reason=reason)
        except phrasings.PhrasingsFileError as error:
            return Learned(LearnOutcome.NOT_WRITTEN, question, reason=str(error))
        entry = self.snapshot.kb.get(entry_id)
        if entry is None or question not in entry.questions:  # success only once it is served
            reason = "the knowledge base does not have it now"
            return Learned(LearnOutcome.NOT_WRITTEN, question, reason=reason)
        # The question goes to the database, not to the log.
        await self.admin_action(
            admin_id, "add-phrasing", detail=f"{entry_id}: {question}", logged=entry_id
        )
        return Learned(LearnOutcome.ADDED, question, entry)

    async def admin_action(self, admin_id: int, action: str, *, detail: str, logged: str) -> None:
        """Record an admin's action: all of `detail` in the database; `logged` (no user's
        words and no raw id, at INFO) in the log."""
        logger.info("admin %s: %s %s", self.hashed(admin_id), action, logged)
        if self.store.available:
            await self._write(
                self.store.record_admin_action, admin_id=admin_id, action=action, detail=detail
            )

    async def purge(self) -> int:
        """Delete questions past the retention period; how many went."""
        removed = await asyncio.to_thread(self.store.purge)
        if removed:
            logger.info("deleted %d questions past the retention period", removed)
        return removed

    async def storage_fault(self, error: StoreError) -> None:
        """Log every storage fault; tell the admins at most once an hour. Answers go on."""
        logger.error("storage fault: %s", error)
        await self.tell_admins(
            f"⚠️ The bot cannot save to its database: {error}. It keeps answering."
        )

    async def tell_admins(self, text: str) -> None:
        """Send `text` to the admins, unless an alert went out in the past hour."""
        parts = self._opened
        now = time.monotonic()
        if parts.alert is None or now - parts.alerted_at < STORE_ALERT_EVERY:
            return
        parts.alerted_at = now
        await parts.alert(text)


def diff_summary(reloaded: Reloaded) -> str:
    parts = [f"{reloaded.entries} entries"]
    diff = reloaded.diff
    if diff is not None:
        for label, ids in (
            ("added", diff.added),
            ("removed", diff.removed),
            ("changed", diff.changed),
        ):
            parts.append(f"{label}: {', '.join(ids) if ids else 'none'}")
    return "; ".join(parts)


def _choosers(store: Store) -> set[str] | None:
    """Read once at start, beside opening the database (before any update is served)."""
    if not store.available:
        return None
    try:
        return store.choosers(PREFERENCES_KEPT)
    except StoreError:
        return None
