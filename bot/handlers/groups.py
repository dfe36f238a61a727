"""Group chats: the bot speaks only when addressed, and answers briefly.

Addressed means `/ask <question>` (also `/ask@botname`), a message that mentions the bot, or a
reply to one of the bot's messages. Everything else in a group is ignored without a word, so
the bot never clutters a department's conversation.
"""

from __future__ import annotations

from telegram import Bot, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot import messages
from bot.handlers.common import answers, asker, remember, reply_html
from bot.handlers.keyboards import choices_keyboard, deep_link_keyboard
from bot.handlers.private import answer_fully
from bot.matcher import Band
from bot.render import render_short_html

HELP_PAYLOAD = "help"


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask in a group answers briefly; in a private chat it is the same as typing the question."""
    message = update.effective_message
    question = " ".join(context.args or ())
    if not question.strip():
        await reply_html(message, messages.ASK_USAGE, quote=True)
    elif message.chat.type == ChatType.PRIVATE:
        await answer_fully(message, context, question)
    else:
        await answer_briefly(message, context, question)


async def addressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group message: answered if it mentions or replies to the bot, else ignored."""
    message = update.effective_message
    question = addressed_question(message, context.bot)
    if question is None:
        return
    if question.strip():
        await answer_briefly(message, context, question)
    else:
        await reply_html(message, messages.ASK_USAGE, quote=True)


def addressed_question(message: Message, bot: Bot) -> str | None:
    """The question in a message addressed to the bot (mentions removed), or None."""
    text = message.text or ""
    username = f"@{bot.username}".lower()
    mentions = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    ours = [
        (entity, value)
        for entity, value in mentions.items()
        if value.lower() == username
        or (entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id)
    ]
    for _, value in ours:
        text = text.replace(value, " ")
    replied = message.reply_to_message
    if ours or (replied and replied.from_user and replied.from_user.id == bot.id):
        return " ".join(text.split())
    return None


async def answer_briefly(
    message: Message, context: ContextTypes.DEFAULT_TYPE, question: str
) -> None:
    """Short answers, each with a button to the full one in a private chat; replies to the
    asker, once per question when the message asks several things."""
    snapshot = answers(context).snapshot
    replies = snapshot.ask_all(question, asker(context, message.from_user))
    username = context.bot.username
    for number, answer in enumerate(replies, 1):
        await remember(context, message, answer.match)
        service = answer.service.id if answer.service else None
        heading = messages.question_heading(number, len(replies), answer.question)
        if answer.entry is not None:
            text = render_short_html(answer.entry, answer.ruling)
            markup = deep_link_keyboard(username, answer.entry.id, messages.FULL_ANSWER)
        elif answer.band is Band.SUGGEST:
            candidates = (c.entry for c in answer.match.candidates)
            text = messages.DID_YOU_MEAN
            markup = choices_keyboard(candidates, snapshot.kb, service, action="short")
        elif answer.band is Band.VAGUE:
            text, markup = messages.vague_short(), None
        else:
            text = messages.no_match_short()
            markup = deep_link_keyboard(username, HELP_PAYLOAD, messages.ASK_PRIVATELY)
        await reply_html(message, heading + text, markup, quote=True)
