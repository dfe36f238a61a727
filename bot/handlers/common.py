"""What every front door shares: the services in use, replying safely, remembering questions."""

from __future__ import annotations

import logging
import time

from telegram import InlineKeyboardMarkup, Message, User
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.asker import Asker
from bot.config import Settings
from bot.matcher import Match
from bot.render import split_message
from bot.service import AnswerService
from bot.store import Preferences, Store, StoreError
from bot.text import fold

SERVICE_KEY = "service"
STORE_KEY = "store"
SETTINGS_KEY = "settings"
STORE_ALERT_KEY = "store_alert_at"
STORE_ALERT_EVERY = 3600.0  # seconds between repeated "cannot save" alerts to admins

logger = logging.getLogger("conduct-bot")


def answers(context: ContextTypes.DEFAULT_TYPE) -> AnswerService:
    service: AnswerService = context.application.bot_data[SERVICE_KEY]
    return service


def store(context: ContextTypes.DEFAULT_TYPE) -> Store:
    opened: Store = context.application.bot_data[STORE_KEY]
    return opened


def hashed(context: ContextTypes.DEFAULT_TYPE, telegram_id: int) -> str:
    """A user's or chat's id as logs may show it: the start of its keyed hash, as stored."""
    return store(context).user_hash(telegram_id)[:12]


def settings(context: ContextTypes.DEFAULT_TYPE) -> Settings:
    configured: Settings = context.application.bot_data[SETTINGS_KEY]
    return configured


def preferences(context: ContextTypes.DEFAULT_TYPE, user: User | None) -> Preferences:
    """The user's saved choices; none when the database cannot be read (answers go on)."""
    if user is None:
        return Preferences()
    try:
        return store(context).preferences(user.id)
    except StoreError:
        return Preferences()


def asker(context: ContextTypes.DEFAULT_TYPE, user: User | None) -> Asker:
    return Asker(service=preferences(context, user).service)


async def reply_html(
    message: Message,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    quote: bool = False,
) -> Message:
    """Reply with HTML split under Telegram's limit; the keyboard goes on the last part."""
    parts = split_message(text)
    sent = message
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        sent = await message.reply_html(
            part, reply_markup=markup if last else None, do_quote=quote and number == 0
        )
    return sent


async def remember(context: ContextTypes.DEFAULT_TYPE, message: Message, match: Match) -> None:
    """Record the question for admins; a storage fault is reported, never shown to the asker."""
    if message.from_user is None or not store(context).available:
        return  # without a database, the admins were told once at start
    closest = match.candidates[0].entry.id if match.candidates else None
    try:
        store(context).record_question(
            user_id=message.from_user.id,
            chat_type=message.chat.type,
            question=fold(match.question)[:500],
            band=match.band.value,
            answer_id=match.entry.id if match.entry else None,
            closest_id=closest,
            score=match.score,
        )
    except StoreError as error:
        await report_store_error(context, error)


async def report_store_error(context: ContextTypes.DEFAULT_TYPE, error: StoreError) -> None:
    """Log every storage fault; tell the admins at most once an hour. Answers go on regardless."""
    logger.error("storage fault: %s", error)
    text = f"⚠️ The bot cannot save to its database: {error}. It keeps answering."
    await alert_admins(context.application, text)


async def alert_admins(application: Application, text: str) -> None:
    """Send `text` to every admin, unless a storage alert went out in the past hour."""
    bot_data = application.bot_data
    now = time.monotonic()
    if now - bot_data.get(STORE_ALERT_KEY, -STORE_ALERT_EVERY) < STORE_ALERT_EVERY:
        return
    bot_data[STORE_ALERT_KEY] = now
    configured: Settings = bot_data[SETTINGS_KEY]
    for admin in configured.admin_user_ids:
        try:
            await application.bot.send_message(admin, text)
        except TelegramError:
            logger.warning("could not alert an admin about the storage fault")
