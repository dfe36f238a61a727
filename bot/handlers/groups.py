"""Group chats: the bot speaks only when addressed, and answers briefly.

Addressed means `/ask <question>` (also `/ask@botname`), a message that mentions the bot, or a
reply to one of the bot's messages. Everything else in a group is ignored without a word, so
the bot never clutters a department's conversation.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update

from bot import messages
from bot.answering import Answer
from bot.chat import Context, addressed_question, reply
from bot.keyboards import HELP_PAYLOAD, choices_keyboard, deep_link_keyboard
from bot.matcher import Band
from bot.render import render_short_html
from bot.text import language_of


async def ask(update: Update, context: Context) -> None:
    """/ask in a group: a brief answer to the question after it."""
    message = update.effective_message
    if message is None:
        return
    question = " ".join(context.args or ())
    if question.strip():
        await answer_briefly(message, context, question)
    else:
        await _usage(message)


async def addressed(update: Update, context: Context) -> None:
    """A group message: answered if it mentions or replies to the bot, else ignored."""
    message = update.effective_message
    if message is None:
        return
    question = addressed_question(message, context.bot)
    if question is None:
        return
    if question.strip():
        await answer_briefly(message, context, question)
    else:
        await _usage(message)


async def _usage(message: Message) -> None:
    said = messages.messages(language_of(message.text or ""))
    await reply(message, said.ask_usage, quote=True)


async def answer_briefly(message: Message, context: Context, question: str) -> None:
    """Short answers, each with a button to the full one in a private chat; replies to the
    asker, once per question when the message asks several things."""
    user_id = message.from_user.id if message.from_user else None
    asked = await context.bot_data.ask(question, user_id=user_id, chat_type=message.chat.type)
    for number, answer in enumerate(asked, 1):
        heading = messages.question_heading(number, len(asked), answer.question)
        body, markup = _short(answer, context)
        await reply(message, heading + body, markup, quote=True)


def _short(answer: Answer, context: Context) -> tuple[str, InlineKeyboardMarkup | None]:
    language = answer.language
    said = messages.messages(language)
    username = context.bot.username
    if answer.entry is not None:
        return (
            render_short_html(answer.entry, answer.ruling, language),
            deep_link_keyboard(username, answer.entry.id, said.full_answer),
        )
    if answer.band is Band.SUGGEST:
        service = answer.service.id if answer.service else None
        candidates = (c.entry for c in answer.match.candidates)
        kb = context.bot_data.snapshot.kb
        return (
            messages.did_you_mean(language),
            choices_keyboard(candidates, kb, service, action="short", language=language),
        )
    if answer.band is Band.VAGUE:
        return messages.vague_short(language), None
    return (
        messages.no_match_short(language),
        deep_link_keyboard(username, HELP_PAYLOAD, said.ask_privately),
    )
