"""Inline mode: `@botname question` in any chat offers entries to send."""

from __future__ import annotations

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import messages
from bot.handlers.common import answers, asker, store
from bot.handlers.keyboards import deep_link_keyboard
from bot.knowledge import Entry, KnowledgeBase
from bot.render import first_sentence, headline, render_short_html
from bot.service import Snapshot
from bot.store import StoreError

MAX_RESULTS = 10
START_PAYLOAD = "inline"


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    snapshot = answers(context).snapshot
    text = query.query.strip()
    service = asker(context, query.from_user).service
    if text:
        named, rest = snapshot.detector.strip(text)
        service = named.id if named else service
        entries = [c.entry for c in snapshot.matcher.offer(rest if named else text, MAX_RESULTS)]
    else:
        entries = popular(snapshot.kb, context)
    username = context.bot.username
    await query.answer(
        [_result(entry, snapshot, service, username) for entry in entries[:MAX_RESULTS]],
        cache_time=30,
        is_personal=True,  # results carry the asker's service
        button=InlineQueryResultsButton(text=messages.ASK_PRIVATELY, start_parameter=START_PAYLOAD),
    )


def popular(kb: KnowledgeBase, context: ContextTypes.DEFAULT_TYPE) -> list[Entry]:
    """The most asked entries of the last month, topped up with the overviews and rules."""
    try:
        asked = [kb.get(entry_id) for entry_id, _ in store(context).most_asked(limit=MAX_RESULTS)]
    except StoreError:
        asked = []
    ranked = [e for e in asked if e is not None]
    ranked += [e for e in (*kb.of_kind("overview"), *kb.of_kind("rule")) if e not in ranked]
    return ranked[:MAX_RESULTS]


def _result(
    entry: Entry, snapshot: Snapshot, service: str | None, username: str
) -> InlineQueryResultArticle:
    ruling = snapshot.rule(entry, service)
    return InlineQueryResultArticle(
        id=entry.id,
        title=headline(entry, ruling),
        description=first_sentence(entry.answer)[:200],
        input_message_content=InputTextMessageContent(
            render_short_html(entry, ruling), parse_mode=ParseMode.HTML
        ),
        reply_markup=deep_link_keyboard(username, entry.id, messages.FULL_ANSWER),
    )
