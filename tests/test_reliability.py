"""Reliability: Telegram faults, floods, bad input, knowledge-base faults, storage faults."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import logging
import os
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.emulator import check_keyboard, message_text
from bot.knowledge import KnowledgeError, load_knowledge
from bot.phrasings import read_phrasings
from bot.service import AnswerService
from bot.store import Asked, Store
from tests.bot_harness import ADMIN_ID, BOT_USERNAME, GROUP_ID, OFFICER_ID, running_bot
from tests.conftest import KNOWLEDGE_DIR
from tests.process_harness import OFFICER, TOKEN, free_port, reply_in, running, webhook_environment

QUESTION = "Can I post a reel in uniform?"


def successful_sends(emulator, chat: int) -> list:
    """The messages the user received (what Telegram delivered, not what was attempted)."""
    return emulator.messages_to(chat)


# --- Telegram faults --------------------------------------------------------------------------


async def test_a_reply_that_may_have_arrived_is_never_sent_twice(emulator, tmp_path):
    """5xx, a body that is not JSON, a reset: before or after Telegram carried the method out."""
    users = [OFFICER + n for n in range(20)]
    async with running(emulator, tmp_path / "data") as bot:
        for kind in ("500", "502", "malformed", "drop"):
            for carried_out in (True, False):
                emulator.fail("sendMessage", kind, carried_out=carried_out)
        for user in users:
            emulator.private_message(user, QUESTION)
        await emulator.wait_until(
            lambda: len([c for c in emulator.calls_to("sendMessage") if not c.fault]) >= 12
        )
        await emulator.wait_until(lambda: bot.output.count("gave up on the reply") >= 8)
    received = [len(successful_sends(emulator, user)) for user in users]
    assert received.count(2) == 0, "nobody gets the answer twice"
    assert sorted(received) == [0] * 4 + [1] * 16, "the four lost before Telegram acted"
    assert "retrying" not in bot.output


async def test_a_reply_refused_before_reaching_telegram_is_sent_again_and_arrives_once(
    emulator, tmp_path
):
    async with running(emulator, tmp_path / "data") as bot:
        emulator.fail("sendMessage", "429", times=2, retry_after=1)  # Telegram refused it
        mark = len(emulator.calls)
        emulator.private_message(OFFICER, QUESTION)
        await reply_in(emulator, OFFICER, mark)
        await emulator.wait_for_call("getUpdates", after=mark)  # the next poll is waiting
        mark = len(emulator.calls)
        second = emulator.private_message(OFFICER + 1, QUESTION)["update_id"]
        # The reply's connection is refused, then refused again (the bot pauses 0.02 s, then
        # 0.04 s, 0.08 s here; 0.25 s, 0.5 s, 1 s by default).
        await emulator.go_down(0.1)
        await reply_in(emulator, OFFICER + 1, mark)
        await emulator.wait_for_call(  # the poll that confirms it: the bot is done with it
            "getUpdates", lambda c: int(c.params.get("offset", 0)) > second, timeout=15
        )
    assert [len(successful_sends(emulator, u)) for u in (OFFICER, OFFICER + 1)] == [1, 1]
    assert "Bot API (sendMessage): connection failed" in bot.output
    assert bot.process.returncode == 0 and "Traceback" not in bot.output


async def test_a_reply_that_times_out_is_not_sent_twice(emulator, tmp_path):
    async with running(emulator, tmp_path / "data", TELEGRAM_REQUEST_TIMEOUT="1") as bot:
        emulator.fail("sendMessage", "slow", delay=1.5)
        emulator.private_message(OFFICER, QUESTION)
        await bot.wait_for_output("gave up on the reply")  # the bot will not send it again
        await emulator.wait_until(lambda: bool(successful_sends(emulator, OFFICER)))
        assert len(successful_sends(emulator, OFFICER)) == 1
    assert "Timed out" in bot.output or "TimedOut" in bot.output


@pytest.mark.parametrize("kind", ["429", "500", "malformed", "drop"])
async def test_polling_resumes_after_faults_and_answers_every_question_once(
    emulator, tmp_path, kind
):
    async with running(emulator, tmp_path / "data") as bot:
        # The poll already waiting is not faulted; the next three are.
        emulator.fail("getUpdates", kind, times=3, retry_after=1)
        mark = len(emulator.calls)
        emulator.private_message(OFFICER, QUESTION)
        await reply_in(emulator, OFFICER, mark)
        users = [OFFICER + n for n in range(1, 6)]
        last = max(emulator.private_message(user, QUESTION)["update_id"] for user in users)
        for user in users:
            await reply_in(emulator, user, 0)
        await emulator.wait_for_call(  # the poll that confirms them: the bot is done with them
            "getUpdates", lambda c: int(c.params.get("offset", 0)) > last, timeout=15
        )
        assert [len(successful_sends(emulator, u)) for u in users] == [1] * 5
        assert [c.fault for c in emulator.calls_to("getUpdates")].count(kind) == 3
    assert "Traceback" not in bot.output and " ERROR " not in bot.output
    if kind != "429":  # a flood wait on polling is python-telegram-bot's, at DEBUG
        retries = [line for line in bot.lines if "WARNING bot.retry: Bot API (getUpdates)" in line]
        assert len(retries) == 3, "one WARNING line per failed attempt"


async def test_a_recovered_api_is_polled_again_promptly_after_many_faults(emulator, tmp_path):
    async with running(emulator, tmp_path / "data", POLL_RETRY_MAX_SECONDS="0.25") as bot:
        emulator.fail("getUpdates", "500", times=10)
        mark = len(emulator.calls)
        emulator.private_message(OFFICER, QUESTION)  # answered by the poll already waiting
        await reply_in(emulator, OFFICER, mark)
        mark = len(emulator.calls)
        emulator.private_message(OFFICER + 1, QUESTION)  # must wait for ten faults to pass
        await reply_in(emulator, OFFICER + 1, mark)
    polls = [c.at for c in emulator.calls_to("getUpdates")]
    assert max(b - a for a, b in itertools.pairwise(polls)) < 0.25 + 0.5
    assert "retrying in 0.25s (attempt 10)" in bot.output


async def test_a_conflict_is_logged_once_not_in_a_flood(emulator, tmp_path):
    async with running(emulator, tmp_path / "data") as bot:
        emulator.fail("getUpdates", "409", times=2)  # python-telegram-bot waits 1 s, then 1.5 s
        for user in (OFFICER, OFFICER + 1):
            mark = len(emulator.calls)
            emulator.private_message(user, QUESTION)
            await reply_in(emulator, user, mark)
        assert [c.fault for c in emulator.calls_to("getUpdates")].count("409") == 2
    assert bot.output.count("another instance is polling") == 1


# --- updates the library cannot parse ---------------------------------------------------------

SECRET_WORDS = "my confidential words"


async def test_an_unparseable_update_is_skipped_with_one_line_and_everyone_else_is_answered(
    emulator, tmp_path
):
    async with running(emulator, tmp_path / "data") as bot:
        bad = [
            emulator.unparseable_message(OFFICER + n, OFFICER + n, kind, SECRET_WORDS)
            for n, kind in enumerate(("date", "poll", "entity"))
        ]
        users = [OFFICER + 10 + n for n in range(5)]
        for user in users:
            emulator.private_message(user, QUESTION)
        for user in users:
            await reply_in(emulator, user, 0)
        # An unparseable update last in its batch: the offset must still move past it.
        mark = len(emulator.calls)
        bad.append(emulator.unparseable_message(OFFICER + 3, OFFICER + 3, "date", SECRET_WORDS))
        await bot.wait_for_output(f"update {bad[-1]['update_id']}")
        emulator.private_message(OFFICER + 20, QUESTION)
        await reply_in(emulator, OFFICER + 20, mark)
        assert len(emulator.calls_to("getUpdates")) < 20, "polling does not spin"
    assert bot.process.returncode == 0
    for update in bad:
        lines = [line for line in bot.lines if f"update {update['update_id']}" in line]
        assert len(lines) == 1, lines
        assert "cannot parse" in lines[0]
    assert SECRET_WORDS not in bot.output and "Officer" not in bot.output
    assert "CRITICAL" not in bot.output and "Traceback" not in bot.output
    confirmed = emulator.calls_to("getUpdates")[-1].params.get("offset", 0)
    assert confirmed > max(u["update_id"] for u in bad), "a restart would not meet them again"


async def test_in_webhook_mode_an_unparseable_update_is_answered_200_and_skipped(
    emulator, tmp_path
):
    env = webhook_environment(free_port())
    async with running(emulator, tmp_path / "data", "--webhook", ready="setWebhook", **env) as bot:
        mark = len(emulator.calls)
        bad = emulator.unparseable_message(OFFICER, OFFICER, "poll", SECRET_WORDS)
        emulator.private_message(OFFICER + 1, QUESTION)
        await reply_in(emulator, OFFICER + 1, mark)
        await bot.wait_for_output(f"skipped update {bad['update_id']}:")
    assert emulator.webhook_answers[bad["update_id"]] == [200], "Telegram would not resend it"
    assert SECRET_WORDS not in bot.output and "CRITICAL" not in bot.output
    assert bot.process.returncode == 0


async def raw_post(port: int, headers: dict[str, str], body: bytes = b"") -> bytes:
    """Send a request's headers (and `body`, if any), then read whatever comes back."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = ["POST /telegram HTTP/1.1", "Host: bot", *(f"{k}: {v}" for k, v in headers.items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    try:
        return await asyncio.wait_for(reader.read(200), 3)
    finally:
        writer.close()


