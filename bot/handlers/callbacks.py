"""Button presses: browsing topics, opening an entry, choosing from "did you mean".

Every callback query is answered (Telegram shows a spinner until it is), and any button that
does not decode or names an entry that no longer exists gets a polite refusal.
"""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import messages
from bot.handlers import admin
from bot.handlers.common import answers, report_store_error, store
from bot.handlers.keyboards import (
    answer_keyboard,
    concern_keyboard,
    decode,
    deep_link_keyboard,
    topics_keyboard,
)
from bot.knowledge import KnowledgeBase
from bot.render import TELEGRAM_LIMIT, render_html, render_short_html
from bot.store import StoreError

VOTES = {"up": 1, "down": -1}


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    parsed = decode(query.data)
    if parsed is not None and parsed.action == "learn":
        await admin.learn(update, context)
        return
    if parsed is not None and parsed.action in VOTES:
        await vote(update, context, parsed.entry_id, VOTES[parsed.action])
        return
    kb = answers(context).snapshot.kb
    view = _view(parsed.action, parsed.entry_id, kb, context.bot.username) if parsed else None
    if view is None or query.message is None:
        await query.answer(messages.STALE_BUTTON)
        return
    await query.answer()
    text, markup = view
    with contextlib.suppress(BadRequest):  # pressing the same button twice: "not modified"
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)


async def vote(
    update: Update, context: ContextTypes.DEFAULT_TYPE, entry_id: str, value: int
) -> None:
    """One vote per user per answer; voting again changes it. Acknowledged only once saved."""
    query = update.callback_query
    if answers(context).snapshot.kb.get(entry_id) is None:
        await query.answer(messages.STALE_BUTTON)
        return
    try:
        store(context).record_vote(user_id=query.from_user.id, entry_id=entry_id, vote=value)
    except StoreError as error:
        await query.answer(messages.NOT_SAVED)
        await report_store_error(context, error)
        return
    await query.answer(messages.THANKS_UP if value > 0 else messages.THANKS_DOWN)


def _view(
    action: str, entry_id: str, kb: KnowledgeBase, username: str
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The text and keyboard a button leads to, or None when it leads nowhere any more."""
    if action == "topic" and not entry_id:
        return messages.TOPICS, topics_keyboard(kb)
    entry = kb.get(entry_id)
    if entry is None:
        return None
    if action == "topic" and entry.kind == "concern":
        heading = messages.topic_heading(entry.title, len(kb.rules_under(entry.id)))
        return heading, concern_keyboard(entry, kb)
    if action == "open":
        text = render_html(entry, kb)
        if len(text) > TELEGRAM_LIMIT:
            text = render_short_html(entry)
        return text, answer_keyboard(entry, kb)
    if action == "short":
        return render_short_html(entry), deep_link_keyboard(
            username, entry.id, messages.FULL_ANSWER
        )
    return None
