"""Flood control in front of every handler: a polite "slow down" once, then silence.

Questions (messages to the bot) and taps (inline-mode keystrokes and button presses) have
separate budgets: typing one inline query sends an update per character, and browsing
/topics one per press, so counting them as questions would silence the next real question.
The one warning goes where the user is looking: a reply to a message, a notice on a pressed
button, the button above inline results.
"""

from __future__ import annotations

from telegram import InlineQueryResultsButton, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import messages
from bot.flood import FloodGuard, Verdict
from bot.handlers.common import reply_html
from bot.handlers.groups import addressed_question
from bot.handlers.inline import START_PAYLOAD

GUARD_KEY = "flood_guard"  # questions
TAPS_GUARD_KEY = "flood_guard_taps"  # inline keystrokes and button presses


async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before the handlers (group -1); stops the update when its user is over the limit."""
    user = update.effective_user
    key = _budget(update, context)
    if user is None or key is None:
        return
    flood: FloodGuard = context.application.bot_data[key]
    verdict = flood.check(user.id)
    if verdict is Verdict.ALLOW:
        return
    warn = verdict is Verdict.WARN
    try:
        if update.callback_query is not None:  # every button press is answered, even now
            await update.callback_query.answer(messages.SLOW_DOWN_TAPS if warn else None)
        elif update.inline_query is not None:
            if warn:
                button = InlineQueryResultsButton(
                    text=messages.SLOW_DOWN_TAPS, start_parameter=START_PAYLOAD
                )
                await update.inline_query.answer([], cache_time=0, button=button)
        elif warn and update.effective_message is not None:
            await reply_html(update.effective_message, messages.SLOW_DOWN, quote=True)
    except TelegramError:
        pass  # being unable to say "slow down" must not let the update through
    raise ApplicationHandlerStop


def _budget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """Which budget an update spends, or None when it is not the user's to pay for."""
    if update.inline_query is not None or update.callback_query is not None:
        return TAPS_GUARD_KEY
    message = update.message
    if message is None:  # edits and channel posts are not questions
        return None
    if message.chat.type == ChatType.PRIVATE:
        return GUARD_KEY
    if message.text and message.text.startswith("/"):
        return GUARD_KEY
    # Group chatter not meant for the bot is not the user's to pay for.
    return GUARD_KEY if addressed_question(message, context.bot) is not None else None
