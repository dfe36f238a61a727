"""The bot's front doors, run as the real Application against the loopback Bot API emulator."""

from __future__ import annotations

import pytest

from bot.keyboards import CALLBACK_LIMIT
from bot.render import DISCLAIMER
from tests.bot_harness import BOT_USERNAME, GROUP_ID, OFFICER_ID, running_bot
from tests.conftest import KNOWLEDGE_DIR

FLAGSHIP = "Can I post a reel from my official vehicle?"


@pytest.fixture
async def bot(tmp_path):
    async with running_bot(tmp_path / "data", KNOWLEDGE_DIR) as harness:
        yield harness


def buttons(params) -> list[dict]:
    markup = params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def callbacks_in(params) -> list[str]:
    return [b["callback_data"] for b in buttons(params) if "callback_data" in b]


# --- private chats --------------------------------------------------------------------------


async def test_private_question_gets_the_full_answer_verdict_first(bot):
    await bot.process(bot.emulator.private_message(OFFICER_ID, FLAGSHIP))
    sent = bot.sent(OFFICER_ID)[-1]
    assert sent["parse_mode"] == "HTML"
    assert sent["shown"].startswith(("⛔ Not allowed", "⚠️ Allowed, with care"))
    assert "Official vehicles" in sent["shown"].splitlines()[0]
    assert "Source" in sent["shown"]
    data = callbacks_in(sent)
    assert "up:official-vehicle-premises" in data and "down:official-vehicle-premises" in data
    assert any(d.startswith("open:") for d in data), "related entries as buttons"
    assert all(len(d.encode()) <= CALLBACK_LIMIT for d in data)


async def test_an_unsure_match_offers_did_you_mean_and_a_press_opens_the_answer(bot):
    await bot.process(bot.emulator.private_message(OFFICER_ID, "emblem on my car"))
    offer = bot.sent(OFFICER_ID)[-1]
    assert "Did you mean" in offer["shown"]
    choices = [d for d in callbacks_in(offer) if d.startswith("open:")]
    assert 1 <= len(choices) <= 3
    message = bot.emulator.messages_to(OFFICER_ID)[-1]
    await bot.process(bot.emulator.callback_query(OFFICER_ID, choices[0], message=message))
    edited = bot.sent(OFFICER_ID)[-1]
    entry = bot.service.snapshot.kb.get(choices[0].split(":")[1])
    assert entry.title in edited["shown"]
    assert bot.callback_answers(), "every button press is answered"


async def test_an_unknown_question_gets_an_honest_i_dont_know_with_topics(bot):
    await bot.process(bot.emulator.private_message(OFFICER_ID, "How do I renew my passport?"))
    sent = bot.sent(OFFICER_ID)[-1]
    assert "I don't know" in sent["shown"]
    assert "social media" in sent["shown"]
    assert any(d.startswith("topic:") for d in callbacks_in(sent))


async def test_start_greets_with_the_disclaimer_and_deep_links_open_an_entry(bot):
    await bot.process(bot.emulator.private_message(OFFICER_ID, "/start"))
    assert "Guidance, not legal advice" in bot.last_text(OFFICER_ID)
    await bot.process(bot.emulator.private_message(OFFICER_ID, "/start uniform-and-insignia"))
    assert "uniform" in bot.last_text(OFFICER_ID).splitlines()[0]
    await bot.process(bot.emulator.private_message(OFFICER_ID, "/start no-such-entry"))
    assert "Guidance, not legal advice" in bot.last_text(OFFICER_ID)


async def test_topics_browse_concerns_then_situations_editing_in_place(bot):
    await bot.process(bot.emulator.private_message(OFFICER_ID, "/topics"))
    menu = bot.sent(OFFICER_ID)[-1]
    assert "topic:misuse-of-resources" in callbacks_in(menu)
    message = bot.emulator.messages_to(OFFICER_ID)[-1]
    press = bot.emulator.callback_query(OFFICER_ID, "topic:misuse-of-resources", message=message)
    await bot.process(press)
    edited = bot.emulator.calls_to("editMessageText")[-1].params
    assert edited["message_id"] == message["message_id"]
    assert "open:official-vehicle-premises" in callbacks_in(edited)
    assert "topic:" in callbacks_in(edited), "a way back"


async def test_stickers_and_photos_get_please_type(bot):
    for kind in ("sticker", "photo", "voice"):
        await bot.process(bot.emulator.non_text_message(OFFICER_ID, OFFICER_ID, kind))
        assert "type your question" in bot.last_text(OFFICER_ID)


async def test_help_explains_groups_and_inline(bot):
    await bot.process(bot.emulator.private_message(OFFICER_ID, "/help"))
    text = bot.last_text(OFFICER_ID)
    assert "/ask" in text and "@username" in text and DISCLAIMER.split(".")[0] in text


