"""What every Telegram front door shares: the typed context, replying, and reading a message.

Handlers receive a `Context` whose `bot_data` is the application object (bot.conduct), so a
handler's whole job is to turn an update into a call on it and the result into a reply.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message, MessageEntity, User
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.conduct import Conduct
from bot.render import split_message
from bot.text import is_devanagari
from bot.wording import ENGLISH, HINDI

Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], Conduct]
CONTEXT_TYPES = ContextTypes(bot_data=Conduct)


async def reply(
    message: Message,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    quote: bool = False,
) -> Message:
    """Reply with HTML (the bot's default parse mode) split under Telegram's limit; the
    keyboard goes on the last part."""
    parts = split_message(text)
    sent = message
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        sent = await message.reply_text(
            part, reply_markup=markup if last else None, do_quote=quote and number == 0
        )
    return sent


def language_of_message(message: object) -> str:
    """The language of a message the bot sent (a button below it answers in the same one):
    Hindi if any of it is in Devanagari, else English."""
    text = message.text if isinstance(message, Message) else None
    return HINDI if text and is_devanagari(text) else ENGLISH


def interface_language(chosen: str | None, user: User | None) -> str:
    """The language of a message that answers no question (/start, /help, /privacy): the one
    the user chose, else their Telegram app's."""
    if chosen:
        return chosen
    code = (user.language_code or "") if user else ""
    return HINDI if code.lower().startswith(HINDI) else ENGLISH


def addressed_question(message: Message, bot: Bot) -> str | None:
    """The question in a group message addressed to the bot (mentions removed), or None."""
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
