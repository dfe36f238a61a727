"""SQLite storage: questions asked, feedback, and the admins' changes.

What is kept is the least that lets admins improve the knowledge base: per question the time,
chat type, the answer given (or none), its score and the *normalised* question text; per
vote the entry and the vote. Telegram user ids are never stored, only keyed hashes of them
(HMAC-SHA256 with a key from the environment or generated once beside the database), so
`/forget` can find a user's rows without the database knowing who they are.

Write-ahead logging lets the bot read while it writes; every write is committed before the
caller returns, so anything the bot says is saved has been committed. `synchronous=NORMAL`
keeps commits durable when the process is killed (only a power cut can lose the last ones).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from bot.config import MIN_KEY_BYTES, ConfigError
from bot.files import private_directory, private_file, write_whole

DAY = 86_400.0
KEY_FILE_SUFFIX = ".key"
# SQLite's result codes for a file that is not a database or is a damaged one.
_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}

logger = logging.getLogger(__name__)

# Each migration runs once, in order; PRAGMA user_version records how many have run.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        asked_at REAL NOT NULL,
        user_hash TEXT NOT NULL,
        chat_type TEXT NOT NULL,
        question TEXT NOT NULL,
        band TEXT NOT NULL,
        answer_id TEXT,
        closest_id TEXT,
        score REAL NOT NULL
    );
    CREATE INDEX questions_asked_at ON questions (asked_at);
    CREATE INDEX questions_user ON questions (user_hash);
    CREATE TABLE votes (
        user_hash TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        voted_at REAL NOT NULL,
        PRIMARY KEY (user_hash, entry_id)
    );
    CREATE TABLE admin_actions (
        id INTEGER PRIMARY KEY,
        done_at REAL NOT NULL,
        admin_hash TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    """,
    # What a user chose once: their service (/service) and the language of answers (/language).
    """
    CREATE TABLE preferences (
        user_hash TEXT PRIMARY KEY,
        service TEXT,
        language TEXT,
        updated_at REAL NOT NULL
    );
    """,
)


class Asked(NamedTuple):
    """A question to record: who asked (hashed when stored), where, and what it got."""

    user_id: int
    chat_type: str
    question: str
    band: str
    answer_id: str | None
    closest_id: str | None
    score: float
    at: float | None = None


class StoredQuestion(NamedTuple):
    """A question as kept: normalised text and the entry it came closest to (if any)."""

    text: str
    closest_id: str | None


class Count(NamedTuple):
    key: str  # an entry id, or a day (YYYY-MM-DD)
    times: int


class DayBand(NamedTuple):
    day: str  # YYYY-MM-DD
    band: str
    questions: int


class VoteCount(NamedTuple):
    entry_id: str
    up: int
    down: int


class UnansweredRow(NamedTuple):
    """Identical questions without a confident answer (bot.reports groups near-identical ones)."""

    question: str
    closest_id: str | None
    times: int
    row_id: int  # one of the stored questions, for "add as a phrasing" buttons


@dataclass(frozen=True)
class Preferences:
    """A user's own choices; None where they chose nothing (the bot then infers or asks)."""

    service: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Stats:
    days: int
    per_day: tuple[Count, ...]  # (YYYY-MM-DD, questions)
    questions: int
    confident_share: float
    most_asked: tuple[Count, ...]  # (entry id, times answered)
    most_disliked: tuple[Count, ...]  # (entry id, thumbs down)
    votes: tuple[VoteCount, ...]


class StoreError(Exception):
    """The database cannot be written (disk full, read-only...): the bot keeps answering."""


class CorruptDatabase(StoreError):
    """The file is not an SQLite database, or a damaged one (SQLite or quick_check says so)."""


