"""Wiring: the python-telegram-bot Application, its handlers, start-up and shutdown.

Every handler is registered here, in one place, so the front doors of the bot can be read
top to bottom. The handlers themselves live in bot.handlers and hold no domain logic.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import signal
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.chat import CONTEXT_TYPES, Context
from bot.conduct import Conduct
from bot.config import Settings
from bot.handlers import admin, callbacks, errors, groups, inline, limits, private
from bot.keyboards import pattern
from bot.retry import RetryingRequest
from bot.service import AnswerService
from bot.store import Store
from bot.updates import PollingBot, UpdatesInHand
from bot.watch import FileWatch, reload_and_log

logger = logging.getLogger(__name__)

PRIVATE_COMMANDS = (
    BotCommand("start", "What this bot does"),
    BotCommand("topics", "Browse concerns and situations"),
    BotCommand("help", "How to ask, here and in groups"),
    BotCommand("service", "Your service, so answers follow your rules"),
    BotCommand("language", "Answers in English or Hindi"),
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

# The Application as built here: its bot_data is the Conduct, its contexts typed to match.
BotApplication = Application[Any, Context, Any, Any, Conduct, Any]


def build_application(
    settings: Settings, answers: AnswerService, store: Store, *, watch_files: bool = False
) -> BotApplication:
    """The bot, ready to run (polling or webhook) or to process updates in tests."""
    update_queue: asyncio.Queue[object] = asyncio.Queue()
    in_hand = UpdatesInHand(settings.concurrent_updates, update_queue)
    bot = PollingBot(
        settings.token or "",
        base_url=f"{settings.api_base_url}/bot",
        base_file_url=f"{settings.api_base_url}/file/bot",
        request=RetryingRequest(
            read_timeout=settings.request_timeout,
            connection_pool_size=settings.concurrent_updates * 2,
            pause=settings.retry_pause_seconds,
        ),
        # Asking for updates again changes nothing, so getUpdates is sent again after any
        # fault, as long as it takes. Two connections: the last getUpdates at stop must not
        # wait for the poll it cut short.
        get_updates_request=RetryingRequest(
            connection_pool_size=2,
            repeatable=True,
            attempts=None,
            pause=min(settings.retry_pause_seconds, settings.poll_retry_max_seconds),
            max_pause=settings.poll_retry_max_seconds,
        ),
        rate_limiter=AIORateLimiter(overall_max_rate=settings.messages_per_second, max_retries=3),
        # Every text the bot sends is Telegram HTML, escaped where it quotes anyone.
        defaults=Defaults(parse_mode=ParseMode.HTML),
        in_hand=in_hand,
        updates_per_fetch=settings.fetch_limit,
    )
    application = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(CONTEXT_TYPES)
        .update_queue(update_queue)
        .concurrent_updates(in_hand)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    conduct = application.bot_data.open(settings, answers, store, watch_files=watch_files)

    async def tell_admins(text: str) -> None:
        for admin_id in settings.admin_user_ids:
            try:
                await application.bot.send_message(admin_id, html.escape(text))
            except TelegramError:
                logger.warning("could not alert an admin")

    conduct.on_alert(tell_admins)
    _register(application)
    return application


def _register(app: BotApplication) -> None:
    private_chat = filters.ChatType.PRIVATE
    group = filters.ChatType.GROUPS
    fresh = filters.UpdateType.MESSAGE  # edited messages and channel posts are not questions
    app.add_handler(TypeHandler(Update, limits.guard), group=-1)
    commands = (
        ("start", private.start, private_chat),
        ("help", private.help_command, None),
        ("topics", private.topics, None),
        ("ask", private.ask, private_chat),
        ("ask", groups.ask, group),
        ("service", private.choose_service, private_chat),
        ("language", private.choose_language, private_chat),
        ("privacy", private.privacy, private_chat),
        ("forget", private.forget, private_chat),
        ("reload", admin.reload_command, None),
        ("unanswered", admin.unanswered_command, None),
        ("stats", admin.stats_command, None),
    )
    for name, callback, where in commands:
        app.add_handler(CommandHandler(name, callback, filters=fresh & where if where else fresh))
    app.add_handler(MessageHandler(private_chat & fresh & filters.COMMAND, private.unknown_command))
    app.add_handler(MessageHandler(private_chat & fresh & filters.TEXT, private.question))
    app.add_handler(
        MessageHandler(private_chat & fresh & ~filters.StatusUpdate.ALL, private.not_text)
    )
    app.add_handler(
        MessageHandler(group & fresh & filters.TEXT & ~filters.COMMAND, groups.addressed)
    )
    buttons = (
        (callbacks.open_entry, ("open", "short")),
        (callbacks.browse, ("topic",)),
        (callbacks.vote, ("up", "down")),
        (callbacks.set_service, ("svc",)),
        (callbacks.i_am, ("iam",)),
        (callbacks.set_language, ("lang",)),
        (admin.learn, ("learn",)),
    )
    for callback, actions in buttons:
        app.add_handler(CallbackQueryHandler(callback, pattern=pattern(*actions)))
    app.add_handler(CallbackQueryHandler(callbacks.stale))  # anything else: out of date
    app.add_handler(InlineQueryHandler(inline.inline_query))
    app.add_error_handler(errors.on_error)


async def _post_init(app: BotApplication) -> None:
    # The command menus need a few calls to Telegram; polling need not wait for them.
    app.create_task(_set_commands(app), name="set command menus")
    conduct = app.bot_data
    jobs = app.job_queue
    if jobs is None:  # python-telegram-bot[job-queue] is a dependency; say so if it is missing
        raise RuntimeError("python-telegram-bot's JobQueue is not installed")
    if conduct.store.available:
        jobs.run_repeating(_purge, interval=PURGE_EVERY, first=0, name="purge")
    else:
        await conduct.tell_admins(
            f"⚠️ The bot started without its database: {conduct.store.unavailable}. It answers "
            "as usual; questions, votes and statistics are not kept until it is restarted with "
            "a usable database."
        )
    if conduct.watch_files:
        interval = conduct.settings.watch_interval
        files = FileWatch(conduct.answers)
        jobs.run_repeating(_check_files, interval=interval, first=interval, data=files)
    with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows / not main thread
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, _reload_on_signal, app)
        for stop_signal in (signal.SIGTERM, signal.SIGINT):  # run_* are told not to handle them
            loop.add_signal_handler(stop_signal, _stop, app, stop_signal)


def _stop(app: BotApplication, received: signal.Signals) -> None:
    """Fetch no more, give what is in hand a deadline, then stop as run_polling would."""
    in_hand = app.update_processor
    if not isinstance(in_hand, UpdatesInHand) or in_hand.stopping:
        return
    deadline = app.bot_data.settings.stop_timeout_seconds
    logger.info(
        "%s: taking no more updates; those in hand get %.0fs to be answered",
        received.name,
        deadline,
    )
    in_hand.stop(deadline)
    app.stop_running()


async def _post_shutdown(app: BotApplication) -> None:
    app.bot_data.store.close()


def _reload_on_signal(app: BotApplication) -> None:
    app.create_task(asyncio.to_thread(reload_and_log, app.bot_data.answers, "SIGHUP"))


async def _purge(context: Context) -> None:
    """A JobQueue job: a failure reaches the error handler, and the next run tries again."""
    await context.bot_data.purge()


async def _check_files(context: Context) -> None:
    files = context.job.data if context.job else None
    if isinstance(files, FileWatch) and files.changed():
        await asyncio.to_thread(reload_and_log, files.service, "files changed")


async def _set_commands(app: BotApplication) -> None:
    """Command menus per scope: groups see /ask, private chats /start, admins their own too."""
    bot = app.bot
    await bot.set_my_commands(PRIVATE_COMMANDS, scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(GROUP_COMMANDS, scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands(PRIVATE_COMMANDS, scope=BotCommandScopeDefault())
    for admin_id in sorted(app.bot_data.settings.admin_user_ids):
        try:
            scope = BotCommandScopeChat(admin_id)
            await bot.set_my_commands(PRIVATE_COMMANDS + ADMIN_COMMANDS, scope=scope)
        except TelegramError as error:  # the admin has not started a chat with the bot yet
            logger.warning("could not set admin commands for one admin: %s", error)
