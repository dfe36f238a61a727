"""Button presses: browsing topics, opening an entry, choosing from "did you mean", voting,
saying which service one is in, choosing a language.

Each action has its own handler, routed by python-telegram-bot's CallbackQueryHandler
pattern (bot.keyboards.pattern); data matching none of them (forged, garbled, from an older
release) reaches `stale`. Every callback query is answered, since Telegram shows a spinner
until it is, and a button keeps the language of the message it is under.
"""

from __future__ import annotations

import contextlib
import html
import re

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import messages
from bot.chat import Context, language_of_message
from bot.conduct import Outcome
from bot.keyboards import (
    AUTO_LANGUAGE,
    NO_SERVICE,
    Button,
    answer_keyboard,
    button,
    concern_keyboard,
    deep_link_keyboard,
    topics_keyboard,
)
from bot.messages import language_name
from bot.render import TELEGRAM_LIMIT, render_html, render_short_html
from bot.wording import entry_text, service_title

VOTES = {"up": 1, "down": -1}


def _pressed(update: Update, context: Context) -> tuple[CallbackQuery, Button, str] | None:
    query = update.callback_query
    found = context.match
    if query is None or not isinstance(found, re.Match):
        return None
    return query, button(found), language_of_message(query.message)


async def _show(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup) -> None:
    with contextlib.suppress(BadRequest):  # pressing the same button twice: "not modified"
        await query.edit_message_text(text, reply_markup=markup)


async def open_entry(update: Update, context: Context) -> None:
    """ "open": the full answer in place of the message; "short": a group's short answer."""
    pressed = _pressed(update, context)
    if pressed is None:
        return
    query, chosen, language = pressed
    opened = await context.bot_data.open_entry(chosen.entry_id, query.from_user.id)
    if opened is None or query.message is None:
        await query.answer(messages.messages(language).stale_button)
        return
    await query.answer()
    entry, ruling, kb = opened.entry, opened.ruling, context.bot_data.snapshot.kb
    if chosen.action == "short":
        full = messages.messages(language).full_answer
        link = deep_link_keyboard(context.bot.username, entry.id, full)
        await _show(query, render_short_html(entry, ruling, language), link)
        return
    text = render_html(entry, kb, ruling, language)
    if len(text) > TELEGRAM_LIMIT:
        text = render_short_html(entry, ruling, language)
    await _show(query, text, answer_keyboard(entry, kb, ruling, opened.service, language))


async def browse(update: Update, context: Context) -> None:
    """ "topic": the top of /topics, or a concern with the situations under it."""
    pressed = _pressed(update, context)
    if pressed is None:
        return
    query, chosen, language = pressed
    kb = context.bot_data.snapshot.kb
    if not chosen.entry_id:
        await query.answer()
        await _show(query, messages.messages(language).topics, topics_keyboard(kb, language))
        return
    concern = kb.get(chosen.entry_id)
    if concern is None or concern.kind != "concern" or query.message is None:
        await stale(update, context)
        return
    await query.answer()
    service = (await context.bot_data.preferences(query.from_user.id)).service
    title = entry_text(concern, language).title
    heading = messages.topic_heading(title, len(kb.rules_under(concern.id)), language)
    await _show(query, heading, concern_keyboard(concern, kb, service, language))


async def vote(update: Update, context: Context) -> None:
    """👍 / 👎: one vote per user per answer; acknowledged only once saved."""
    pressed = _pressed(update, context)
    if pressed is None:
        return
    query, chosen, language = pressed
    value = VOTES[chosen.action]
    outcome = await context.bot_data.vote(query.from_user.id, chosen.entry_id, value)
    said = messages.messages(language)
    await query.answer(
        {
            Outcome.DONE: said.thanks_up if value > 0 else said.thanks_down,
            Outcome.STALE: said.stale_button,
            Outcome.NO_STORAGE: said.no_storage,
        }.get(outcome, said.not_saved)
    )


async def set_service(update: Update, context: Context) -> None:
    """/service's choices: remember the service (saved before it is confirmed)."""
    pressed = _pressed(update, context)
    if pressed is None:
        return
    query, chosen, language = pressed
    service_id = None if chosen.entry_id == NO_SERVICE else chosen.entry_id
    outcome = await context.bot_data.choose_service(query.from_user.id, service_id)
    said = messages.messages(language)
    if outcome is not Outcome.DONE:
        await _refuse(query, outcome, language)
        return
    service = context.bot_data.service(service_id)
    if service is None:
        await query.answer(said.service_cleared)
        await _show(query, said.service_cleared, InlineKeyboardMarkup([]))
        return
    confirmation = said.service_set.format(title=service_title(service, language))
    await query.answer(confirmation[:200])
    await _show(query, html.escape(confirmation), InlineKeyboardMarkup([]))


async def i_am(update: Update, context: Context) -> None:
    """ "I am: …" under an answer: remember the service and show that answer again for it."""
    pressed = _pressed(update, context)
    if pressed is None:
        return
    query, chosen, language = pressed
    conduct = context.bot_data
    service = conduct.service(chosen.service)
    opened = await conduct.open_entry(
        chosen.entry_id, query.from_user.id, service=service.id if service else None
    )
    if service is None or opened is None:
        await query.answer(messages.messages(language).stale_button)
        return
    outcome = await conduct.choose_service(query.from_user.id, service.id)
    if outcome is not Outcome.DONE:
        await _refuse(query, outcome, language)
        return
    confirmation = messages.messages(language).service_set
    await query.answer(confirmation.format(title=service_title(service, language))[:200])
    kb = conduct.snapshot.kb
    entry, ruling = opened.entry, opened.ruling
    await _show(
        query,
        render_html(entry, kb, ruling, language),
        answer_keyboard(entry, kb, ruling, service.id, language),
    )


async def set_language(update: Update, context: Context) -> None:
    """/language's choices: answers in English or Hindi, or in each question's language."""
    pressed = _pressed(update, context)
    if pressed is None:
        return
    query, chosen, _ = pressed
    language = None if chosen.entry_id == AUTO_LANGUAGE else chosen.entry_id
    outcome = await context.bot_data.choose_language(query.from_user.id, language)
    shown_in = language or language_of_message(query.message)
    if outcome is not Outcome.DONE:
        await _refuse(query, outcome, shown_in)
        return
    said = messages.messages(shown_in)
    text = (
        said.language_set.format(language=language_name(language, shown_in))
        if language
        else said.language_auto
    )
    await query.answer(text[:200])
    await _show(query, html.escape(text), InlineKeyboardMarkup([]))


async def _refuse(query: CallbackQuery, outcome: Outcome, language: str) -> None:
    said = messages.messages(language)
    text = {Outcome.STALE: said.stale_button, Outcome.NO_STORAGE: said.no_storage}
    await query.answer(text.get(outcome, said.not_saved))


async def stale(update: Update, context: Context) -> None:
    """Any button data no other handler takes: forged, garbled, or from an older release."""
    query = update.callback_query
    if query is not None:
        language = language_of_message(query.message)
        await query.answer(messages.messages(language).stale_button)