class Store:
    def __init__(
        self,
        path: Path,
        key: bytes | None = None,
        retention_days: int = 90,
        *,
        unavailable: str | None = None,
    ) -> None:
        """Open (creating and migrating as needed); `key` defaults to the key file's.

        Raises CorruptDatabase or StoreError when the database cannot be opened. With
        `unavailable` (why there is no database) nothing is opened: every read and write
        raises StoreError saying why, and ids are hashed with `key` or a key for this run.
        """
        self.path = Path(path)
        self.retention_days = retention_days
        self.unavailable = unavailable
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if unavailable is not None:
            self._key = key or secrets.token_bytes(32)
            return
        try:
            private_directory(self.path.parent)
            self._key = key or _load_or_create_key(self.path.with_suffix(KEY_FILE_SUFFIX))
            # SQLite gives the -wal and -shm files the database file's mode: make that 0600.
            for path in (self.path, *_companions(self.path)):
                if path == self.path or path.exists():
                    private_file(path)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            damage = self._db.execute("PRAGMA quick_check").fetchone()[0]
            if damage != "ok":
                raise CorruptDatabase(f"{self.path.name} fails its quick check: {damage}")
            self._migrate()
        except (sqlite3.Error, OSError, StoreError) as error:
            if self._db is not None:
                self._db.close()
            if isinstance(error, StoreError):
                raise
            corrupt = getattr(error, "sqlite_errorcode", None) in _CORRUPT
            kind = CorruptDatabase if corrupt else StoreError
            raise kind(f"cannot open {self.path}: {error}") from error

    @property
    def available(self) -> bool:
        return self.unavailable is None

    # -- set-up ------------------------------------------------------------------------------

    def _migrate(self) -> None:
        version = self._open_db().execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self._transaction() as db:
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")

    @property
    def schema_version(self) -> int:
        return int(self._rows("PRAGMA user_version")[0][0])

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()

    def _open_db(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError(f"the database is unavailable: {self.unavailable}")
        return self._db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One committed transaction; sqlite errors become StoreError for the caller."""
        with self._lock:
            db = self._open_db()
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
            except sqlite3.Error as error:
                raise StoreError(f"cannot write {self.path.name}: {error}") from error

    def user_hash(self, user_id: int) -> str:
        return hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()

    # -- writes ------------------------------------------------------------------------------

    def record_questions(self, asked: Sequence[Asked]) -> None:
        """Questions in one transaction (see bot.group_commit): all stored, or none."""
        now = time.time()
        rows = [
            (
                q.at or now,
                self.user_hash(q.user_id),
                q.chat_type,
                q.question,
                q.band,
                q.answer_id,
                q.closest_id,
                q.score,
            )
            for q in asked
        ]
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO questions (asked_at, user_hash, chat_type, question, band,"
                " answer_id, closest_id, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def record_vote(self, *, user_id: int, entry_id: str, vote: int) -> bool:
        """Store a 👍 (1) or 👎 (-1); a second vote replaces the first. True if it changed."""
        if vote not in (-1, 1):
            raise ValueError("vote must be 1 or -1")
        user = self.user_hash(user_id)
        with self._transaction() as db:
            row = db.execute(
                "SELECT vote FROM votes WHERE user_hash = ? AND entry_id = ?", (user, entry_id)
            ).fetchone()
            db.execute(
                "INSERT INTO votes (user_hash, entry_id, vote, voted_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (user_hash, entry_id) DO UPDATE"
                " SET vote = excluded.vote, voted_at = excluded.voted_at",
                (user, entry_id, vote, time.time()),
            )
        return row is None or row[0] != vote

    def record_admin_action(self, *, admin_id: int, action: str, detail: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO admin_actions (done_at, admin_hash, action, detail)"
                " VALUES (?, ?, ?, ?)",
                (time.time(), self.user_hash(admin_id), action, detail),
            )

    def set_preference(self, user_id: int, name: str, value: str | None) -> None:
        """Remember (or, with None, drop) one of a user's choices: "service" or "language"."""
        if name not in ("service", "language"):
            raise ValueError(f"unknown preference {name!r}")
        user = self.user_hash(user_id)
        with self._transaction() as db:
            db.execute(
                f"INSERT INTO preferences (user_hash, {name}, updated_at) VALUES (?, ?, ?)"
                f" ON CONFLICT (user_hash) DO UPDATE SET {name} = excluded.{name},"
                " updated_at = excluded.updated_at",
                (user, value, time.time()),
            )
            db.execute(
                "DELETE FROM preferences WHERE user_hash = ? AND service IS NULL"
                " AND language IS NULL",
                (user,),
            )

    def choosers(self, limit: int) -> set[str] | None:
        """The hashes of the users who saved a choice, or None when there are over `limit`."""
        rows = self._rows("SELECT user_hash FROM preferences LIMIT ?", (limit + 1,))
        return {row[0] for row in rows} if len(rows) <= limit else None

    def preferences(self, user_id: int) -> Preferences:
        rows = self._rows(
            "SELECT service, language FROM preferences WHERE user_hash = ?",
            (self.user_hash(user_id),),
        )
        return Preferences(*rows[0]) if rows else Preferences()

    def forget_user(self, user_id: int) -> int:
        """Delete every question, vote and choice of this user; the number of rows removed."""
        user = self.user_hash(user_id)
        with self._transaction() as db:
            removed = 0
            for table in ("questions", "votes", "preferences"):
                sql = f"DELETE FROM {table} WHERE user_hash = ?"
                removed += db.execute(sql, (user,)).rowcount
        return removed

    def purge(self, now: float | None = None) -> int:
        """Delete questions older than the retention period."""
        cutoff = (now or time.time()) - self.retention_days * DAY
        with self._transaction() as db:
            return db.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,)).rowcount

    # -- reads -------------------------------------------------------------------------------

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._open_db().execute(sql, params).fetchall()
            except sqlite3.Error as error:
                raise StoreError(f"cannot read {self.path.name}: {error}") from error

    def count_for_user(self, user_id: int) -> int:
        user = self.user_hash(user_id)
        questions = self._rows("SELECT COUNT(*) FROM questions WHERE user_hash = ?", (user,))
        votes = self._rows("SELECT COUNT(*) FROM votes WHERE user_hash = ?", (user,))
        chosen = self._rows("SELECT COUNT(*) FROM preferences WHERE user_hash = ?", (user,))
        return int(questions[0][0] + votes[0][0] + chosen[0][0])

    def question(self, row_id: int) -> StoredQuestion | None:
        """A stored question, if it is still kept."""
        rows = self._rows("SELECT question, closest_id FROM questions WHERE id = ?", (row_id,))
        return StoredQuestion(*rows[0]) if rows else None

    def most_asked(self, days: int = 30, limit: int = 10) -> list[Count]:
        since = time.time() - days * DAY
        rows = self._rows(
            "SELECT answer_id, COUNT(*) AS n FROM questions WHERE answer_id IS NOT NULL"
            " AND asked_at >= ? GROUP BY answer_id ORDER BY n DESC, answer_id LIMIT ?",
            (since, limit),
        )
        return [Count(entry_id, int(n)) for entry_id, n in rows]

    def per_day_by_band(self, days: int = 30) -> list[DayBand]:
        """(YYYY-MM-DD, band, questions) for the period: how each day's questions fared."""
        since = time.time() - days * DAY
        rows = self._rows(
            "SELECT date(asked_at, 'unixepoch') AS day, band, COUNT(*) FROM questions"
            " WHERE asked_at >= ? GROUP BY day, band ORDER BY day, band",
            (since,),
        )
        return [DayBand(day, band, int(n)) for day, band, n in rows]

    def unanswered(self, days: int = 30) -> list[UnansweredRow]:
        """Recent questions without a confident answer, identical ones counted together, the
        most frequent first."""
        since = time.time() - days * DAY
        rows = self._rows(
            "SELECT question, closest_id, COUNT(*), MIN(id) FROM questions"
            " WHERE answer_id IS NULL AND asked_at >= ? AND question != ''"
            " GROUP BY question, closest_id ORDER BY COUNT(*) DESC, question",
            (since,),
        )
        return [UnansweredRow(q, closest, int(n), int(row)) for q, closest, n, row in rows]

    def stats(self, days: int = 30) -> Stats:
        since = time.time() - days * DAY
        per_day = self._rows(
            "SELECT date(asked_at, 'unixepoch') AS day, COUNT(*) FROM questions"
            " WHERE asked_at >= ? GROUP BY day ORDER BY day",
            (since,),
        )
        totals = self._rows(
            "SELECT COUNT(*), SUM(answer_id IS NOT NULL) FROM questions WHERE asked_at >= ?",
            (since,),
        )[0]
        votes = self._rows(
            "SELECT entry_id, SUM(vote = 1), SUM(vote = -1) FROM votes"
            " GROUP BY entry_id ORDER BY entry_id"
        )
        total = int(totals[0] or 0)
        disliked = sorted((Count(e, int(d)) for e, _, d in votes if d), key=lambda x: (-x[1], x[0]))
        return Stats(
            days=days,
            per_day=tuple(Count(day, int(n)) for day, n in per_day),
            questions=total,
            confident_share=round((totals[1] or 0) / total, 4) if total else 0.0,
            most_asked=tuple(self.most_asked(days)),
            most_disliked=tuple(disliked[:10]),
            votes=tuple(VoteCount(e, int(u), int(d)) for e, u, d in votes),
        )


