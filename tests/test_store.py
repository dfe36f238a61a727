"""The SQLite store, on a real database file."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from bot.group_commit import GroupCommit
from bot.reports import group_unanswered
from bot.store import DAY, MIGRATIONS, Asked, Store, StoreError


@pytest.fixture
def store(tmp_path):
    opened = Store(tmp_path / "data" / "bot.sqlite3", key=b"test-key")
    yield opened
    opened.close()


def ask(store: Store, user: int, question: str, answer: str | None, **extra) -> None:
    asked = Asked(
        user_id=user,
        chat_type=extra.pop("chat_type", "private"),
        question=question,
        band="answer" if answer else "none",
        answer_id=answer,
        closest_id=extra.pop("closest", answer),
        score=extra.pop("score", 0.8 if answer else 0.1),
        **extra,
    )
    store.record_questions([asked])


def test_database_uses_wal_and_records_its_schema_version(store):
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.schema_version == len(MIGRATIONS) == 2


def test_user_ids_are_stored_only_as_keyed_hashes(store):
    ask(store, 987654321, "can i post in uniform", "uniform-and-insignia")
    store.record_vote(user_id=987654321, entry_id="uniform-and-insignia", vote=1)
    dump = "\n".join(sqlite3.connect(store.path).iterdump())
    assert "987654321" not in dump
    assert store.user_hash(987654321) in dump
    other = Store(store.path.parent / "other.sqlite3", key=b"another-key")
    assert other.user_hash(987654321) != store.user_hash(987654321)


def test_a_generated_key_is_kept_beside_the_database(tmp_path, monkeypatch):
    path = tmp_path / "bot.sqlite3"
    first = Store(path).user_hash(1)
    assert path.with_suffix(".key").stat().st_mode & 0o777 == 0o600
    assert Store(path).user_hash(1) == first


def test_one_vote_per_user_per_answer_and_it_can_change(store):
    assert store.record_vote(user_id=1, entry_id="e", vote=1) is True
    assert store.record_vote(user_id=1, entry_id="e", vote=1) is False
    assert store.record_vote(user_id=1, entry_id="e", vote=-1) is True
    store.record_vote(user_id=2, entry_id="e", vote=-1)
    assert store.stats().votes == (("e", 0, 2),)


def test_everything_survives_reopening(tmp_path):
    path = tmp_path / "bot.sqlite3"
    first = Store(path, key=b"k")
    ask(first, 1, "reel in uniform", "uniform-and-insignia")
    first.record_vote(user_id=1, entry_id="uniform-and-insignia", vote=-1)
    first.close()
    again = Store(path, key=b"k")
    assert again.count_for_user(1) == 2
    assert again.stats().most_disliked == (("uniform-and-insignia", 1),)


def test_forget_removes_only_that_users_rows(store):
    ask(store, 1, "q one", "a")
    store.record_vote(user_id=1, entry_id="a", vote=1)
    ask(store, 2, "q two", "a")
    assert store.forget_user(1) == 2
    assert store.count_for_user(1) == 0
    assert store.count_for_user(2) == 1


def test_questions_older_than_the_retention_period_are_purged(store):
    now = time.time()
    ask(store, 1, "old", "a", at=now - 91 * DAY)
    ask(store, 1, "recent", "a", at=now - 89 * DAY)
    assert store.purge(now) == 1
    assert store.count_for_user(1) == 1


def test_unanswered_groups_near_duplicates_with_the_closest_entry(store):
    for text in ("can i run a podcast", "can i run a podcast", "can i run podcast pls"):
        ask(store, 1, text, None, closest="writing-and-media")
    ask(store, 2, "leave rules for diwali", None, closest=None)
    ask(store, 3, "reel in uniform", "uniform-and-insignia")
    groups = group_unanswered(store.unanswered())
    assert [(g.question, g.count, g.closest_id) for g in groups] == [
        ("can i run a podcast", 3, "writing-and-media"),
        ("leave rules for diwali", 1, None),
    ]
    assert groups[0].variants == ("can i run a podcast", "can i run podcast pls")


def test_stats_per_day_share_and_most_asked(store):
    ask(store, 1, "a", "uniform-and-insignia")
    ask(store, 2, "b", "uniform-and-insignia")
    ask(store, 3, "c", "official-vehicle-premises")
    ask(store, 4, "d", None)
    stats = store.stats(days=7)
    assert stats.questions == 4
    assert stats.confident_share == 0.75
    assert stats.most_asked[0] == ("uniform-and-insignia", 2)
    assert sum(n for _, n in stats.per_day) == 4


def test_a_read_only_database_raises_store_error_not_sqlite_error(tmp_path):
    from bot.store import StoreError

    path = tmp_path / "bot.sqlite3"
    Store(path, key=b"k").close()
    read_only = Store(path, key=b"k")
    read_only._db.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreError):
        ask(read_only, 1, "q", "a")


def test_a_users_choices_are_kept_hashed_changed_and_forgotten(store):
    store.set_preference(7, "service", "up-police")
    store.set_preference(7, "language", "hi")
    store.set_preference(7, "service", "crpf")
    assert (store.preferences(7).service, store.preferences(7).language) == ("crpf", "hi")
    assert store.preferences(8).service is None
    rows = sqlite3.connect(store.path).execute("SELECT user_hash FROM preferences").fetchall()
    assert rows == [(store.user_hash(7),)], "only the keyed hash of the id is stored"
    assert store.forget_user(7) == 1
    assert store.preferences(7).service is None


def test_a_database_from_before_choices_is_migrated_keeping_its_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    for statement in filter(str.strip, MIGRATIONS[0].split(";")):
        old.execute(statement)
    old.execute("PRAGMA user_version = 1")
    old.execute(
        "INSERT INTO questions (asked_at, user_hash, chat_type, question, band, answer_id,"
        " closest_id, score) VALUES (?, 'h', 'private', 'q', 'answer', 'a', 'a', 0.9)",
        (time.time(),),
    )
    old.commit()
    old.close()
    store = Store(path, key=b"test-key")
    try:
        assert store.schema_version == len(MIGRATIONS)
        assert store.stats().questions == 1
        store.set_preference(1, "service", "ais")
        assert store.preferences(1).service == "ais"
    finally:
        store.close()


def asked(user: int, question: str) -> Asked:
    return Asked(user, "private", question, "answer", "uniform-and-insignia", None, 0.8)


async def test_questions_asked_at_once_are_all_kept_in_few_transactions(store):
    """A burst is recorded whole, and every asker waits until their own row is written."""
    batches: list[int] = []

    def write(rows):
        batches.append(len(rows))
        store.record_questions(rows)

    commits = GroupCommit(write)
    await commits.add([asked(0, "alone")])
    assert batches == [1], "a lone question is written at once, not held for company"
    await asyncio.gather(*(commits.add([asked(user, f"q{user}")]) for user in range(1, 301)))
    assert store.stats(days=1).questions == 301
    assert len(batches) < 1 + 300 / 10, "those asked meanwhile went together"


async def test_a_write_that_fails_fails_for_every_question_it_held(tmp_path):
    path = tmp_path / "bot.sqlite3"
    Store(path, key=b"k").close()
    read_only = Store(path, key=b"k")
    read_only._db.execute("PRAGMA query_only = ON")
    commits = GroupCommit(read_only.record_questions)
    outcomes = await asyncio.gather(
        *(commits.add([asked(user, "q")]) for user in range(20)), return_exceptions=True
    )
    assert all(isinstance(outcome, StoreError) for outcome in outcomes)
    read_only._db.execute("PRAGMA query_only = OFF")
    await commits.add([asked(1, "after the fault")])  # the writer goes on once the disk does
    assert read_only.stats(days=1).questions == 1


def test_only_users_who_chose_are_read_back(store):
    assert store.choosers(limit=10) == set()
    store.set_preference(7, "service", "up-police")
    store.set_preference(8, "language", "hi")
    assert store.choosers(limit=10) == {store.user_hash(7), store.user_hash(8)}
    assert store.choosers(limit=1) is None, "too many to keep: read each one"