def outside_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent; this only picks a route
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


async def closed_by_the_other_end(reader: asyncio.StreamReader) -> bool:
    """A close, or a reset when the peer drops a half-sent request unread (the kernel's way)."""
    try:
        return await asyncio.wait_for(reader.read(), 5) == b""
    except ConnectionResetError:
        return True


async def test_the_webhook_refuses_strangers_early_and_sheds_idle_connections(emulator, tmp_path):
    port = free_port()
    env = webhook_environment(port)
    del env["WEBHOOK_LISTEN"]  # the default: loopback only
    env["WEBHOOK_TIMEOUT_SECONDS"] = "1"
    args = ("--webhook",)
    async with running(emulator, tmp_path / "data", *args, ready="setWebhook", open_files=128,
                       **env) as bot:  # fmt: skip
        huge = {"Content-Type": "application/json", "Content-Length": str(95 * 2**20)}
        # Refused on its headers alone, before a byte of the body is read.
        assert (await raw_post(port, huge)).startswith(b"HTTP/1.1 403")
        with_secret = {**huge, "X-Telegram-Bot-Api-Secret-Token": "webhook-secret"}
        assert (await raw_post(port, with_secret)).startswith(b"HTTP/1.1 413")
        # 300 clients that connect and say nothing, or start a request and crawl: more than
        # the descriptors allow.
        idle = [await asyncio.open_connection("127.0.0.1", port) for _ in range(300)]
        for _, writer in idle[::2]:
            writer.write(b"POST /telegram HTTP/1.1\r\nHost: b")
        mark = len(emulator.calls)
        emulator.private_message(OFFICER, QUESTION)
        await reply_in(emulator, OFFICER, mark)  # a real update still gets through
        for reader, writer in idle:  # and every idle connection is closed by the bot
            assert await closed_by_the_other_end(reader)
            writer.close()
        address = outside_address()
        if address is not None:
            with pytest.raises(OSError):
                await asyncio.open_connection(address, port)
    assert bot.process.returncode == 0
    assert "Traceback" not in bot.output and "Too many open files" not in bot.output
    assert len(bot.lines) < 40, "resource errors are summed up, not logged one by one"


