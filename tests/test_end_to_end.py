"""The real `conduct-bot run` process, talking to the loopback Bot API emulator as users would."""

from __future__ import annotations

import asyncio
import os
import sys

import httpx

from tests.process_harness import BOT, FLAGSHIP, GROUP, OFFICER, TOKEN, free_port, reply_in, running


async def test_officers_and_groups_talk_to_the_real_bot_process(emulator, tmp_path):
    async with running(emulator, tmp_path / "data") as bot:
        await emulator.wait_until(lambda: len(emulator.calls_to("setMyCommands")) >= 3)
        scopes = {c.params["scope"]["type"] for c in emulator.calls_to("setMyCommands")}
        assert {"all_private_chats", "all_group_chats"} <= scopes

        # A private question gets the full answer, verdict first.
        mark = len(emulator.calls)
        emulator.private_message(OFFICER, FLAGSHIP)
        answer = await reply_in(emulator, OFFICER, mark)
        assert "Not allowed" in answer["text"].split("\n")[0]

        # Group chatter is ignored; /ask, a mention and a reply to the bot are answered.
        mark = len(emulator.calls)
        emulator.group_message(GROUP, OFFICER, FLAGSHIP)
        asked = emulator.group_message(GROUP, OFFICER, "/ask can I post reels in uniform?")
        first = await reply_in(emulator, GROUP, mark)
        assert first["reply_parameters"]["message_id"] == asked["message"]["message_id"]
        mark = len(emulator.calls)
        mention = emulator.group_message(GROUP, OFFICER, f"@{BOT} can I post in uniform?")
        assert (await reply_in(emulator, GROUP, mark))["reply_parameters"]["message_id"] == (
            mention["message"]["message_id"]
        )
        mark = len(emulator.calls)
        bots_message = emulator.messages_to(GROUP)[-1]
        emulator.group_message(
            GROUP, OFFICER, "what about my sarkari gaadi?", reply_to=bots_message
        )
        assert "Official vehicles" in (await reply_in(emulator, GROUP, mark))["text"]
        group_replies = [
            c for c in emulator.calls_to("sendMessage") if c.params["chat_id"] == GROUP
        ]
        assert len(group_replies) == 3, "the plain group message got no reply"

        # Inline mode offers entries with the verdict in the title.
        mark = len(emulator.calls)
        emulator.inline_query(OFFICER, "reels in uniform")
        inline = await emulator.wait_for_call("answerInlineQuery", after=mark, timeout=15)
        # Posting in uniform is barred by some forces' orders, not all: for an asker whose
        # service is unknown, the honest headline is that it depends.
        assert inline.params["results"][0]["title"].startswith("❔ Depends on your service")

        # An unsure match offers choices; pressing one turns the message into the answer.
        mark = len(emulator.calls)
        emulator.private_message(OFFICER, "emblem on my car")
        offer = await reply_in(emulator, OFFICER, mark)
        choice = offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        message = emulator.messages_to(OFFICER)[-1]
        mark = len(emulator.calls)
        emulator.callback_query(OFFICER, choice, message=message)
        await emulator.wait_for_call("answerCallbackQuery", after=mark, timeout=15)
        edited = await emulator.wait_for_call("editMessageText", after=mark, timeout=15)
        assert edited.params["message_id"] == message["message_id"]
    assert bot.process.returncode == 0, bot.output
    assert "Traceback" not in bot.output


async def test_the_token_never_appears_in_output_even_at_debug(emulator, tmp_path):
    async with running(emulator, tmp_path / "data", LOG_LEVEL="DEBUG") as bot:
        mark = len(emulator.calls)
        emulator.private_message(OFFICER, FLAGSHIP)
        await reply_in(emulator, OFFICER, mark)
        emulator.fail("sendMessage", "500")
        emulator.private_message(OFFICER, "Can I post in uniform?")
        await emulator.wait_until(lambda: any(c.fault for c in emulator.calls_to("sendMessage")))
        await bot.wait_for_output("sendMessage")  # what DEBUG says about it
    assert "HTTP Request: POST" in bot.output, "DEBUG logging was on"
    secret = TOKEN.split(":")[1]
    assert secret not in bot.output
    assert "<token>" in bot.output


async def test_webhook_mode_receives_updates_with_the_secret_and_refuses_forgeries(
    emulator, tmp_path
):
    port = free_port()
    env = {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}",
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_SECRET_TOKEN": "webhook-secret",
    }
    async with running(emulator, tmp_path / "data", "--webhook", ready="setWebhook", **env):
        registration = emulator.calls_to("setWebhook")[-1].params
        assert registration["secret_token"] == "webhook-secret"
        mark = len(emulator.calls)
        for _ in range(100):  # the webhook server starts right after setWebhook
            emulator.private_message(OFFICER, FLAGSHIP)
            try:
                await reply_in(emulator, OFFICER, mark)
                break
            except TimeoutError:
                continue
        forged = {"update_id": 999, "message": {"message_id": 1, "date": 0, "text": "hi",
                  "chat": {"id": 1, "type": "private"}}}  # fmt: skip
        async with httpx.AsyncClient() as client:
            response = await client.post(registration["url"], json=forged)
        assert response.status_code == 403


async def test_without_a_token_run_explains_how_to_get_one(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert b"@BotFather" in err and b"conduct-bot chat" in err and b"Traceback" not in err
