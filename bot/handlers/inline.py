"""Inline mode: `@botname question` in any chat offers entries to send, in the query's
language (for an empty query, the asker's own choice, else their app's)."""

from __future__ import annotations

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)

from bot import messages
from bot.chat import Context, interface_language
from bot.conduct import Opened
from bot.keyboards import START_PAYLOAD, deep_link_keyboard
from bot.render import first_sentence, headline, render_short_html
from bot.wording import entry_text

MAX_RESULTS = 10


async def inline_query(update: Update, context: Context) -> None:
    query = update.inline_query
    if query is None:
        return
    offered = await context.bot_data.offer(query.query, query.from_user.id, MAX_RESULTS)
    language = offered.language or interface_language(offered.chosen_language, query.from_user)
    username = context.bot.username
    await query.answer(
        [_result(one, username, language) for one in offered.results],
        cache_time=30,
        is_personal=True,  # results carry the asker's service
        button=InlineQueryResultsButton(
            text=messages.messages(language).ask_privately, start_parameter=START_PAYLOAD
        ),
    )


def _result(one: Opened, username: str, language: str) -> InlineQueryResultArticle:
    entry, ruling = one.entry, one.ruling
    return InlineQueryResultArticle(
        id=entry.id,
        title=headline(entry, ruling, language),
        description=first_sentence(entry_text(entry, language).answer)[:200],
        input_message_content=InputTextMessageContent(render_short_html(entry, ruling, language)),
        reply_markup=deep_link_keyboard(
            username, entry.id, messages.messages(language).full_answer
        ),
    )
