"""Private chats: any text is a question; /start, /help, /topics, /service; deep links."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot import messages
from bot.answering import Answer
from bot.handlers.common import (
    answers,
    asker,
    preferences,
    remember,
    reply_html,
    report_store_error,
    settings,
    store,
)
from bot.handlers.keyboards import (
    answer_keyboard,
    choices_keyboard,
    services_keyboard,
    topics_keyboard,
)
from bot.matcher import Band
from bot.render import render_html
from bot.service import Snapshot
from bot.store import StoreError


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets; `/start <entry-id>` (a deep link from a group or inline result) opens that entry."""
    message = update.effective_message
    snapshot = answers(context).snapshot
    entry = snapshot.kb.get(context.args[0]) if context.args else None
    if entry is not None:
        service = asker(context, update.effective_user).service
        ruling = snapshot.rule(entry, service)
        await reply_html(
            message,
            render_html(entry, snapshot.kb, ruling),
            answer_keyboard(entry, snapshot.kb, ruling, service),
        )
    else:
        await reply_html(message, messages.START)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply_html(update.effective_message, messages.HELP)


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    kb = answers(context).snapshot.kb
    await reply_html(update.effective_message, messages.TOPICS, topics_keyboard(kb))


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await answer_fully(update.effective_message, context, update.effective_message.text or "")


async def answer_fully(message: Message, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """The full answer, "did you mean" buttons, "what would you like to post?", or an honest
    "I don't know" with topics; a message asking several things gets one reply per question."""
    snapshot = answers(context).snapshot
    replies = snapshot.ask_all(text, asker(context, message.from_user))
    for number, answer in enumerate(replies, 1):
        await remember(context, message, answer.match)
        heading = messages.question_heading(number, len(replies), answer.question)
        await _reply(message, snapshot, answer, heading)


async def _reply(message: Message, snapshot: Snapshot, answer: Answer, heading: str) -> None:
    service = answer.service.id if answer.service else None
    kb = snapshot.kb
    if answer.entry is not None:
        text = render_html(answer.entry, kb, answer.ruling)
        markup = answer_keyboard(answer.entry, kb, answer.ruling, service)
    elif answer.band is Band.SUGGEST:
        text = messages.DID_YOU_MEAN
        markup = choices_keyboard((c.entry for c in answer.match.candidates), kb, service)
    elif answer.band is Band.VAGUE:
        text, markup = messages.vague(), topics_keyboard(kb)
    else:
        nearest = choices_keyboard((c.entry for c in answer.match.candidates), kb, service)
        topics = topics_keyboard(kb)
        markup = InlineKeyboardMarkup([*nearest.inline_keyboard, *topics.inline_keyboard])
        text = messages.no_match(kb, nearest=bool(answer.match.candidates))
    await reply_html(message, heading + text, markup)


async def choose_service(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/service: pick the service whose rules answers should follow, once."""
    kb = answers(context).snapshot.kb
    chosen = kb.service(preferences(context, update.effective_user).service)
    current = messages.SERVICE_NOW.format(title=html.escape(chosen.title)) if chosen else ""
    await reply_html(
        update.effective_message, messages.SERVICE_PICK + current, services_keyboard(kb)
    )


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice notes...: the bot reads only text."""
    await reply_html(update.effective_message, messages.PLEASE_TYPE)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply_html(update.effective_message, messages.UNKNOWN_COMMAND)


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    kb = answers(context).snapshot.kb
    chosen = kb.service(preferences(context, update.effective_user).service)
    text = messages.PRIVACY.format(days=settings(context).retention_days)
    if chosen is not None:
        text += messages.PRIVACY_SERVICE.format(title=html.escape(chosen.title))
    await reply_html(update.effective_message, text)


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete everything stored for the asker; confirmed only after the delete is committed."""
    try:
        count = store(context).forget_user(update.effective_user.id)
    except StoreError as error:
        if not store(context).available:  # no database since start: say so, nothing to report
            await reply_html(update.effective_message, messages.NO_STORAGE)
            return
        await reply_html(update.effective_message, messages.NOT_SAVED)
        await report_store_error(context, error)
        return
    text = messages.FORGOTTEN.format(count=count, s="" if count == 1 else "s")
    await reply_html(update.effective_message, text)
