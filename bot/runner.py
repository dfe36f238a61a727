"""`conduct-bot run`: start the Telegram bot, by long polling or behind a webhook."""

from __future__ import annotations

import logging
import secrets

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import ConfigError, Settings, with_token
from bot.logs import configure_logging
from bot.service import AnswerService
from bot.store import open_store
from bot.watch import log_warnings
from bot.webhook import serve_webhook

logger = logging.getLogger(__name__)

NO_TOKEN = """\
TELEGRAM_BOT_TOKEN is not set.
  To get a token: open Telegram, talk to @BotFather, send /newbot and follow the steps; then
    export TELEGRAM_BOT_TOKEN='123456:ABC...'   (or TELEGRAM_BOT_TOKEN_FILE=/run/secrets/token)
  To try the answers without Telegram:  conduct-bot chat
  To try the whole bot in a browser page, without Telegram:  conduct-bot playground
  To run the bot against the Bot API emulator yourself:
    python -m bot.emulator --port 8081 --token 123:local &
    TELEGRAM_BOT_TOKEN=123:local TELEGRAM_API_BASE_URL=http://127.0.0.1:8081 conduct-bot run"""

WEBHOOK_PATH = "telegram"


def run(settings: Settings, *, webhook: bool = False, watch: bool = False) -> int:
    settings = with_token(settings)
    if not settings.token:
        raise ConfigError(NO_TOKEN)
    if webhook and not settings.webhook_url:
        raise ConfigError("--webhook needs WEBHOOK_URL, the public https URL Telegram posts to")
    configure_logging(settings.log_level, [settings.token, settings.webhook_secret or ""])
    service = AnswerService.from_settings(settings)
    kb = service.snapshot.kb
    logger.info("knowledge base: %d entries from %s", len(kb.entries), settings.knowledge_dir)
    log_warnings(kb)
    key = settings.user_hash_key.encode() if settings.user_hash_key else None
    store = open_store(settings.database, key=key, retention_days=settings.retention_days)
    application = build_application(settings, service, store, watch_files=watch)
    try:
        if webhook:
            _run_webhook(application, settings)
        else:
            logger.info("polling %s for updates", settings.api_base_url)
            # SIGTERM and SIGINT are handled in bot.app, which bounds what is answered at stop.
            application.run_polling(allowed_updates=ALLOWED_UPDATES, stop_signals=None)
    except InvalidToken:
        logger.error(
            "Telegram rejected the bot token. Copy it again from @BotFather (/mybots, API "
            "Token) into TELEGRAM_BOT_TOKEN or the file TELEGRAM_BOT_TOKEN_FILE names, then "
            "start the bot again."
        )
        return 1
    except NetworkError as error:
        logger.error(
            "cannot reach the Bot API at %s (%s). Check this machine's network, proxy and "
            "firewall, and TELEGRAM_API_BASE_URL if it is set, then start the bot again.",
            settings.api_base_url,
            error,
        )
        return 1
    return 0


def _run_webhook(application: Application, settings: Settings) -> None:
    # Telegram sends the secret in a header with every update; without one configured, a
    # fresh random secret per start still keeps strangers from posting fake updates.
    secret = settings.webhook_secret or secrets.token_urlsafe(32)
    configure_logging(settings.log_level, [settings.token or "", secret])
    url = f"{(settings.webhook_url or '').rstrip('/')}/{WEBHOOK_PATH}"
    logger.info(
        "listening for Telegram webhooks on %s:%d", settings.webhook_listen, settings.webhook_port
    )
    serve_webhook(
        application,
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        path=WEBHOOK_PATH,
        url=url,
        secret=secret,
        allowed_updates=ALLOWED_UPDATES,
        timeout=settings.webhook_timeout_seconds,
        # Descriptors the bot keeps for itself: its pool of connections to Telegram (two per
        # update handled at once), the database, the logs and the interpreter's own.
        reserved_files=2 * settings.concurrent_updates + 50,
    )