def open_store(path: Path, key: bytes | None = None, retention_days: int = 90) -> Store:
    """The database; if it cannot be opened, a Store without one, and the bot answers all the
    same. A corrupt database is moved aside (the time in its name) and a fresh one started."""
    try:
        return Store(path, key, retention_days)
    except CorruptDatabase as error:
        aside = _move_aside(Path(path))
        logger.error("%s; moved aside to %s; starting a fresh database", error, aside.name)
        try:
            return Store(path, key, retention_days)
        except StoreError as again:
            reason = str(again)
    except StoreError as error:
        reason = str(error)
    logger.error(
        "starting without storage: %s. Answers go on; questions, votes and statistics are "
        "not kept until the bot is restarted with a usable database",
        reason,
    )
    return Store(path, key, retention_days, unavailable=reason)


def _move_aside(path: Path) -> Path:
    """Rename the database and its -wal and -shm files to `<name>.corrupt-<UTC time>`."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for companion in _companions(path):
        if companion.exists():
            companion.rename(companion.with_name(f"{companion.name}.corrupt-{stamp}"))
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    path.rename(aside)
    return aside


def _companions(path: Path) -> tuple[Path, ...]:
    """The write-ahead log and shared-memory files SQLite keeps beside a database."""
    return tuple(path.with_name(path.name + end) for end in ("-wal", "-shm"))


class KeyFileError(ConfigError):
    """The key file beside the database is too short to be a key; the bot will not start."""


def _load_or_create_key(path: Path) -> bytes:
    """A random key created once beside the database (when USER_HASH_KEY is not set)."""
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            write_whole(path, secrets.token_hex(32).encode(), replace=False)
    key = path.read_bytes().strip()
    if len(key) < MIN_KEY_BYTES:
        raise KeyFileError(
            f"{path} holds {len(key)} bytes; a user-hash key needs at least {MIN_KEY_BYTES}. "
            "It was probably cut short (a full disk at the first start, or by hand). If the "
            "database holds nothing yet, delete the file and a new key is made; otherwise put "
            "back the key from a backup (another key would hide earlier rows from /forget)."
        )
    return key