async def test_a_reply_given_up_after_429s_or_a_5xx_is_logged_with_the_chats_hash(
    emulator, tmp_path
):
    data = tmp_path / "data"
    async with running(emulator, data) as bot:
        emulator.fail("sendMessage", "429", times=4, retry_after=1)  # the limiter tries 4 times
        emulator.private_message(OFFICER, QUESTION)
        flood = await bot.wait_for_output("gave up on the reply")
        emulator.fail("sendMessage", "502")
        emulator.private_message(OFFICER + 1, QUESTION)
        await emulator.wait_until(lambda: bot.output.count("gave up on the reply") == 2)
    key = (data / "conduct-bot.key").read_bytes().strip()
    for user in (OFFICER, OFFICER + 1):
        chat = hmac.new(key, str(user).encode(), hashlib.sha256).hexdigest()[:12]
        assert f"(chat {chat})" in bot.output
        assert str(user) not in bot.output
    assert "Flood control exceeded" in flood
    assert successful_sends(emulator, OFFICER) == [] == successful_sends(emulator, OFFICER + 1)


# --- floods ---------------------------------------------------------------------------------


async def test_a_flooding_user_is_slowed_while_others_keep_getting_answers(tmp_path):
    async with running_bot(tmp_path / "data", KNOWLEDGE_DIR, user_questions_per_window=5) as bot:
        flooder, neighbour = OFFICER_ID, OFFICER_ID + 1
        for round_number in range(20):
            await bot.process(bot.emulator.private_message(flooder, QUESTION))
            if round_number % 4 == 0:
                await bot.process(bot.emulator.private_message(neighbour, QUESTION))
        flood_replies = [m["shown"] for m in bot.sent(flooder)]
        assert len(flood_replies) == 6
        assert sum("faster than I can keep up" in r for r in flood_replies) == 1
        assert len(bot.sent(neighbour)) == 5
        assert all("uniform" in r["shown"] for r in bot.sent(neighbour))


async def test_typing_inline_and_browsing_topics_leave_the_question_budget_alone(tmp_path):
    async with running_bot(tmp_path / "data", KNOWLEDGE_DIR) as bot:
        emulator = bot.emulator
        typed = "can I post reels in uniform"  # 26 characters: one inline update per keystroke
        for end in range(1, len(typed) + 1):
            await bot.process(emulator.inline_query(OFFICER_ID, typed[:end]))
        await bot.process(emulator.private_message(OFFICER_ID, "/topics"))
        assert emulator.messages_to(OFFICER_ID), "/topics is answered after all that typing"
        menu = emulator.messages_to(OFFICER_ID)[-1]
        concern = menu["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        for press in range(21):
            data = concern if press % 2 == 0 else "topic:"
            await bot.process(emulator.callback_query(OFFICER_ID, data, message=menu))
        await bot.process(emulator.private_message(OFFICER_ID, QUESTION))
        assert "in uniform" in bot.last_text(OFFICER_ID), "the question is answered, not silenced"
        assert len(emulator.calls_to("answerInlineQuery")) == len(typed)
        assert len(bot.callback_answers()) == 21


async def test_over_a_limit_the_warning_shows_where_the_user_looks(tmp_path):
    limits = {"user_questions_per_window": 2, "user_taps_per_window": 3}
    async with running_bot(tmp_path / "data", KNOWLEDGE_DIR, **limits) as bot:
        emulator = bot.emulator
        for end in range(1, 6):
            await bot.process(emulator.inline_query(OFFICER_ID, "uniform"[:end]))
        answers = [c.params for c in emulator.calls_to("answerInlineQuery")]
        assert len(answers) == 4, "three searches answered, the fourth warned, the fifth not"
        assert answers[-1]["results"] == [] and "faster" in answers[-1]["button"]["text"]
        await bot.process(emulator.private_message(OFFICER_ID, "/topics"))
        menu = emulator.messages_to(OFFICER_ID)[-1]
        for _ in range(5):  # another user: presses and searches share one budget
            await bot.process(emulator.callback_query(OFFICER_ID + 1, "topic:", message=menu))
        pressed = bot.callback_answers()
        assert len(pressed) == 5, "every press is answered"
        assert "faster" in (pressed[3].get("text") or "") and not pressed[4].get("text")
        for _ in range(4):
            await bot.process(emulator.private_message(OFFICER_ID, QUESTION))
        replies = [m["shown"] for m in bot.sent(OFFICER_ID) if "message_id" not in m]
        assert sum("faster than I can keep up" in r for r in replies) == 1


async def test_group_chatter_does_not_count_against_a_user(tmp_path):
    async with running_bot(tmp_path / "data", KNOWLEDGE_DIR, user_questions_per_window=2) as bot:
        for _ in range(10):
            await bot.process(bot.emulator.group_message(GROUP_ID, OFFICER_ID, "lunch at 1?"))
        await bot.process(bot.emulator.group_message(GROUP_ID, OFFICER_ID, f"/ask {QUESTION}"))
        assert "uniform" in bot.last_text(GROUP_ID)


async def test_the_bot_respects_telegrams_per_group_limit(tmp_path):
    """python-telegram-bot's rate limiter holds group replies to 20 a minute."""
    async with running_bot(tmp_path / "data", KNOWLEDGE_DIR, user_questions_per_window=0) as bot:
        limiter = bot.app.bot.rate_limiter
        assert limiter is not None
        assert limiter._group_max_rate == 20 and limiter._group_time_period == 60


# --- bad input --------------------------------------------------------------------------------

TEXTS = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "",
            "   \n\t ",
            "x" * 4096,
            "क्या मैं वर्दी में रील बना सकता हूँ? " * 300,
            "🚓👮‍♀️🙏" * 50,
            "\u202eright-to-left \u200b\u200d zero width",
            "<b>bold</b> <script>alert(1)</script> &amp; &lt;",
            "*bold* _it_ [link](http://x) `code`",
            "/ask",
            "/ask@other_bot can I post?",
            f"@{BOT_USERNAME}",
            "/start <b>",
        ]
    ),
)


