"""Flood control in front of every handler: a polite "slow down" once, then silence."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import messages
from bot.flood import FloodGuard, Verdict
from bot.handlers.common import reply_html
from bot.handlers.groups import addressed_question

GUARD_KEY = "flood_guard"


async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before the handlers (group -1); stops the update when its user is over the limit."""
    user = update.effective_user
    if user is None or not _counts(update, context):
        return
    flood: FloodGuard = context.application.bot_data[GUARD_KEY]
    verdict = flood.check(user.id)
    if verdict is Verdict.ALLOW:
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()  # every button press is answered, even now
        elif verdict is Verdict.WARN and update.effective_message is not None:
            await reply_html(update.effective_message, messages.SLOW_DOWN, quote=True)
    except TelegramError:
        pass  # being unable to say "slow down" must not let the update through
    raise ApplicationHandlerStop


def _counts(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Group chatter not meant for the bot is not the user's to pay for."""
    message = update.message
    if message is None or message.chat.type == ChatType.PRIVATE:
        return True
    if message.text and message.text.startswith("/"):
        return True
    return addressed_question(message, context.bot) is not None
