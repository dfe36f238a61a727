"""Admins: reloading, learning from unanswered questions, statistics; and users' privacy."""

from __future__ import annotations

import pytest

from bot.phrasings import read_phrasings
from tests.bot_harness import ADMIN_ID, GROUP_ID, OFFICER_ID, running_bot

NEW_QUESTION = "is my cooking podcast with my mother in law fine"


@pytest.fixture
async def bot(tmp_path, knowledge_copy):
    async with running_bot(tmp_path / "data", knowledge_copy) as harness:
        yield harness


def callbacks_in(params) -> list[str]:
    rows = (params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


async def test_admin_commands_from_others_or_in_groups_are_refused_and_do_nothing(bot):
    reloads = []
    bot.service.reload = lambda: reloads.append(1)  # would be called if the command ran
    await bot.process(bot.emulator.private_message(OFFICER_ID, "/reload"))
    assert "admins" in bot.last_text(OFFICER_ID)
    await bot.process(bot.emulator.group_message(GROUP_ID, ADMIN_ID, "/reload"))
    assert "admins" in bot.last_text(GROUP_ID)
    await bot.process(bot.emulator.private_message(OFFICER_ID, "/stats"))
    assert "admins" in bot.last_text(OFFICER_ID)
    assert reloads == []


async def test_a_broken_edit_keeps_the_old_knowledge_and_reports_file_and_line(bot):
    rules = bot.settings.knowledge_dir / "rules-resources-and-image.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + "  - id: [broken\n", encoding="utf-8")
    await bot.process(bot.emulator.private_message(ADMIN_ID, "/reload"))
    report = bot.last_text(ADMIN_ID)
    assert "Reload failed" in report
    assert f"{rules}:" in report and "does not parse" in report
    await bot.process(bot.emulator.private_message(OFFICER_ID, "Can I post a reel in uniform?"))
    assert "uniform" in bot.last_text(OFFICER_ID).splitlines()[0]


async def test_a_good_edit_is_picked_up_by_reload_with_a_summary(bot):
    concerns = bot.settings.knowledge_dir / "concerns.yaml"
    text = concerns.read_text(encoding="utf-8")
    concerns.write_text(
        text.replace(
            "    questions:\n", '    questions:\n      - "what about zebra crossings"\n', 1
        ),
        encoding="utf-8",
    )
    await bot.process(bot.emulator.private_message(ADMIN_ID, "/reload"))
    summary = bot.last_text(ADMIN_ID)
    assert "Reloaded" in summary and "changed: " in summary and "added: none" in summary
    await bot.process(bot.emulator.private_message(OFFICER_ID, "what about zebra crossings"))
    assert "Ethical concern" in bot.last_text(OFFICER_ID).splitlines()[0]


async def test_an_unanswered_question_added_as_a_phrasing_is_then_answered(bot):
    kb = bot.service.snapshot.kb
    for _ in range(2):
        await bot.process(bot.emulator.private_message(OFFICER_ID, NEW_QUESTION))
    assert not bot.service.snapshot.matcher.match(NEW_QUESTION).confident
    await bot.process(bot.emulator.private_message(ADMIN_ID, "/unanswered"))
    listing = bot.sent(ADMIN_ID)[-1]
    assert NEW_QUESTION in listing["shown"] and "\u00d72" in listing["shown"]
    learn = [d for d in callbacks_in(listing) if d.startswith("learn:")]
    assert learn, "a button to add the question as a phrasing"
    message = bot.emulator.messages_to(ADMIN_ID)[-1]
    await bot.process(bot.emulator.callback_query(ADMIN_ID, learn[0], message=message))
    closest = bot.store.unanswered()[0].closest_id
    assert read_phrasings(bot.settings.learned_phrasings) == {closest: [NEW_QUESTION]}
    hand_written = {p.name: p.read_text() for p in bot.settings.knowledge_dir.glob("*.yaml")}
    assert NEW_QUESTION not in "".join(hand_written.values())
    assert bot.service.snapshot.matcher.match(NEW_QUESTION).entry.id == closest
    assert kb is not bot.service.snapshot.kb
    await bot.process(bot.emulator.private_message(OFFICER_ID, NEW_QUESTION))
    assert kb.get(closest).title in bot.last_text(OFFICER_ID).splitlines()[0]


async def test_a_forged_learn_button_from_a_non_admin_does_nothing(bot):
    await bot.process(bot.emulator.private_message(OFFICER_ID, NEW_QUESTION))
    row = bot.store.unanswered()[0].row_id
    message = bot.emulator.messages_to(OFFICER_ID)[-1]
    await bot.process(bot.emulator.callback_query(OFFICER_ID, f"learn:{row}", message=message))
    assert "admins" in bot.callback_answers()[-1]["text"]
    assert not bot.settings.learned_phrasings.exists()


async def test_stats_show_questions_share_and_most_asked(bot):
    await bot.process(bot.emulator.private_message(OFFICER_ID, "Can I post a reel in uniform?"))
    await bot.process(bot.emulator.private_message(OFFICER_ID, "qwertyuiop"))
    await bot.process(bot.emulator.private_message(ADMIN_ID, "/stats"))
    text = bot.last_text(ADMIN_ID)
    assert "2 questions" in text and "50% answered confidently" in text
    assert "uniform" in text


async def test_privacy_explains_and_forget_deletes_the_users_rows(bot):
    await bot.process(bot.emulator.private_message(OFFICER_ID, "/privacy"))
    assert "90 days" in bot.last_text(OFFICER_ID)
    await bot.process(bot.emulator.private_message(OFFICER_ID, "Can I post a reel in uniform?"))
    await bot.process(bot.emulator.private_message(ADMIN_ID, "Can I post a reel in uniform?"))
    assert bot.store.count_for_user(OFFICER_ID) == 1
    await bot.process(bot.emulator.private_message(OFFICER_ID, "/forget"))
    assert "deleted 1 stored item" in bot.last_text(OFFICER_ID)
    assert bot.store.count_for_user(OFFICER_ID) == 0
    assert bot.store.count_for_user(ADMIN_ID) == 1
