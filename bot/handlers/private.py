"""Private chats: any text is a question; /start, /help and /topics; deep links."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot import messages
from bot.handlers.common import answers, remember, reply_html, report_store_error, settings, store
from bot.handlers.keyboards import answer_keyboard, choices_keyboard, topics_keyboard
from bot.matcher import Band
from bot.render import render_html
from bot.store import StoreError


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets; `/start <entry-id>` (a deep link from a group or inline result) opens that entry."""
    message = update.effective_message
    snapshot = answers(context).snapshot
    entry = snapshot.kb.get(context.args[0]) if context.args else None
    if entry is not None:
        await reply_html(
            message, render_html(entry, snapshot.kb), answer_keyboard(entry, snapshot.kb)
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
    """The full answer, "did you mean" buttons, or an honest "I don't know" with topics."""
    snapshot = answers(context).snapshot
    match = snapshot.match(text)
    await remember(context, message, match)
    if match.band is Band.ANSWER and match.entry is not None:
        entry = match.entry
        await reply_html(
            message, render_html(entry, snapshot.kb), answer_keyboard(entry, snapshot.kb)
        )
    elif match.band is Band.SUGGEST:
        choices = choices_keyboard(c.entry for c in match.candidates)
        await reply_html(message, messages.DID_YOU_MEAN, choices)
    else:
        await reply_html(message, messages.no_match(snapshot.kb), topics_keyboard(snapshot.kb))


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice notes...: the bot reads only text."""
    await reply_html(update.effective_message, messages.PLEASE_TYPE)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply_html(update.effective_message, messages.UNKNOWN_COMMAND)


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = messages.PRIVACY.format(days=settings(context).retention_days)
    await reply_html(update.effective_message, text)


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete everything stored for the asker; confirmed only after the delete is committed."""
    try:
        count = store(context).forget_user(update.effective_user.id)
    except StoreError as error:
        await reply_html(update.effective_message, messages.NOT_SAVED)
        await report_store_error(context, error)
        return
    text = messages.FORGOTTEN.format(count=count, s="" if count == 1 else "s")
    await reply_html(update.effective_message, text)