# --- groups ---------------------------------------------------------------------------------


async def test_group_chatter_is_ignored_silently(bot):
    before = len(bot.emulator.calls)
    await bot.process(bot.emulator.group_message(GROUP_ID, OFFICER_ID, FLAGSHIP))
    await bot.process(
        bot.emulator.group_message(GROUP_ID, OFFICER_ID, "/ask@other_bot " + FLAGSHIP)
    )
    assert [c.method for c in bot.emulator.calls[before:]] == []


@pytest.mark.parametrize(
    "text",
    [f"/ask {FLAGSHIP}", f"/ask@{BOT_USERNAME} {FLAGSHIP}", f"@{BOT_USERNAME} {FLAGSHIP}"],
    ids=["ask", "ask@bot", "mention"],
)
async def test_group_answers_when_addressed_briefly_with_a_deep_link(bot, text):
    update = bot.emulator.group_message(GROUP_ID, OFFICER_ID, text)
    await bot.process(update)
    sent = bot.sent(GROUP_ID)[-1]
    assert "Official vehicles" in sent["shown"].splitlines()[0]
    assert len(sent["shown"]) < 1000, "group answers are short"
    reply_to = sent.get("reply_parameters", {}).get("message_id") or sent.get("reply_to_message_id")
    assert reply_to == update["message"]["message_id"]
    urls = [b["url"] for b in buttons(sent) if "url" in b]
    assert urls == [f"https://t.me/{BOT_USERNAME}?start=official-vehicle-premises"]


async def test_a_reply_to_the_bot_in_a_group_is_a_question(bot):
    await bot.process(bot.emulator.group_message(GROUP_ID, OFFICER_ID, f"/ask {FLAGSHIP}"))
    bots_message = bot.emulator.messages_to(GROUP_ID)[-1]
    reply = bot.emulator.group_message(
        GROUP_ID, OFFICER_ID, "and a reel in uniform?", reply_to=bots_message
    )
    await bot.process(reply)
    assert "uniform" in bot.last_text(GROUP_ID).splitlines()[0]


async def test_ask_without_a_question_explains_how(bot):
    await bot.process(bot.emulator.group_message(GROUP_ID, OFFICER_ID, "/ask"))
    assert "Ask like this" in bot.last_text(GROUP_ID)


# --- inline mode ----------------------------------------------------------------------------


async def test_inline_query_offers_entries_with_the_verdict_in_the_title(bot):
    await bot.process(bot.emulator.inline_query(OFFICER_ID, "reel in official vehicle"))
    answer = bot.emulator.calls_to("answerInlineQuery")[-1].params
    results = answer["results"]
    assert 1 <= len(results) <= 10
    assert results[0]["id"] == "official-vehicle-premises"
    assert results[0]["title"].startswith(("⛔", "⚠️", "✅"))
    assert answer["button"]["start_parameter"]


async def test_empty_inline_query_offers_the_most_asked_topics_first(bot):
    for _ in range(2):
        await bot.process(bot.emulator.private_message(OFFICER_ID, "can I wear vardi in reels?"))
    await bot.process(bot.emulator.inline_query(OFFICER_ID, ""))
    results = bot.emulator.calls_to("answerInlineQuery")[-1].params["results"]
    assert len(results) == 10
    assert results[0]["id"] == "uniform-and-insignia"


# --- buttons --------------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["open:no-such-entry", "rm -rf", "x" * 64, "topic:../../etc"])
async def test_forged_or_stale_buttons_get_a_polite_refusal(bot, data):
    await bot.process(bot.emulator.private_message(OFFICER_ID, "/topics"))
    message = bot.emulator.messages_to(OFFICER_ID)[-1]
    await bot.process(bot.emulator.callback_query(OFFICER_ID, data, message=message))
    assert "out of date" in bot.callback_answers()[-1]["text"]
    assert not bot.emulator.calls_to("editMessageText")


async def test_feedback_is_acknowledged_once_saved_and_can_change(bot):
    await bot.process(bot.emulator.private_message(OFFICER_ID, FLAGSHIP))
    message = bot.emulator.messages_to(OFFICER_ID)[-1]
    for data in ("up:official-vehicle-premises", "down:official-vehicle-premises"):
        await bot.process(bot.emulator.callback_query(OFFICER_ID, data, message=message))
    acks = [a["text"] for a in bot.callback_answers()]
    assert "👍" in acks[0] and "noted" in acks[1]
    assert bot.store.stats().votes == (("official-vehicle-premises", 0, 1),)


# --- verdicts for the asker's own service ----------------------------------------------------

UNIFORM_REELS = "reels in uniform allowed?"