def run(coroutine):
    return asyncio.run(coroutine)


UNPARSEABLE = ("unparseable date", "unparseable poll", "unparseable entity")
SKIP_REASONS: dict[str, str] = {}  # the reason logged per kind: it must not depend on content


async def feed(
    tmp: Path, text: str, chat_kind: str
) -> tuple[list[dict], list[logging.LogRecord], int]:
    """One fuzzed update, then a plain question, both fetched through the bot's getUpdates."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(level=logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("bot").addHandler(handler)
    try:
        async with running_bot(tmp, KNOWLEDGE_DIR) as bot:
            emulator = bot.emulator
            if chat_kind == "private":
                update = emulator.private_message(OFFICER_ID, text)
            elif chat_kind == "group":
                update = emulator.group_message(GROUP_ID, OFFICER_ID, f"/ask {text}")
            elif chat_kind == "inline":
                update = emulator.inline_query(OFFICER_ID, text[:256])
            else:
                kind = chat_kind.split()[1]
                update = emulator.unparseable_message(OFFICER_ID, OFFICER_ID, kind, text)
            emulator.private_message(OFFICER_ID + 1, QUESTION)
            await bot.poll()
            assert "in uniform" in bot.last_text(OFFICER_ID + 1), "the next asker is answered"
            calls = [
                c.params
                for c in emulator.calls
                if c.method == "sendMessage" and c.params["chat_id"] != OFFICER_ID + 1
            ]
            return calls, records, update["update_id"]
    finally:
        logging.getLogger("bot").removeHandler(handler)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXTS, chat_kind=st.sampled_from(["private", "group", "inline", *UNPARSEABLE]))
def test_any_text_gets_valid_html_and_is_never_echoed_raw(tmp_path, text, chat_kind):
    tmp = tmp_path / str(abs(hash((text, chat_kind))))
    sent, problems, update_id = run(feed(tmp, text, chat_kind))
    if chat_kind in UNPARSEABLE:
        logged = [r.getMessage() for r in problems]
        prefix = f"skipped update {update_id}: python-telegram-bot cannot parse it ("
        assert len(logged) == 1 and logged[0].startswith(prefix), logged
        assert sent == []
        reason = logged[0].removeprefix(prefix)
        assert SKIP_REASONS.setdefault(chat_kind, reason) == reason, "the same whatever the text"
        if len(text.strip()) > 12:
            assert text not in logged[0]
        return
    assert problems == [], [r.getMessage() for r in problems]
    for params in sent:
        message_text(params)  # raises if Telegram would reject it
        check_keyboard(params.get("reply_markup"))
        if "<" in text and len(text.strip()) > 20:  # shorter ones ("<", "<i>") occur in any HTML
            assert text.strip() not in params["text"]


@pytest.mark.parametrize(
    "kind", ["sticker", "photo", "voice", "video", "document", "location", "contact"]
)
async def test_non_text_messages_are_handled_without_errors(tmp_path, kind, caplog):
    async with running_bot(tmp_path / "data", KNOWLEDGE_DIR) as bot:
        await bot.process(bot.emulator.non_text_message(OFFICER_ID, OFFICER_ID, kind))
        await bot.process(
            bot.emulator.non_text_message(GROUP_ID, OFFICER_ID, kind, chat_type="group")
        )
        assert "type your question" in bot.last_text(OFFICER_ID)
        assert bot.sent(GROUP_ID) == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_edits_channel_posts_new_members_and_forged_callbacks_are_harmless(tmp_path, caplog):
    async with running_bot(tmp_path / "data", KNOWLEDGE_DIR) as bot:
        await bot.process(bot.emulator.edited_message(OFFICER_ID, OFFICER_ID, QUESTION))
        await bot.process(bot.emulator.channel_post(-1001, QUESTION))
        await bot.process(
            bot.emulator.non_text_message(
                GROUP_ID, OFFICER_ID, "new_chat_members", chat_type="group"
            )
        )
        for data in (
            "",
            "open:",
            "learn:abc",
            "up:no-such-entry",
            "\u202e" * 10,
            "topic:" + "x" * 60,
        ):
            await bot.process(bot.emulator.callback_query(OFFICER_ID, data or "x"))
        assert bot.sent() == []
        assert len(bot.callback_answers()) == 6
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- admins' additions -----------------------------------------------------------------------

LEARNABLE = (  # each gets "did you mean" or "I don't know" with a topic to add it to
    "is it fine to review movies on youtube",
    "can my wife run a boutique page",
    "is chess streaming allowed",
    "could i teach yoga online",
    "may i host a quiz show on youtube",
)


async def test_admins_adding_phrasings_at_once_keep_every_one_reported_added(
    tmp_path, knowledge_copy
):
    async with running_bot(tmp_path / "data", knowledge_copy) as bot:
        emulator = bot.emulator
        for question in LEARNABLE:
            await bot.process(emulator.private_message(OFFICER_ID, question))
        await bot.process(emulator.private_message(ADMIN_ID, "/unanswered"))
        buttons = emulator.messages_to(ADMIN_ID)[-1]["reply_markup"]["inline_keyboard"]
        presses = [row[0]["callback_data"] for row in buttons]
        assert len(presses) == len(LEARNABLE)
        listing = emulator.messages_to(ADMIN_ID)[-1]
        await asyncio.gather(
            *(
                bot.process(emulator.callback_query(ADMIN_ID, data, message=listing))
                for data in presses
            )
        )
        added = [a for a in bot.callback_answers() if a.get("text") == "Added."]
        kept = read_phrasings(bot.settings.learned_phrasings)
        assert sorted(q for questions in kept.values() for q in questions) == sorted(LEARNABLE)
        assert len(added) == len(LEARNABLE)
        for question in LEARNABLE:
            assert bot.service.snapshot.matcher.match(question).confident, question


STALE = "blue moon protocol for the parade"


def rename_entry(knowledge: Path, old: str, new: str) -> None:
    """Rename an entry the way knowledge/README.md prescribes: the old id goes to aliases."""
    for path in knowledge.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if f"  - id: {old}\n" in text:
            renamed = f"  - id: {new}\n    aliases: [{old}]\n"
            path.write_text(text.replace(f"  - id: {old}\n", renamed), encoding="utf-8")
            return
    raise AssertionError(f"no entry {old}")


async def test_learned_phrasings_left_stale_by_an_edit_are_warnings_not_a_refusal(
    emulator, tmp_path, knowledge_copy
):
    kb = load_knowledge(knowledge_copy)
    taken = kb.get("anonymous-accounts").questions[0]
    data = tmp_path / "data"
    data.mkdir()
    (data / "learned-phrasings.yaml").write_text(
        "phrasings:\n"
        f"  uniform-and-insignia: [{STALE!r}]\n"  # the entry is renamed below
        "  no-such-entry: [something nobody can answer]\n"
        f"  official-vehicle-premises: [{taken!r}]\n",  # already another entry's question
        encoding="utf-8",
    )
    rename_entry(knowledge_copy, "uniform-and-insignia", "uniform-insignia-and-badges")
    env = {"KNOWLEDGE_DIR": str(knowledge_copy), "ADMIN_USER_IDS": "5150"}
    async with running(emulator, data, **env) as bot:
        mark = len(emulator.calls)
        emulator.private_message(OFFICER, STALE)
        assert "in uniform" in (await reply_in(emulator, OFFICER, mark))["text"].split("\n")[0]
        mark = len(emulator.calls)
        emulator.private_message(5150, "/reload")
        reloaded = message_text(await reply_in(emulator, 5150, mark))
    for said in (bot.output, reloaded):
        assert "no-such-entry" in said and "phrasing for unknown entry" in said
        assert "[official-vehicle-premises]: already a question of 'anonymous-accounts'" in said
        assert taken not in bot.output, "a learned question is not repeated in the log"
    assert bot.process.returncode == 0
    validate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "validate",
        env={**os.environ, "KNOWLEDGE_DIR": str(knowledge_copy), "DATA_DIR": str(data)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(validate.communicate(), 60)
    assert validate.returncode == 0, err
    learned = [line for line in out.decode().splitlines() if "learned-phrasings.yaml" in line]
    assert len(learned) == 2 and "no-such-entry" in learned[0] + learned[1], out


async def test_a_forged_learn_button_with_a_huge_number_is_refused_politely(tmp_path, caplog):
    async with running_bot(tmp_path / "data", KNOWLEDGE_DIR) as bot:
        await bot.process(bot.emulator.private_message(ADMIN_ID, "/unanswered"))
        listing = bot.emulator.messages_to(ADMIN_ID)[-1]
        forged = bot.emulator.callback_query(ADMIN_ID, "learn:" + "9" * 56, message=listing)
        await bot.process(forged)
        assert bot.callback_answers()[-1]["text"] == "That question is no longer stored."
        assert len(bot.sent()) == 1, "nothing but the /unanswered listing"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "hand_edit",
    ["phrasings: a line typed over the list\n", "phrasings:\n  writing-and-media: one text\n"],
)
async def test_a_learned_phrasings_file_edited_out_of_shape_is_refused_not_rewritten(
    tmp_path, knowledge_copy, hand_edit
):
    data = tmp_path / "data"
    data.mkdir()
    learned = data / "learned-phrasings.yaml"
    learned.write_text(hand_edit, encoding="utf-8")
    async with running_bot(data, knowledge_copy) as bot:
        emulator = bot.emulator
        await bot.process(emulator.private_message(OFFICER_ID, LEARNABLE[0]))
        await bot.process(emulator.private_message(ADMIN_ID, "/unanswered"))
        listing = emulator.messages_to(ADMIN_ID)[-1]
        press = listing["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        await bot.process(emulator.callback_query(ADMIN_ID, press, message=listing))
        answer = bot.callback_answers()[-1]["text"]
    assert answer.startswith("Not added") and "learned-phrasings.yaml" in answer
    assert learned.read_text(encoding="utf-8") == hand_edit


# --- knowledge-base faults ---------------------------------------------------------------------


def test_starting_with_an_invalid_knowledge_base_lists_the_problems_and_fails(knowledge_copy):
    (knowledge_copy / "broken.yaml").write_text("entries:\n  - id: x\n", encoding="utf-8")
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "1:x", "KNOWLEDGE_DIR": str(knowledge_copy)}
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert f"{knowledge_copy / 'broken.yaml'}:2 [x]: missing field 'title'" in result.stderr


@pytest.mark.parametrize(
    "damage",
    ["syntax error", "duplicate id", "broken link", "empty file", "file removed mid-read"],
)
def test_a_bad_reload_keeps_the_old_knowledge_serving(knowledge_copy, damage):
    service = AnswerService(knowledge_copy)
    before = service.snapshot
    rules = knowledge_copy / "rules-accounts.yaml"
    if damage == "syntax error":
        rules.write_text(rules.read_text() + "  - id: [oops\n")
    elif damage == "duplicate id":
        shutil.copy(rules, knowledge_copy / "copy.yaml")
    elif damage == "broken link":
        rules.write_text(rules.read_text().replace("related: [", "related: [nowhere, ", 1))
    elif damage == "empty file":
        (knowledge_copy / "new.yaml").write_text("")
    else:  # listed by the directory scan, gone by the time it is read
        (knowledge_copy / "gone.yaml").symlink_to(knowledge_copy / "does-not-exist.yaml")
    with pytest.raises(KnowledgeError):
        service.reload()
    assert service.snapshot is before
    assert service.snapshot.matcher.match(QUESTION).entry.id == "uniform-and-insignia"


# --- storage faults --------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["read-only", "disk full"])
async def test_a_storage_fault_is_reported_to_admins_and_answers_go_on(tmp_path, fault, caplog):
    async with running_bot(tmp_path / "data", KNOWLEDGE_DIR, user_questions_per_window=0) as bot:
        await bot.process(bot.emulator.private_message(OFFICER_ID, QUESTION))  # fills a page
        db = bot.store._db
        if fault == "read-only":
            db.execute("PRAGMA query_only = ON")
        else:
            pages = db.execute("PRAGMA page_count").fetchone()[0]
            db.execute(f"PRAGMA max_page_count = {pages}")
            db.execute("PRAGMA cache_size = 0")
        for _ in range(30):
            await bot.process(bot.emulator.private_message(OFFICER_ID, QUESTION + " " * _))
        assert "uniform" in bot.last_text(OFFICER_ID), "the answer still arrives"
        alerts = [m["shown"] for m in bot.sent(ADMIN_ID)]
        assert len(alerts) == 1 and "cannot save" in alerts[0]
    assert any("storage fault" in r.getMessage() for r in caplog.records)


def read_only_mount(directory: Path) -> list[str]:
    """A command prefix that runs the bot with `directory` on a read-only mount of its own
    (a private mount namespace), or skips the test where that is not allowed."""
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    prefix = ["unshare", "--mount", "sh", "-c", script, str(directory)]
    probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=10)
    if probe.returncode != 0:
        pytest.skip("mount namespaces are not available here")
    return prefix


def database_with_questions(data: Path, count: int = 2000) -> Path:
    data.mkdir(parents=True, exist_ok=True)
    store = Store(data / "conduct-bot.sqlite3")
    store.record_questions([
        Asked(
            user_id=n, chat_type="private", question=f"question number {n} " * 4,
            band="none", answer_id=None, closest_id=None, score=0.1,
        )
        for n in range(count)
    ])  # fmt: skip
    store.close()
    return data / "conduct-bot.sqlite3"


@pytest.mark.parametrize("damage", ["not a database", "truncated"])
async def test_a_corrupt_database_is_moved_aside_and_a_fresh_one_started(
    emulator, tmp_path, damage
):
    data = tmp_path / "data"
    database = database_with_questions(data)
    if damage == "not a database":
        database.write_bytes(b"this is not an SQLite file " * 100)
    else:  # a copy cut short, as a full disk or an interrupted restore leaves it
        with database.open("r+b") as file:
            file.truncate(database.stat().st_size // 2)
    damaged = database.read_bytes()
    async with running(emulator, data) as bot:
        mark = len(emulator.calls)
        emulator.private_message(OFFICER, QUESTION)
        await reply_in(emulator, OFFICER, mark)
    aside = [p for p in data.iterdir() if p.name.startswith("conduct-bot.sqlite3.corrupt-")]
    assert [p.read_bytes() for p in aside] == [damaged]
    assert f"moved aside to {aside[0].name}" in bot.output
    fresh = sqlite3.connect(database)
    assert fresh.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 1
    assert bot.process.returncode == 0 and "Traceback" not in bot.output


async def test_a_database_on_a_read_only_filesystem_starts_the_bot_without_storage(
    emulator, tmp_path
):
    data, admin = tmp_path / "data", 5150
    database_with_questions(data, count=1)
    prefix = read_only_mount(data)
    async with running(emulator, data, prefix=prefix, ADMIN_USER_IDS=str(admin)) as bot:
        alert = message_text(await reply_in(emulator, admin, 0))
        assert "without its database" in alert and "read-only" in alert.lower()
        mark = len(emulator.calls)
        emulator.private_message(OFFICER, QUESTION)
        answer = await reply_in(emulator, OFFICER, mark)
        assert "in uniform" in answer["text"], "answers go on"
        mark = len(emulator.calls)
        emulator.callback_query(OFFICER, "up:uniform-and-insignia")
        vote = await emulator.wait_for_call("answerCallbackQuery", after=mark, timeout=15)
        assert "database is unavailable" in vote.params["text"]
        mark = len(emulator.calls)
        emulator.private_message(admin, "/stats")
        stats = message_text(await reply_in(emulator, admin, mark))
        assert "unavailable" in stats and "read-only" in stats.lower()
    assert "starting without storage" in bot.output
    assert bot.process.returncode == 0 and "Traceback" not in bot.output


# --- durability and shutdown -----------------------------------------------------------------


async def test_sigkill_loses_nothing_acknowledged(emulator, tmp_path):
    data = tmp_path / "data"
    users = [OFFICER + n for n in range(40)]
    async with running(emulator, data) as bot:
        for user in users:
            emulator.private_message(user, QUESTION)
        await emulator.wait_for_call("sendMessage", timeout=15)  # mid-stream, not before it
        bot.process.kill()
        await bot.process.wait()
    answered = {
        int(c.params["chat_id"]) for c in emulator.calls_to("sendMessage") if c.fault is None
    }
    db = sqlite3.connect(data / "conduct-bot.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = db.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
    assert stored >= len(answered) > 0


async def test_sigterm_finishes_updates_in_flight_and_exits_cleanly(emulator, tmp_path):
    users = [OFFICER + n for n in range(30)]
    async with running(emulator, tmp_path / "data") as bot:
        for user in users:
            emulator.private_message(user, QUESTION)
        await emulator.wait_for_call("sendMessage", timeout=15)
        started = asyncio.get_running_loop().time()
        bot.process.terminate()
        await asyncio.wait_for(bot.process.wait(), 10)
        stopped_in = asyncio.get_running_loop().time() - started
    answered = {
        int(c.params["chat_id"]) for c in emulator.calls_to("sendMessage") if c.fault is None
    }
    assert bot.process.returncode == 0 and "Traceback" not in bot.output
    assert stopped_in < 5
    assert answered == set(users), "every update fetched before SIGTERM was answered"


async def test_sigkill_with_a_backlog_leaves_nobody_without_an_answer(emulator, tmp_path):
    """Only what is answered is confirmed: the next start answers what the kill cut short."""
    data, users = tmp_path / "data", [OFFICER + n for n in range(60)]
    for user in users:  # waiting at Telegram before the bot starts
        emulator.private_message(user, QUESTION)
    async with running(emulator, data, UPDATES_PER_FETCH="10") as bot:
        await emulator.wait_for_call("sendMessage", timeout=15)
        bot.process.kill()
        await bot.process.wait()
    async with running(emulator, data, UPDATES_PER_FETCH="10"):
        await emulator.wait_until(lambda: all(emulator.messages_to(u) for u in users), 20)
    twice = [u for u in users if len(emulator.messages_to(u)) > 1]
    assert len(twice) <= 10, "at most the batch in hand at the kill is answered again"


async def test_sigterm_with_a_backlog_answers_what_is_in_hand_and_leaves_the_rest(
    emulator, tmp_path
):
    data, users = tmp_path / "data", [OFFICER + n for n in range(120)]
    for user in users:
        emulator.private_message(user, QUESTION)
    async with running(emulator, data, UPDATES_PER_FETCH="10") as bot:
        await emulator.wait_for_call("sendMessage", timeout=15)
        started = asyncio.get_running_loop().time()
        bot.process.terminate()
        await asyncio.wait_for(bot.process.wait(), 15)
        stopped_in = asyncio.get_running_loop().time() - started
    assert bot.process.returncode == 0
    assert stopped_in < 2.5, f"stopped in {stopped_in:.1f}s"
    answered = [u for u in users if emulator.messages_to(u)]
    assert 0 < len(answered) <= 20, "what was in hand, not the whole backlog"
    async with running(emulator, data, UPDATES_PER_FETCH="10"):
        await emulator.wait_until(lambda: all(emulator.messages_to(u) for u in users), 20)
    assert [len(emulator.messages_to(u)) for u in users] == [1] * len(users)


async def test_sigterm_gives_up_on_replies_telegram_is_too_slow_for(emulator, tmp_path):
    data, users = tmp_path / "data", [OFFICER + n for n in range(3)]
    env = {"STOP_TIMEOUT_SECONDS": "1", "TELEGRAM_REQUEST_TIMEOUT": "8"}
    async with running(emulator, data, **env) as bot:
        emulator.fail("sendMessage", "slow", times=3, delay=30)  # Telegram hangs on these
        for user in users:
            emulator.private_message(user, QUESTION)
        await emulator.wait_until(lambda: len(emulator.calls_to("sendMessage")) == 3)
        started = asyncio.get_running_loop().time()
        bot.process.terminate()
        await asyncio.wait_for(bot.process.wait(), 15)
        stopped_in = asyncio.get_running_loop().time() - started
    assert bot.process.returncode == 0 and stopped_in < 3, f"stopped in {stopped_in:.1f}s"
    assert "left 3 updates unconfirmed" in bot.output
    async with running(emulator, data, **env):
        await emulator.wait_until(lambda: all(emulator.messages_to(u) for u in users), 15)


# --- secrets and the container ---------------------------------------------------------------


def test_an_unreachable_api_at_start_is_reported_without_the_token(tmp_path):
    import subprocess

    token = "31337:do-not-print-me"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",  # nothing listens on the discard port
        "DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "DEBUG",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "cannot reach the Bot API" in result.stderr
    assert "do-not-print-me" not in result.stdout + result.stderr


async def start_and_fail(data: Path, **env: str) -> tuple[int, str]:
    """Run the bot where it must refuse to start; its exit status and what it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        env={**os.environ, "TELEGRAM_BOT_TOKEN": "31337:never-used-here",
             "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9", "DATA_DIR": str(data), **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode()


@pytest.mark.parametrize("key", [b"", b"cut-short-by-a-full-disk"])
async def test_a_hash_key_shorter_than_32_bytes_is_refused_with_a_clear_message(tmp_path, key):
    data = tmp_path / "data"
    data.mkdir()
    (data / "conduct-bot.key").write_bytes(key)
    status, said = await start_and_fail(data)
    assert status == 2 and "Traceback" not in said
    assert f"{data / 'conduct-bot.key'} holds {len(key)} bytes" in said and "32" in said
    status, said = await start_and_fail(tmp_path / "other", USER_HASH_KEY="too-short")
    assert status == 2 and "USER_HASH_KEY" in said and "32" in said


async def test_the_data_directory_and_its_files_are_private(emulator, tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)  # as mkdir -p or a fresh volume leaves it
    data.chmod(0o755)
    async with running(emulator, data):
        mark = len(emulator.calls)
        emulator.private_message(OFFICER, QUESTION)
        await reply_in(emulator, OFFICER, mark)
        modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in data.iterdir()}
    assert oct(stat.S_IMODE(data.stat().st_mode)) == "0o700"
    assert {"conduct-bot.sqlite3", "conduct-bot.sqlite3-wal", "conduct-bot.key"} <= set(modes)
    assert set(modes.values()) == {"0o600"}, modes


