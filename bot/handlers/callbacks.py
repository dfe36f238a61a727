"""Button presses: browsing topics, opening an entry, choosing from "did you mean", saying
which service one is in.

Every callback query is answered (Telegram shows a spinner until it is), and any button that
does not decode or names an entry that no longer exists gets a polite refusal.
"""

from __future__ import annotations

import contextlib
import html

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import messages
from bot.handlers import admin
from bot.handlers.common import answers, asker, report_store_error, store
from bot.handlers.keyboards import (
    NO_SERVICE,
    Button,
    answer_keyboard,
    concern_keyboard,
    decode,
    deep_link_keyboard,
    topics_keyboard,
)
from bot.knowledge import KnowledgeBase
from bot.render import TELEGRAM_LIMIT, render_html, render_short_html
from bot.service import Snapshot
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
    if parsed is not None and parsed.action in ("svc", "iam"):
        await choose_service(update, context, parsed)
        return
    snapshot = answers(context).snapshot
    service = asker(context, query.from_user).service
    view = _view(parsed, snapshot, service, context.bot.username) if parsed else None
    if view is None or query.message is None:
        await query.answer(messages.STALE_BUTTON)
        return
    await query.answer()
    await _show(update, *view)


async def _show(update: Update, text: str, markup: InlineKeyboardMarkup) -> None:
    with contextlib.suppress(BadRequest):  # pressing the same button twice: "not modified"
        await update.callback_query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)


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
        if not store(context).available:  # no database since start: say so, nothing to report
            await query.answer(messages.NO_STORAGE)
            return
        await query.answer(messages.NOT_SAVED)
        await report_store_error(context, error)
        return
    await query.answer(messages.THANKS_UP if value > 0 else messages.THANKS_DOWN)


async def choose_service(
    update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: Button
) -> None:
    """/service's choices and the "I am: …" buttons under an answer: remember the service
    (saved before it is confirmed); under an answer, show that answer again for it."""
    query = update.callback_query
    snapshot = answers(context).snapshot
    chosen = pressed.service if pressed.action == "iam" else pressed.entry_id
    service = snapshot.kb.service(chosen)
    entry = snapshot.kb.get(pressed.entry_id) if pressed.action == "iam" else None
    forgetting = pressed.action == "svc" and chosen == NO_SERVICE
    if (service is None and not forgetting) or (pressed.action == "iam" and entry is None):
        await query.answer(messages.STALE_BUTTON)
        return
    try:
        store(context).set_preference(
            query.from_user.id, "service", service.id if service else None
        )
    except StoreError as error:
        await query.answer(messages.NOT_SAVED)
        await report_store_error(context, error)
        return
    if service is None:
        await query.answer(messages.SERVICE_CLEARED)
        if query.message is not None:
            await _show(update, messages.SERVICE_CLEARED, InlineKeyboardMarkup([]))
        return
    confirmation = messages.SERVICE_SET.format(title=service.title)
    await query.answer(confirmation[:200])
    if query.message is None:
        return
    if entry is None:
        await _show(update, html.escape(confirmation), InlineKeyboardMarkup([]))
        return
    ruling = snapshot.rule(entry, service.id)
    text = render_html(entry, snapshot.kb, ruling)
    await _show(update, text, answer_keyboard(entry, snapshot.kb, ruling, service.id))


def _view(
    pressed: Button, snapshot: Snapshot, service: str | None, username: str
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The text and keyboard a button leads to, or None when it leads nowhere any more."""
    kb: KnowledgeBase = snapshot.kb
    if pressed.action == "topic" and not pressed.entry_id:
        return messages.TOPICS, topics_keyboard(kb)
    entry = kb.get(pressed.entry_id)
    if entry is None:
        return None
    if pressed.action == "topic" and entry.kind == "concern":
        heading = messages.topic_heading(entry.title, len(kb.rules_under(entry.id)))
        return heading, concern_keyboard(entry, kb, service)
    ruling = snapshot.rule(entry, service)
    if pressed.action == "open":
        text = render_html(entry, kb, ruling)
        if len(text) > TELEGRAM_LIMIT:
            text = render_short_html(entry, ruling)
        return text, answer_keyboard(entry, kb, ruling, service)
    if pressed.action == "short":
        return render_short_html(entry, ruling), deep_link_keyboard(
            username, entry.id, messages.FULL_ANSWER
        )
    return None
