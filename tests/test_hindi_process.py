"""Asked in Hindi, answered in Hindi: the real `conduct-bot run` process and the emulator.

An officer who writes in Devanagari gets the verdict, the rule, the buttons and every message
around them in Hindi; one who chose English with /language gets English whatever the script;
a group's /ask and inline mode follow the question's language too.
"""

from __future__ import annotations

from bot.emulator import BotAPIEmulator, message_text
from tests.process_harness import OFFICER, reply_in, running

GROUP = -100_700_800
VEHICLE_HI = "क्या मैं सरकारी गाड़ी से रील पोस्ट कर सकता हूँ?"
UNSURE_HI = "मेरी कार पर चिह्न"  # an emblem on my car: the vehicle rule or the insignia one?
UNKNOWN_HI = "पासपोर्ट कैसे बनवाएं?"  # how to get a passport made: not the bot's subject
HINDI_LETTERS = range(0x0900, 0x0980)


def hindi(text: str) -> bool:
    """Mostly Devanagari, not English with a Hindi word or two."""
    letters = [ch for ch in text if ch.isalpha()]
    share = sum(ord(ch) in HINDI_LETTERS for ch in letters) / max(1, len(letters))
    return share > 0.6


def labels(message: dict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def ask(emulator: BotAPIEmulator, text: str, **sender: str) -> dict:
    mark = len(emulator.calls)
    emulator.private_message(OFFICER, text, **sender)
    return await reply_in(emulator, OFFICER, mark)


async def test_a_devanagari_question_gets_the_verdict_rule_and_buttons_in_hindi(emulator, tmp_path):
    async with running(emulator, tmp_path / "data"):
        answer = await ask(emulator, VEHICLE_HI)
        shown = message_text(answer)
        assert shown.startswith("⛔ अनुमति नहीं है: "), shown.splitlines()[0]
        assert hindi(shown) and "इसके बजाय क्या करें" in shown and "स्रोत" in shown
        assert "« विषय" in labels(answer) and "👍" in labels(answer)

        mark = len(emulator.calls)  # a related topic's button, pressed: still Hindi
        related = next(
            b["callback_data"]
            for row in answer["reply_markup"]["inline_keyboard"]
            for b in row
            if b["callback_data"].startswith("open:")
        )
        emulator.callback_query(OFFICER, related, message=emulator.messages_to(OFFICER)[-1])
        edited = await emulator.wait_for_call("editMessageText", after=mark, timeout=15)
        assert hindi(message_text(edited.params))

        offer = await ask(emulator, UNSURE_HI)
        assert message_text(offer).startswith("मुझे पक्का नहीं"), message_text(offer)
        assert all(hindi(label.lstrip("⛔⚠️✅📝❔ ")) for label in labels(offer))

        unknown = message_text(await ask(emulator, UNKNOWN_HI))
        assert unknown.startswith("इस सवाल का जवाब मुझे नहीं पता") and hindi(unknown)


async def test_language_en_answers_a_devanagari_question_in_english(emulator, tmp_path):
    async with running(emulator, tmp_path / "data"):
        menu = await ask(emulator, "/language")
        assert [b for b in labels(menu) if "English" in b]
        mark = len(emulator.calls)
        emulator.callback_query(OFFICER, "lang:en", message=emulator.messages_to(OFFICER)[-1])
        ack = await emulator.wait_for_call("answerCallbackQuery", after=mark, timeout=15)
        assert "English" in ack.params["text"]
        answer = message_text(await ask(emulator, VEHICLE_HI))
        assert answer.startswith("⛔ Not allowed: Official vehicles"), answer.splitlines()[0]

        mark = len(emulator.calls)  # back to the language of each question
        emulator.callback_query(OFFICER, "lang:auto", message=emulator.messages_to(OFFICER)[-1])
        await emulator.wait_for_call("answerCallbackQuery", after=mark, timeout=15)
        assert message_text(await ask(emulator, VEHICLE_HI)).startswith("⛔ अनुमति नहीं है")

        privacy = message_text(await ask(emulator, "/privacy"))
        assert "language" not in privacy.split("Questions are deleted")[1], "auto is no choice"
        forgotten = message_text(await ask(emulator, "/forget"))
        assert forgotten.startswith("Done: I deleted")


async def test_start_follows_the_telegram_apps_language_until_one_is_chosen(emulator, tmp_path):
    async with running(emulator, tmp_path / "data"):
        greeting = message_text(await ask(emulator, "/start", language_code="hi"))
        assert greeting.startswith("नमस्ते!") and hindi(greeting)
        english = message_text(await ask(emulator, "/help", language_code="en"))
        assert english.startswith("How to ask")
        namaste = message_text(await ask(emulator, "नमस्ते"))
        assert namaste.startswith("नमस्ते!"), "a greeting is greeted back, in its language"


async def test_a_groups_ask_and_inline_mode_answer_in_the_questions_language(emulator, tmp_path):
    async with running(emulator, tmp_path / "data"):
        mark = len(emulator.calls)
        emulator.group_message(GROUP, OFFICER, f"/ask {VEHICLE_HI}")
        short = await reply_in(emulator, GROUP, mark)
        assert message_text(short).startswith("⛔ अनुमति नहीं है: ")
        assert labels(short) == ["पूरा जवाब"]

        mark = len(emulator.calls)
        emulator.inline_query(OFFICER, "वर्दी में रील")
        listed = await emulator.wait_for_call("answerInlineQuery", after=mark, timeout=15)
        results = listed.params["results"]
        assert results and all(hindi(r["title"].lstrip("⛔⚠️✅📝❔ ")) for r in results)
        assert listed.params["button"]["text"] == "मुझसे निजी चैट में पूछिए"
