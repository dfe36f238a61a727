"""Admin commands and buttons: /reload, /unanswered (with "add as a phrasing"), /stats.

Admins are the Telegram user ids in ADMIN_USER_IDS, and only in a private chat. The check
runs on every command and on every button press, since a callback can be forged.
"""

from __future__ import annotations

import asyncio
import functools
import html
import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot import phrasings, reports
from bot.handlers.common import (
    answers,
    hashed,
    reply_html,
    report_store_error,
    settings,
    store,
)
from bot.handlers.keyboards import encode
from bot.knowledge import KnowledgeDiff, KnowledgeError, Problem
from bot.store import StoreError

logger = logging.getLogger("conduct-bot")

NOT_ALLOWED = "Sorry, that is for the bot's admins, in a private chat with the bot."
REPORT_DAYS = 30


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user, chat = update.effective_user, update.effective_chat
    return (
        user is not None
        and chat is not None
        and chat.type == ChatType.PRIVATE
        and user.id in settings(context).admin_user_ids
    )


Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def admin_only(handler: Handler) -> Handler:
    """Refuse briefly (and do nothing) unless an admin asks in a private chat."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not is_admin(update, context):
            if update.callback_query:
                await update.callback_query.answer(NOT_ALLOWED, show_alert=True)
            elif update.effective_message:
                await reply_html(update.effective_message, html.escape(NOT_ALLOWED), quote=True)
            return
        await handler(update, context)

    return guarded


def diff_summary(diff: KnowledgeDiff, entries: int) -> str:
    parts = [f"{entries} entries"]
    for label, ids in (("added", diff.added), ("removed", diff.removed), ("changed", diff.changed)):
        parts.append(f"{label}: {', '.join(ids) if ids else 'none'}")
    return "; ".join(parts)


def problems_html(problems: Sequence[Problem], limit: int = 30) -> str:
    shown = [html.escape(str(p)) for p in problems[:limit]]
    more = len(problems) - len(shown)
    tail = f"\n… and {more} more" if more > 0 else ""
    return "<pre>" + "\n".join(shown) + tail + "</pre>"


@admin_only
async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Re-read the knowledge base; on failure keep serving the old one and show the problems."""
    message = update.effective_message
    try:
        diff = await asyncio.to_thread(answers(context).reload)
    except KnowledgeError as error:
        text = (
            "<b>Reload failed</b>; still answering from the previous knowledge base.\n"
            + problems_html(error.problems)
        )
        await reply_html(message, text)
        return
    kb = answers(context).snapshot.kb
    summary = diff_summary(diff, len(kb.entries))
    _log_action(context, update.effective_user.id, "reload", summary, summary)
    text = "<b>Reloaded.</b> " + html.escape(summary)
    if kb.warnings:
        text += "\nLeft out of the admins' added phrasings:\n" + problems_html(kb.warnings)
    await reply_html(message, text)


@admin_only
async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        stats = store(context).stats(REPORT_DAYS)
    except StoreError as error:
        await reply_html(update.effective_message, unavailable("Statistics", error))
        return
    text = reports.stats_text(stats, answers(context).snapshot.kb)
    await reply_html(update.effective_message, f"<pre>{html.escape(text)}</pre>")


def unavailable(what: str, error: StoreError) -> str:
    return f"<b>{what} are unavailable:</b> {html.escape(str(error))}"


@admin_only
async def unanswered_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The most frequent recent misses, each with a button to teach it to its closest entry."""
    kb = answers(context).snapshot.kb
    try:
        groups = tuple(store(context).unanswered(days=REPORT_DAYS, limit=10))
    except StoreError as error:
        await reply_html(update.effective_message, unavailable("Unanswered questions", error))
        return
    text = html.escape(reports.unanswered_text(groups, kb))
    rows = []
    for number, group in enumerate(groups, 1):
        entry = kb.get(group.closest_id) if group.closest_id else None
        if entry is not None:
            label = f"\u2795 {number} as a phrasing of {entry.title}"
            rows.append(
                [InlineKeyboardButton(label, callback_data=encode("learn", str(group.row_id)))]
            )
    await reply_html(update.effective_message, text, InlineKeyboardMarkup(rows) if rows else None)


@admin_only
async def learn(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add an unanswered question as a phrasing of its closest entry, then reload."""
    query = update.callback_query
    row = query.data.partition(":")[2]
    try:
        known = row.isdigit() and int(row) < 2**63  # SQLite's integers; a forged one may not be
        stored = store(context).question(int(row)) if known else None
    except StoreError as error:
        await query.answer(f"Not added: {error}"[:200], show_alert=True)
        return
    kb = answers(context).snapshot.kb
    if stored is None or stored[1] is None or kb.get(stored[1]) is None:
        await query.answer("That question is no longer stored.", show_alert=True)
        return
    question, entry_id = stored
    path = settings(context).learned_phrasings
    service = answers(context)
    try:
        await asyncio.to_thread(phrasings.learn, path, entry_id, question, service.reload)
    except KnowledgeError as error:
        await query.answer("Not added: the knowledge base would not validate.", show_alert=True)
        await reply_html(query.message, "<b>Not added.</b>\n" + problems_html(error.problems))
        return
    except OSError as error:
        await query.answer(f"Not added: cannot write {path.name} ({error.strerror}).", True)
        return
    except phrasings.PhrasingsFileError as error:
        await query.answer(f"Not added: {error}"[:200], show_alert=True)
        return
    entry = service.snapshot.kb.get(entry_id)
    if entry is None or question not in entry.questions:  # success only once it is served
        await query.answer("Not added: the knowledge base does not have it now.", True)
        return
    detail = f"{entry_id}: {question}"  # the question goes to the database, not the log
    _log_action(context, update.effective_user.id, "add-phrasing", detail, entry_id)
    title = entry.title
    await query.answer("Added.")
    await reply_html(
        query.message,
        f"Added \u201c{html.escape(question)}\u201d as a phrasing of <b>{html.escape(title)}</b>.",
    )


def _log_action(
    context: ContextTypes.DEFAULT_TYPE, admin_id: int, action: str, detail: str, logged: str
) -> None:
    """Record an admin's action: all of `detail` in the database, `logged` (no user's words
    and no raw id, at INFO) in the log."""
    logger.info("admin %s: %s %s", hashed(context, admin_id), action, logged)
    try:
        store(context).record_admin_action(admin_id=admin_id, action=action, detail=detail)
    except StoreError as error:
        context.application.create_task(report_store_error(context, error))