async def test_a_verdict_that_differs_by_service_offers_i_am_buttons_that_rerender(bot):
    await bot.process(bot.emulator.private_message(OFFICER_ID, UNIFORM_REELS))
    sent = bot.sent(OFFICER_ID)[-1]
    assert sent["shown"].startswith("❔ Depends on your service")
    assert "How it differs" in sent["shown"] and "UP Police" in sent["shown"]
    press = "iam:uniform-and-insignia:up-police"
    assert press in callbacks_in(sent)
    message = bot.emulator.messages_to(OFFICER_ID)[-1]
    await bot.process(bot.emulator.callback_query(OFFICER_ID, press, message=message))
    edited = bot.sent(OFFICER_ID)[-1]
    assert edited["message_id"] == message["message_id"]
    assert edited["shown"].startswith("⛔ Not allowed")
    assert "For UP Police" in edited["shown"]
    assert "UP Police" in bot.callback_answers()[-1]["text"]


async def test_a_chosen_service_is_remembered_shown_in_privacy_and_forgotten(bot):
    duty = "can i check facebook during duty"
    await bot.process(bot.emulator.private_message(OFFICER_ID, duty))
    assert bot.last_text(OFFICER_ID).startswith("❔ Depends on your service")
    await bot.process(bot.emulator.private_message(OFFICER_ID, "/service"))
    menu = bot.sent(OFFICER_ID)[-1]
    assert "svc:up-police" in callbacks_in(menu) and "svc:none" in callbacks_in(menu)
    message = bot.emulator.messages_to(OFFICER_ID)[-1]
    await bot.process(bot.emulator.callback_query(OFFICER_ID, "svc:up-police", message=message))
    await bot.process(bot.emulator.private_message(OFFICER_ID, duty))
    assert bot.last_text(OFFICER_ID).startswith("⛔ Not allowed")
    await bot.process(bot.emulator.private_message(OFFICER_ID, "/privacy"))
    assert "UP Police" in bot.last_text(OFFICER_ID)
    await bot.process(bot.emulator.private_message(OFFICER_ID, "/forget"))
    await bot.process(bot.emulator.private_message(OFFICER_ID, duty))
    assert bot.last_text(OFFICER_ID).startswith("❔ Depends on your service")


async def test_a_service_named_in_the_question_decides_the_verdict(bot):
    asks = {
        "I am a UP Police constable, can I make reels in uniform?": "⛔ Not allowed",
        "as a central govt employee can I keep a uniform photo as my dp?": "⚠️ Allowed, with care",
        "Maharashtra government employee here, uniform photo as dp ok?": "⛔ Not allowed",
    }
    for question, verdict in asks.items():
        await bot.process(bot.emulator.private_message(OFFICER_ID, question))
        assert bot.last_text(OFFICER_ID).startswith(verdict), question
    group = bot.emulator.group_message(
        GROUP_ID, OFFICER_ID, "/ask CRPF jawan hoon, vardi mein reel?"
    )
    await bot.process(group)
    assert bot.last_text(GROUP_ID).startswith("⛔ Not allowed")


async def test_a_question_that_names_no_topic_gets_what_would_you_like_to_post(bot):
    for question in ("can I post?", "is this allowed?", "photo daal du?", "can I tag them"):
        await bot.process(bot.emulator.private_message(OFFICER_ID, question))
        sent = bot.sent(OFFICER_ID)[-1]
        assert sent["shown"].startswith("What would you like to post"), question
        assert any(d.startswith("topic:") for d in callbacks_in(sent))
    await bot.process(bot.emulator.group_message(GROUP_ID, OFFICER_ID, "/ask can i post on fb?"))
    assert bot.last_text(GROUP_ID).startswith("What would you like to post")


@pytest.mark.parametrize(
    "data", ["iam:uniform-and-insignia:nowhere", "iam:no-such-entry:up-police", "svc:navy"]
)
async def test_forged_service_buttons_are_refused_and_nothing_is_saved(bot, data):
    await bot.process(bot.emulator.private_message(OFFICER_ID, "/service"))
    message = bot.emulator.messages_to(OFFICER_ID)[-1]
    await bot.process(bot.emulator.callback_query(OFFICER_ID, data, message=message))
    assert "out of date" in bot.callback_answers()[-1]["text"]
    assert bot.store.preferences(OFFICER_ID).service is None


async def test_a_message_asking_two_things_gets_one_reply_per_question(bot):
    message = (
        "Can I make reels in uniform? And can I accept a free phone from a brand for a review?"
    )
    await bot.process(bot.emulator.private_message(OFFICER_ID, message))
    replies = [s["shown"] for s in bot.sent(OFFICER_ID)]
    assert len(replies) == 2
    assert replies[0].startswith("1/2") and "uniform" in replies[0].splitlines()[2]
    assert replies[1].startswith("2/2") and "⛔ Not allowed: Free products" in replies[1]
    await bot.process(bot.emulator.group_message(GROUP_ID, OFFICER_ID, f"/ask {message}"))
    assert len(bot.sent(GROUP_ID)) == 2
