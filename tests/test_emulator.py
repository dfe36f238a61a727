"""The Bot API emulator behaves like Telegram for the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    Conflict,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.emulator import BotAPIEmulator, entities_for

TOKEN = "111:EMU"
CHAT = 77


@pytest.fixture
async def emulator():
    async with BotAPIEmulator(TOKEN) as running:
        yield running


@pytest.fixture
async def bot(emulator):
    request = HTTPXRequest(read_timeout=1.0, connect_timeout=1.0, connection_pool_size=8)
    client = Bot(TOKEN, base_url=f"{emulator.base_url}/bot", request=request)
    async with client:
        yield client


async def test_get_me_returns_the_bot_user(bot, emulator):
    assert bot.username == "conduct_test_bot"
    assert emulator.calls[0].method == "getMe"


async def test_a_wrong_token_is_unauthorized(emulator):
    with pytest.raises(InvalidToken):
        async with Bot("111:WRONG", base_url=f"{emulator.base_url}/bot"):
            pass


async def test_long_polling_wakes_on_an_injected_update_and_honours_offset(bot, emulator):
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await emulator.wait_until(lambda: bool(emulator.calls_to("getUpdates")))  # it is waiting
    emulator.private_message(CHAT, "hello")
    updates = await poll
    assert time.monotonic() - started < 2
    assert [u.message.text for u in updates] == ["hello"]
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()


async def test_a_second_poller_ends_the_first_with_a_conflict(bot, emulator):
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await emulator.wait_until(lambda: bool(emulator.calls_to("getUpdates")))  # it is waiting
    async with Bot(TOKEN, base_url=f"{emulator.base_url}/bot") as other_instance:
        assert await other_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict):
        await first


async def test_valid_html_is_sent_and_recorded_as_the_user_sees_it(bot, emulator):
    emulator.private_message(CHAT, "hi")
    sent = await bot.send_message(CHAT, "<b>Bold</b> &amp; <i>it</i>", parse_mode="HTML")
    assert sent.text == "Bold & it"
    assert emulator.messages_to(CHAT)[0]["text"] == "Bold & it"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<b>unclosed", "Can't find end tag"),
        ("<script>x</script>", 'Unsupported start tag "script"'),
        ("a < b", "Unsupported start tag"),
        ("fish & chips", "Unclosed or unsupported entity"),
        ("<b>x</i>", "Unmatched end tag"),
        ("   ", "message text is empty"),
        ("x" * 4097, "message is too long"),
    ],
)
async def test_invalid_messages_are_rejected_like_telegram(bot, text, message):
    with pytest.raises(BadRequest, match=r"(?i)" + message):
        await bot.send_message(CHAT, text, parse_mode="HTML")


async def test_callback_data_over_64_bytes_is_rejected(bot):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "choose", reply_markup=markup)


async def test_editing_checks_the_message_exists_and_changed(bot):
    sent = await bot.send_message(CHAT, "first")
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("first", CHAT, sent.message_id)
    edited = await bot.edit_message_text("second", CHAT, sent.message_id)
    assert edited.text == "second"
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", CHAT, 999)


async def test_a_callback_query_can_be_answered_once(bot, emulator):
    update = emulator.callback_query(CHAT, "open:x")
    query_id = update["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id, text="ok")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)


async def test_replying_to_a_missing_message_is_rejected(bot):
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(CHAT, "x", reply_to_message_id=12345)


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("429", RetryAfter),
        ("500", NetworkError),
        ("502", NetworkError),
        ("malformed", TelegramError),
        ("drop", NetworkError),
        ("409", Conflict),
    ],
)
async def test_each_fault_applies_for_its_calls_then_clears(bot, emulator, kind, error):
    emulator.fail("sendMessage", kind, times=2, retry_after=3)
    for _ in range(2):
        with pytest.raises(error) as caught:
            await bot.send_message(CHAT, "x")
    if kind == "429":
        assert "Retry in 3 seconds" in str(caught.value)
    assert (await bot.send_message(CHAT, "x")).text == "x"
    faulted = [c.fault for c in emulator.calls_to("sendMessage")]
    assert faulted == [kind, kind, None]


async def test_a_slow_reply_times_the_client_out(bot, emulator):
    emulator.fail("*", "slow", delay=1.5)
    with pytest.raises(TimedOut):
        await bot.send_message(CHAT, "x")


async def test_webhook_delivery_carries_the_secret_token(bot, emulator):
    from aiohttp import web

    received: list[tuple[dict, str | None]] = []
    arrived = asyncio.Event()

    async def receive(request: web.Request) -> web.Response:
        received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        arrived.set()
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        with pytest.raises(Conflict):
            await bot.get_updates()
        emulator.private_message(CHAT, "via webhook")
        await asyncio.wait_for(arrived.wait(), 5)
        assert received[0][0]["message"]["text"] == "via webhook"
        assert received[0][1] == "s3cret"
        assert emulator.webhook_answers[received[0][0]["update_id"]] == [200]
    finally:
        await runner.cleanup()


def test_entities_use_utf16_offsets_for_commands_and_mentions():
    assert entities_for("/ask@conduct_test_bot hi") == [
        {"type": "bot_command", "offset": 0, "length": 21}
    ]
    assert entities_for("👮 @conduct_test_bot hi") == [
        {"type": "mention", "offset": 3, "length": 17}
    ]


async def test_builders_make_updates_the_library_parses(emulator, bot):
    from telegram import Update

    for update in (
        emulator.group_message(-5, 1, "@conduct_test_bot hi"),
        emulator.non_text_message(1, 1, "sticker"),
        emulator.edited_message(1, 1, "edited"),
        emulator.channel_post(-7, "post"),
        emulator.inline_query(1, "q"),
    ):
        parsed = Update.de_json(update, bot)
        assert parsed.update_id == update["update_id"]


@pytest.mark.parametrize("kind", ["date", "poll", "entity"])
async def test_unparseable_messages_are_ones_the_library_really_rejects(emulator, bot, kind):
    from telegram import Update

    update = emulator.unparseable_message(1, 1, kind)
    with pytest.raises((TypeError, ValueError)):
        Update.de_json(update, bot)
    with pytest.raises((TypeError, ValueError)):
        await bot.get_updates(timeout=0)  # the library's own parsing of a whole batch


@pytest.mark.parametrize(
    ("kind", "error"),
    [("500", NetworkError), ("502", NetworkError), ("malformed", TelegramError),
     ("drop", NetworkError)],
)  # fmt: skip
async def test_a_fault_after_carrying_out_delivers_the_message_but_loses_the_answer(
    bot, emulator, kind, error
):
    emulator.fail("sendMessage", kind, carried_out=True)
    with pytest.raises(error):
        await bot.send_message(CHAT, "delivered all the same")
    assert [m["text"] for m in emulator.messages_to(CHAT)] == ["delivered all the same"]
    assert emulator.calls_to("sendMessage")[-1].carried_out
    with pytest.raises(ValueError):
        emulator.fail("sendMessage", "429", carried_out=True)


async def test_going_down_refuses_new_connections_for_a_while(emulator):
    import httpx

    async with httpx.AsyncClient() as client:
        url = f"{emulator.base_url}/bot{TOKEN}/getMe"
        assert (await client.get(url)).status_code == 200
        went_down = time.monotonic()
        await emulator.go_down(0.5)
        with pytest.raises(httpx.ConnectError):
            await client.get(url)  # the idle keep-alive connection was closed too
        while True:  # a client retrying, as the bot does
            try:
                response = await client.get(url)
                break
            except httpx.ConnectError:
                await asyncio.sleep(0.05)
        assert response.status_code == 200
        assert 0.45 < time.monotonic() - went_down < 2


async def test_an_echo_fault_repeats_the_token_in_the_error_three_ways(bot, emulator):
    emulator.fail("sendMessage", "echo")
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(CHAT, "x")
    text, secret = str(caught.value), TOKEN.partition(":")[2].lower()
    # python-telegram-bot capitalises a "Bad Request: ..." description, lowercasing the rest.
    assert f"/bot{TOKEN}/sendmessage".lower() in text
    assert f"/bot{TOKEN.replace(':', '&#58;')}/sendMessage".lower() in text
    assert f"key {secret}" in text
