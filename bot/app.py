"""Wiring: the python-telegram-bot Application, its handlers, start-up and shutdown.

Every handler is registered here, in one place, so the front doors of the bot can be read
top to bottom. The handlers themselves live in bot.handlers and hold no domain logic.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.flood import FloodGuard
from bot.handlers import admin, callbacks, errors, groups, inline, limits, private
from bot.handlers.common import SERVICE_KEY, SETTINGS_KEY, STORE_KEY, alert_admins
from bot.handlers.limits import GUARD_KEY, TAPS_GUARD_KEY
from bot.retry import RetryingRequest
from bot.service import AnswerService
from bot.store import Store
from bot.updates import PollingBot, UpdatesInHand
from bot.watch import reload_and_log, watch

logger = logging.getLogger("conduct-bot")

PRIVATE_COMMANDS = (
    BotCommand("start", "What this bot does"),
    BotCommand("topics", "Browse concerns and situations"),
    BotCommand("help", "How to ask, here and in groups"),
    BotCommand("service", "Your service, so answers follow your rules"),
    BotCommand("privacy", "What is stored and why"),
    BotCommand("forget", "Delete everything stored about you"),
)
GROUP_COMMANDS = (
    BotCommand("ask", "Ask a question about social-media conduct"),
    BotCommand("topics", "Browse concerns and situations"),
    BotCommand("help", "How to use this bot"),
)
ADMIN_COMMANDS = (
    BotCommand("reload", "Admin: re-read the knowledge base"),
    BotCommand("unanswered", "Admin: questions without a confident answer"),
    BotCommand("stats", "Admin: questions, answers and feedback"),
)
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
PURGE_EVERY = 6 * 3600.0  # seconds between deletions of questions past the retention period
TASKS_KEY = "background_tasks"


def build_application(
    settings: Settings, service: AnswerService, store: Store, *, watch_files: bool = False
) -> Application:
    """The bot, ready to run (polling or webhook) or to process updates in tests."""
    update_queue: asyncio.Queue = asyncio.Queue()
    in_hand = UpdatesInHand(settings.concurrent_updates, update_queue)
    bot = PollingBot(
        settings.token or "",
        base_url=f"{settings.api_base_url}/bot",
        base_file_url=f"{settings.api_base_url}/file/bot",
        request=RetryingRequest(
            read_timeout=settings.request_timeout,
            connection_pool_size=settings.concurrent_updates * 2,
        ),
        # Asking for updates again changes nothing, so getUpdates is sent again after any
        # fault, as long as it takes. Two connections: the last getUpdates at stop must not
        # wait for the poll it cut short.
        get_updates_request=RetryingRequest(
            connection_pool_size=2,
            repeatable=True,
            attempts=None,
            max_pause=settings.poll_retry_max_seconds,
        ),
        rate_limiter=AIORateLimiter(overall_max_rate=settings.messages_per_second, max_retries=3),
        in_hand=in_hand,
        updates_per_fetch=settings.fetch_limit,
    )
    application = (
        ApplicationBuilder()
        .bot(bot)
        .update_queue(update_queue)
        .concurrent_updates(in_hand)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    window = settings.flood_window_seconds
    application.bot_data.update(
        {
            SERVICE_KEY: service,
            STORE_KEY: store,
            SETTINGS_KEY: settings,
            GUARD_KEY: FloodGuard(settings.user_updates_per_window, window),
            TAPS_GUARD_KEY: FloodGuard(settings.user_taps_per_window, window),
            "watch": watch_files,
        }
    )
    _register(application)
    return application


def _register(app: Application) -> None:
    in_private = filters.ChatType.PRIVATE
    in_group = filters.ChatType.GROUPS
    fresh = filters.UpdateType.MESSAGE  # edited messages and channel posts are not questions
    app.add_handler(TypeHandler(Update, limits.guard), group=-1)
    commands = {
        "start": (private.start, in_private),
        "help": (private.help_command, None),
        "topics": (private.topics, None),
        "ask": (groups.ask, None),
        "service": (private.choose_service, in_private),
        "privacy": (private.privacy, in_private),
        "forget": (private.forget, in_private),
        "reload": (admin.reload_command, None),
        "unanswered": (admin.unanswered_command, None),
        "stats": (admin.stats_command, None),
    }
    for name, (callback, where) in commands.items():
        app.add_handler(CommandHandler(name, callback, filters=fresh & where if where else fresh))
    app.add_handler(MessageHandler(in_private & fresh & filters.COMMAND, private.unknown_command))
    app.add_handler(MessageHandler(in_private & fresh & filters.TEXT, private.question))
    app.add_handler(
        MessageHandler(in_private & fresh & ~filters.StatusUpdate.ALL, private.not_text)
    )
    app.add_handler(
        MessageHandler(in_group & fresh & filters.TEXT & ~filters.COMMAND, groups.addressed)
    )
    app.add_handler(CallbackQueryHandler(callbacks.button))
    app.add_handler(InlineQueryHandler(inline.inline_query))
    app.add_error_handler(errors.on_error)


async def _post_init(app: Application) -> None:
    await _set_commands(app)
    service: AnswerService = app.bot_data[SERVICE_KEY]
    settings: Settings = app.bot_data[SETTINGS_KEY]
    store: Store = app.bot_data[STORE_KEY]
    tasks = [asyncio.create_task(_purge_periodically(store))] if store.available else []
    if not store.available:
        await alert_admins(
            app,
            f"⚠️ The bot started without its database: {store.unavailable}. It answers as "
            "usual; questions, votes and statistics are not kept until it is restarted with "
            "a usable database.",
        )
    if app.bot_data.get("watch"):
        tasks.append(asyncio.create_task(watch(service, settings.watch_interval)))
    app.bot_data[TASKS_KEY] = tasks
    with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows / not main thread
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(
            signal.SIGHUP, lambda: asyncio.create_task(_reload_on_signal(service))
        )
        for stop_signal in (signal.SIGTERM, signal.SIGINT):  # run_* are told not to handle them
            loop.add_signal_handler(stop_signal, _stop, app, stop_signal)


def _stop(app: Application, received: signal.Signals) -> None:
    """Fetch no more, give what is in hand a deadline, then stop as run_polling would."""
    in_hand = app.update_processor
    if not isinstance(in_hand, UpdatesInHand) or in_hand.stopping:
        return
    deadline = app.bot_data[SETTINGS_KEY].stop_timeout_seconds
    logger.info(
        "%s: taking no more updates; those in hand get %.0fs to be answered",
        received.name,
        deadline,
    )
    in_hand.stop(deadline)
    app.stop_running()


async def _post_shutdown(app: Application) -> None:
    for task in app.bot_data.get(TASKS_KEY, ()):
        task.cancel()
    app.bot_data[STORE_KEY].close()


async def _reload_on_signal(service: AnswerService) -> None:
    await asyncio.to_thread(reload_and_log, service, "SIGHUP")


async def _purge_periodically(store: Store) -> None:
    while True:
        try:
            removed = await asyncio.to_thread(store.purge)
            if removed:
                logger.info("deleted %d questions past the retention period", removed)
        except Exception:
            logger.exception("could not purge old questions")
        await asyncio.sleep(PURGE_EVERY)


async def _set_commands(app: Application) -> None:
    """Command menus per scope: groups see /ask, private chats /start, admins their own too."""
    bot = app.bot
    await bot.set_my_commands(PRIVATE_COMMANDS, scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(GROUP_COMMANDS, scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands(PRIVATE_COMMANDS, scope=BotCommandScopeDefault())
    settings: Settings = app.bot_data[SETTINGS_KEY]
    for admin_id in sorted(settings.admin_user_ids):
        try:
            scope = BotCommandScopeChat(admin_id)
            await bot.set_my_commands(PRIVATE_COMMANDS + ADMIN_COMMANDS, scope=scope)
        except TelegramError as error:  # the admin has not started a chat with the bot yet
            logger.warning("could not set admin commands for one admin: %s", error)
