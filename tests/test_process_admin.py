"""The real `conduct-bot run` process for admins: reloads, and a restart that loses nothing."""

from __future__ import annotations

import shutil
import signal

from bot.emulator import BotAPIEmulator
from tests.conftest import KNOWLEDGE_DIR
from tests.process_harness import BOT, OFFICER, TOKEN, reply_in, running

ADMIN = 5150
ZEBRA = "what about zebra crossings"


def teach_zebra(knowledge) -> None:
    """A good edit: a new phrasing for the public-trust concern."""
    path = knowledge / "concerns.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "  - id: public-trust\n"
    head, tail = text.split(marker)
    tail = tail.replace("    questions:\n", f'    questions:\n      - "{ZEBRA}"\n', 1)
    path.write_text(head + marker + tail, encoding="utf-8")


async def ask(emulator: BotAPIEmulator, text: str, user: int = OFFICER) -> str:
    mark = len(emulator.calls)
    emulator.private_message(user, text)
    return (await reply_in(emulator, user, mark))["text"]


async def test_watch_and_sighup_pick_up_good_edits_and_survive_bad_ones(emulator, tmp_path):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, knowledge)
    env = {"KNOWLEDGE_DIR": str(knowledge), "WATCH_INTERVAL": "0.2"}
    async with running(emulator, tmp_path / "data", "--watch", **env) as bot:
        watching = await bot.wait_for_output("watching")
        assert "knowledge files for changes in" in watching and str(knowledge) in watching
        assert "Erosion of public trust" not in await ask(emulator, ZEBRA)
        teach_zebra(knowledge)
        await bot.wait_for_output("reloaded (files changed)")
        assert "Erosion of public trust" in await ask(emulator, ZEBRA), "--watch picked it up"

        broken = knowledge / "rules-accounts.yaml"
        broken.write_text("entries: [unclosed\n", encoding="utf-8")
        bot.process.send_signal(signal.SIGHUP)
        await bot.wait_for_output("failed, still serving the previous knowledge base")
        assert "Erosion of public trust" in await ask(emulator, ZEBRA), "still serving"
        assert "Anonymous" in await ask(emulator, "can I run an anonymous account?")
    assert "reload (SIGHUP) failed" in bot.output or "reload (files changed) failed" in bot.output
    assert f"{broken}:" in bot.output
    assert bot.process.returncode == 0


async def test_questions_votes_and_a_chosen_service_survive_a_restart(emulator, tmp_path):
    data = tmp_path / "data"
    env = {"ADMIN_USER_IDS": str(ADMIN)}
    async with running(emulator, data, **env):
        await emulator.wait_until(lambda: len(emulator.calls_to("setMyCommands")) == 4)
        admin_scopes = [
            c.params["scope"] for c in emulator.calls_to("setMyCommands")
            if c.params["scope"]["type"] == "chat"
        ]  # fmt: skip
        assert admin_scopes == [{"type": "chat", "chat_id": ADMIN}]
        await ask(emulator, "Can I post a reel in uniform?")
        message = emulator.messages_to(OFFICER)[-1]
        mark = len(emulator.calls)
        emulator.callback_query(OFFICER, "down:uniform-and-insignia", message=message)
        ack = await emulator.wait_for_call("answerCallbackQuery", after=mark, timeout=15)
        assert "noted" in ack.params["text"]
        await ask(emulator, "/service", user=OFFICER + 1)
        menu = emulator.messages_to(OFFICER + 1)[-1]
        mark = len(emulator.calls)
        emulator.callback_query(OFFICER + 1, "svc:up-police", message=menu)
        await emulator.wait_for_call("answerCallbackQuery", after=mark, timeout=15)

    async with BotAPIEmulator(TOKEN, bot_username=BOT) as second, running(second, data, **env):
        stats = await ask(second, "/stats", user=ADMIN)
        duty = "can i check facebook during duty"
        assert (await ask(second, duty, user=OFFICER + 1)).startswith("<b>⛔ Not allowed")
        assert (await ask(second, duty)).startswith("<b>❔ Depends on your service")
    assert "1 question," in stats and "100% answered confidently" in stats
    assert "Most 👎" in stats and "uniform" in stats.split("Most 👎")[1]