async def test_info_logs_carry_hashed_ids_only_and_no_question_text(emulator, tmp_path):
    data, admin, user = tmp_path / "data", 990077, 770001
    async with running(emulator, data, ADMIN_USER_IDS=str(admin)) as bot:
        mark = len(emulator.calls)
        emulator.private_message(user, LEARNABLE[0], first_name="Zebedee", username="zeb_hq")
        await reply_in(emulator, user, mark)
        mark = len(emulator.calls)
        emulator.private_message(admin, "/unanswered", first_name="Adminia")
        await reply_in(emulator, admin, mark)
        listing = emulator.messages_to(admin)[-1]
        press = listing["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        mark = len(emulator.calls)
        emulator.callback_query(admin, press, message=listing)
        await emulator.wait_for_call("answerCallbackQuery", after=mark, timeout=15)
        mark = len(emulator.calls)
        emulator.private_message(admin, "/reload", first_name="Adminia")
        await reply_in(emulator, admin, mark)
    output = bot.output
    key = (data / "conduct-bot.key").read_bytes().strip()
    admin_hash = hmac.new(key, str(admin).encode(), hashlib.sha256).hexdigest()[:12]
    assert f"admin {admin_hash}: add-phrasing personal-reviews" in output
    for private in (str(user), str(admin), "Zebedee", "zeb_hq", "Adminia", LEARNABLE[0]):
        assert private not in output, private


async def test_the_token_is_redacted_in_any_case_html_escaped_or_its_secret_part_alone(
    emulator, tmp_path
):
    async with running(emulator, tmp_path / "data") as bot:
        emulator.fail("sendMessage", "echo")  # an error text that repeats the request's path
        emulator.private_message(OFFICER, QUESTION)
        line = await bot.wait_for_output("o route for /bot")
    assert TOKEN.partition(":")[2].lower() not in bot.output.lower()
    assert line.count("<token>") == 3, line


async def test_an_unknown_log_level_is_a_one_line_usage_error(tmp_path):
    status, said = await start_and_fail(tmp_path / "data", LOG_LEVEL="VERBOSE")
    assert status == 2 and "Traceback" not in said
    assert said.strip().splitlines() == [
        "conduct-bot: LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL; got 'VERBOSE'"
    ]


def test_a_token_file_is_read_like_a_container_secret_only_by_the_command_that_needs_it(
    tmp_path,
):
    from bot.config import ConfigError, Settings, with_token

    secret = tmp_path / "token"
    secret.write_text("42:from-a-file\n", encoding="utf-8")
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN_FILE": str(secret)})
    assert with_token(settings).token == "42:from-a-file"
    assert "42:from-a-file" not in repr(with_token(settings))
    missing = Settings.from_env({"TELEGRAM_BOT_TOKEN_FILE": str(tmp_path / "missing")})
    with pytest.raises(ConfigError, match="cannot read"):
        with_token(missing)
    env = {**os.environ, "TELEGRAM_BOT_TOKEN_FILE": str(tmp_path / "missing")}
    for command in (["validate"], ["ask", "can I post a reel in uniform?"]):
        result = subprocess.run(
            [sys.executable, "-m", "bot", *command], env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, (command, result.stderr)


def test_the_image_runs_as_a_non_root_user_and_reads_the_token_from_a_secret():
    dockerfile = (KNOWLEDGE_DIR.parent / "Dockerfile").read_text(encoding="utf-8")
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert "TELEGRAM_BOT_TOKEN_FILE=/run/secrets/" in dockerfile
    assert "TELEGRAM_BOT_TOKEN=" not in dockerfile.replace("TELEGRAM_BOT_TOKEN_FILE=", "")
    assert 'CMD ["conduct-bot", "run"]' in dockerfile
