"""`conduct-bot run --webhook`: our own small tornado server in front of the Application.

python-telegram-bot's built-in webhook server answers an update it cannot parse with 400, and
Telegram then sends that update again and again: the webhook form of the offset loop. Its
server and handler offer no hook to change that, so this module follows the library's
"custom webhook" pattern instead: a tornado handler checks Telegram's secret header, parses
each update on its own (`bot.updates.parse_update`: one the library cannot parse is logged
once and answered 200, so Telegram moves on) and puts the rest on the Application's
update_queue; `serve_webhook` runs the Application around it the way `run_webhook` would.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import tornado.web
from telegram.ext import Application, ExtBot
from tornado.httpserver import HTTPServer

from bot.updates import parse_update

logger = logging.getLogger("conduct-bot")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class UpdateHandler(tornado.web.RequestHandler):
    """POST /<path>: one update from Telegram, with the secret Telegram was given."""

    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(self, bot: ExtBot, update_queue: asyncio.Queue, secret: str) -> None:
        self.bot = bot
        self.update_queue = update_queue
        self.secret = secret.encode()

    def prepare(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):  # constant time: no guessing by timing
            raise tornado.web.HTTPError(403)

    async def post(self) -> None:
        try:
            data = json.loads(self.request.body)
        except ValueError:
            raise tornado.web.HTTPError(400) from None
        update = parse_update(data, self.bot)
        if update is not None:
            await self.update_queue.put(update)
        # 200 even for an update that was skipped: Telegram would otherwise resend it forever.

    def log_exception(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Refusals (403, 400) are expected from strangers; they are not worth a traceback."""
        if not isinstance(value, tornado.web.HTTPError):
            logger.error("webhook handler failed", exc_info=(kind, value, tb))  # type: ignore[arg-type]


class _WebhookApp(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: one line per request would be a log per message."""


def serve_webhook(
    application: Application,
    *,
    listen: str,
    port: int,
    path: str,
    url: str,
    secret: str,
    allowed_updates: Sequence[str],
) -> None:
    """Run the Application behind our webhook server until SIGTERM or SIGINT (as run_webhook)."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler_args: dict[str, Any] = {
        "bot": application.bot,
        "update_queue": application.update_queue,
        "secret": secret,
    }
    server = HTTPServer(_WebhookApp([(f"/{path}/?", UpdateHandler, handler_args)]))
    try:
        loop.run_until_complete(application.initialize())
        if application.post_init:
            loop.run_until_complete(application.post_init(application))
        server.listen(port, address=listen)  # before setWebhook: Telegram may post at once
        loop.run_until_complete(
            application.bot.set_webhook(url, secret_token=secret, allowed_updates=allowed_updates)
        )
        loop.run_until_complete(application.start())
        loop.run_forever()  # until stop_running(): SIGTERM and SIGINT are handled in bot.app
    except KeyboardInterrupt:
        logger.debug("interrupted")
    finally:
        server.stop()
        loop.run_until_complete(server.close_all_connections())
        if application.running:
            loop.run_until_complete(application.stop())
            if application.post_stop:
                loop.run_until_complete(application.post_stop(application))
        loop.run_until_complete(application.shutdown())
        if application.post_shutdown:
            loop.run_until_complete(application.post_shutdown(application))
        loop.close()
