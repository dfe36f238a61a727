"""The error handler: log (never the token), tell a private asker, keep the bot running."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Conflict, NetworkError, TelegramError

from bot import messages
from bot.chat import Context
from bot.text import language_of

logger = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    error = context.error
    if isinstance(error, Conflict):
        # Another process polls with this token; Telegram repeats this every poll. Say it once.
        if context.bot_data.note_once("conflict"):
            logger.error(
                "Telegram reports a conflict: another instance is polling with this bot's "
                "token. Stop the other instance; this one keeps retrying."
            )
        return
    if isinstance(error, NetworkError) and update is None:
        logger.warning("Telegram could not be reached (%s); polling retries", type(error).__name__)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, TelegramError):
        # Telegram's side (a timeout, a refusal, flood waits the rate limiter gave up on): the
        # reply may even have arrived, so it is not sent again and the user gets no apology
        # that could contradict it; the operator gets the line, naming the chat by its hash.
        who = _who(update, context)
        logger.warning("gave up on the reply to update %s (%s): %s", update_id, who, error)
        return
    logger.error("error while handling update %s", update_id, exc_info=error)
    if not isinstance(update, Update):
        return
    chat, message = update.effective_chat, update.effective_message
    if chat is not None and chat.type == ChatType.PRIVATE and message is not None:
        said = messages.messages(language_of(message.text or ""))
        try:
            await message.reply_text(said.something_went_wrong)
        except TelegramError:
            logger.warning("could not tell the user about the error")


def _who(update: object, context: Context) -> str:
    """The chat (or, for an inline query, the user) as the log may name it: by its hash."""
    if not isinstance(update, Update):
        return "no chat"
    if update.effective_chat is not None:
        return f"chat {context.bot_data.hashed(update.effective_chat.id)}"
    if update.effective_user is not None:
        return f"user {context.bot_data.hashed(update.effective_user.id)}"
    return "no chat"
