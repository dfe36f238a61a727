"""Flood control in front of every handler: a polite "slow down" once, then silence.

Questions (messages to the bot) and taps (inline-mode keystrokes and button presses) have
separate budgets: typing one inline query sends an update per character, and browsing
/topics one per press, so counting them as questions would silence the next real question.
The one warning goes where the user is looking, in the language they wrote in: a reply to a
message, a notice on a pressed button, the button above inline results.
"""

from __future__ import annotations

from telegram import InlineQueryResultsButton, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import messages
from bot.chat import Context, addressed_question, language_of_message, reply
from bot.conduct import Budget
from bot.flood import Pace
from bot.keyboards import START_PAYLOAD
from bot.text import language_of


async def guard(update: Update, context: Context) -> None:
    """Runs before the handlers (group -1); stops the update when its user is over the limit."""
    user = update.effective_user
    budget = _budget(update, context)
    if user is None or budget is None:
        return
    pace = context.bot_data.pace(user.id, budget)
    if pace is Pace.ALLOW:
        return
    warn = pace is Pace.WARN
    try:
        if update.callback_query is not None:  # every button press is answered, even now
            said = messages.messages(language_of_message(update.callback_query.message))
            await update.callback_query.answer(said.slow_down_taps if warn else None)
        elif update.inline_query is not None:
            if warn:
                said = messages.messages(language_of(update.inline_query.query))
                button = InlineQueryResultsButton(
                    text=said.slow_down_taps, start_parameter=START_PAYLOAD
                )
                await update.inline_query.answer([], cache_time=0, button=button)
        elif warn and update.effective_message is not None:
            said = messages.messages(language_of(update.effective_message.text or ""))
            await reply(update.effective_message, said.slow_down, quote=True)
    except TelegramError:
        pass  # being unable to say "slow down" must not let the update through
    raise ApplicationHandlerStop


def _budget(update: Update, context: Context) -> Budget | None:
    """Which budget an update spends, or None when it is not the user's to pay for."""
    if update.inline_query is not None or update.callback_query is not None:
        return Budget.TAPS
    message = update.message
    if message is None:  # edits and channel posts are not questions
        return None
    if message.chat.type == ChatType.PRIVATE:
        return Budget.QUESTIONS
    if message.text and message.text.startswith("/"):
        return Budget.QUESTIONS
    # Group chatter not meant for the bot is not the user's to pay for.
    return Budget.QUESTIONS if addressed_question(message, context.bot) is not None else None
