"""Admin commands and buttons: /reload, /unanswered (with "add as a phrasing"), /stats.

Admins are the Telegram user ids in ADMIN_USER_IDS, and only in a private chat. The check
runs on every command and on every button press, since a callback can be forged. Admins'
messages are in English.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType

from bot import reports
from bot.chat import Context, reply
from bot.conduct import LearnOutcome, diff_summary
from bot.keyboards import button, encode
from bot.knowledge import Problem
from bot.store import StoreError

NOT_ALLOWED = "Sorry, that is for the bot's admins, in a private chat with the bot."
LISTED = 10  # unanswered questions in /unanswered

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def admin_only(handler: Handler) -> Handler:
    """Refuse briefly (and do nothing) unless an admin asks in a private chat."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        user, chat = update.effective_user, update.effective_chat
        private = chat is not None and chat.type == ChatType.PRIVATE
        if not context.bot_data.is_admin(user.id if user else None, private_chat=private):
            if update.callback_query:
                await update.callback_query.answer(NOT_ALLOWED, show_alert=True)
            elif update.effective_message:
                await reply(update.effective_message, html.escape(NOT_ALLOWED), quote=True)
            return
        await handler(update, context)

    return guarded


def problems_html(problems: Sequence[Problem], limit: int = 30) -> str:
    shown = [html.escape(str(p)) for p in problems[:limit]]
    more = len(problems) - len(shown)
    tail = f"\n… and {more} more" if more > 0 else ""
    return "<pre>" + "\n".join(shown) + tail + "</pre>"


def unavailable(what: str, error: StoreError) -> str:
    return f"<b>{what} are unavailable:</b> {html.escape(str(error))}"


@admin_only
async def reload_command(update: Update, context: Context) -> None:
    """Re-read the knowledge base; on failure keep serving the old one and show the problems."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    reloaded = await context.bot_data.reload(user.id, "/reload")
    if reloaded.diff is None:
        text = (
            "<b>Reload failed</b>; still answering from the previous knowledge base.\n"
            + problems_html(reloaded.problems)
        )
        await reply(message, text)
        return
    text = "<b>Reloaded.</b> " + html.escape(diff_summary(reloaded))
    if reloaded.warnings:
        text += "\nLeft out of the admins' added phrasings:\n" + problems_html(reloaded.warnings)
    await reply(message, text)


@admin_only
async def stats_command(update: Update, context: Context) -> None:
    if update.effective_message is None:
        return
    try:
        stats = await context.bot_data.stats()
    except StoreError as error:
        await reply(update.effective_message, unavailable("Statistics", error))
        return
    text = reports.stats_text(stats, context.bot_data.snapshot.kb)
    await reply(update.effective_message, f"<pre>{html.escape(text)}</pre>")


@admin_only
async def unanswered_command(update: Update, context: Context) -> None:
    """The most frequent recent misses, each with a button to teach it to its closest entry."""
    if update.effective_message is None:
        return
    kb = context.bot_data.snapshot.kb
    try:
        groups = tuple(await context.bot_data.unanswered(limit=LISTED))
    except StoreError as error:
        await reply(update.effective_message, unavailable("Unanswered questions", error))
        return
    text = html.escape(reports.unanswered_text(groups, kb))
    rows = []
    for number, group in enumerate(groups, 1):
        entry = kb.get(group.closest_id) if group.closest_id else None
        if entry is not None:
            label = f"\u2795 {number} as a phrasing of {entry.title}"
            data = encode("learn", str(group.row_id))
            rows.append([InlineKeyboardButton(label, callback_data=data)])
    await reply(update.effective_message, text, InlineKeyboardMarkup(rows) if rows else None)


@admin_only
async def learn(update: Update, context: Context) -> None:
    """ "add as a phrasing": the question joins its closest entry, and the bot reloads."""
    query, found = update.callback_query, context.match
    if query is None or not isinstance(found, re.Match):
        return
    learned = await context.bot_data.learn(query.from_user.id, button(found).entry_id)
    if learned.outcome is LearnOutcome.GONE:
        await query.answer("That question is no longer stored.", show_alert=True)
        return
    if learned.outcome is LearnOutcome.INVALID:
        await query.answer("Not added: the knowledge base would not validate.", show_alert=True)
        if isinstance(query.message, Message):
            await query.message.reply_text("<b>Not added.</b>\n" + problems_html(learned.problems))
        return
    if learned.outcome is LearnOutcome.NOT_WRITTEN or learned.entry is None:
        await query.answer(f"Not added: {learned.reason}"[:200], show_alert=True)
        return
    await query.answer("Added.")
    if isinstance(query.message, Message):
        await query.message.reply_text(
            f"Added \u201c{html.escape(learned.question)}\u201d as a phrasing of "
            f"<b>{html.escape(learned.entry.title)}</b>."
        )
