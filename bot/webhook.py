"""`conduct-bot run --webhook`: our own small tornado server in front of the Application.

python-telegram-bot's built-in webhook server answers an update it cannot parse with 400 (and
Telegram then sends that update again and again: the webhook form of the offset loop), reads
a body of up to 100 MB before it checks the secret, and keeps a silent connection for an
hour, so that anyone who can reach the port can exhaust memory and file descriptors before
being refused. Its server and handler offer no hook for any of this, so this module follows
the library's "custom webhook" pattern: a tornado handler that

- checks Telegram's secret header (in constant time) as soon as the headers are in, before
  reading the body, and refuses a body larger than `MAX_BODY` (Telegram's updates are small);
- parses each update on its own (`bot.updates.parse_update`: one the library cannot parse is
  logged once and answered 200, so Telegram moves on) and puts the rest on the
  Application's update_queue;

behind a server that gives each request `timeout` seconds to arrive (headers, then body, and
as long to an idle keep-alive connection), holds at most `connection_limit` connections (a
share of the process's file descriptors) and closes any beyond at once. Refusals are summed
up in one log line a minute, not one per event. `serve_webhook` runs the Application around
it the way `run_webhook` would.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import resource
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import tornado.web
from telegram.ext import Application, ExtBot
from tornado.http1connection import HTTP1Connection
from tornado.httpserver import HTTPServer
from tornado.iostream import IOStream

from bot.logs import Tally
from bot.updates import parse_update

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# An update is a few kilobytes; the largest (a 4,096-character message replying to another,
# with entities, JSON-escaped) stay far below this.
MAX_BODY = 1024 * 1024
# Telegram opens up to 40 connections to a webhook; a few more leave room for reconnects.
MAX_CONNECTIONS = 100


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """POST /<path>: one update from Telegram, with the secret Telegram was given."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(
        self, bot: ExtBot, update_queue: asyncio.Queue, secret: str, refused: Tally
    ) -> None:
        self.bot = bot
        self.update_queue = update_queue
        self.secret = secret.encode()
        self.refused = refused
        self.body = bytearray()

    def prepare(self) -> None:
        """Runs once the headers are in, before any of the body is read (stream_request_body)."""
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):  # constant time: no guessing by timing
            self._refuse(403, "without the right secret")
        length = self.request.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            self._refuse(413, "with a body over 1 MiB")
        if isinstance(self.request.connection, HTTP1Connection):  # a chunked body, too
            self.request.connection.set_max_body_size(MAX_BODY)

    def data_received(self, chunk: bytes) -> None:
        self.body += chunk

    async def post(self) -> None:
        try:
            data = json.loads(self.body)
        except ValueError:
            self._refuse(400, "that are not JSON")
        update = parse_update(data, self.bot)
        if update is not None:
            await self.update_queue.put(update)
        # 200 even for an update that was skipped: Telegram would otherwise resend it forever.

    def _refuse(self, status: int, reason: str) -> None:
        self.refused.add(reason)
        raise tornado.web.HTTPError(status)

    def log_exception(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Refusals are counted by `refused`; only a real failure is worth a traceback."""
        if not isinstance(value, tornado.web.HTTPError):
            logger.error("webhook handler failed", exc_info=(kind, value, tb))  # type: ignore[arg-type]


class _WebhookApp(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: one line per request would be a log per message."""


class WebhookServer(HTTPServer):
    """tornado's HTTPServer with timeouts, a body cap and a limit on open connections."""

    def initialize(  # type: ignore[override]
        self, request_callback: tornado.web.Application, *, timeout: float, connection_limit: int
    ) -> None:
        super().initialize(
            request_callback,
            idle_connection_timeout=timeout,  # also the time allowed for a request's headers
            body_timeout=timeout,
            max_body_size=MAX_BODY,
            max_buffer_size=2 * MAX_BODY,
        )
        self.connection_limit = connection_limit
        self.open_connections = 0
        self.refused = Tally("webhook: closed connections at once")

    def handle_stream(self, stream: IOStream, address: tuple) -> None:
        if self.open_connections >= self.connection_limit:
            stream.close()
            self.refused.add(f"more than {self.connection_limit} open")
            return
        self.open_connections += 1
        super().handle_stream(stream, address)

    def on_close(self, server_conn: object) -> None:
        self.open_connections -= 1
        super().on_close(server_conn)


def connection_limit(reserved: int) -> int:
    """How many connections the webhook may hold: what the descriptors allow, less `reserved`
    for the bot's own (connections to Telegram, the database, logs)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(4, min(MAX_CONNECTIONS, soft - reserved))


def serve_webhook(
    application: Application,
    *,
    listen: str,
    port: int,
    path: str,
    url: str,
    secret: str,
    allowed_updates: Sequence[str],
    timeout: float,
    reserved_files: int,
) -> None:
    """Run the Application behind our webhook server until it is stopped (as run_webhook)."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    limit = connection_limit(reserved_files)
    handler_args: dict[str, Any] = {
        "bot": application.bot,
        "update_queue": application.update_queue,
        "secret": secret,
        "refused": Tally("webhook: refused requests"),
    }
    app = _WebhookApp([(f"/{path}/?", UpdateHandler, handler_args)])
    server = WebhookServer(app, timeout=timeout, connection_limit=limit)
    try:
        loop.run_until_complete(application.initialize())
        if application.post_init:
            loop.run_until_complete(application.post_init(application))
        server.listen(port, address=listen)  # before setWebhook: Telegram may post at once
        loop.run_until_complete(
            application.bot.set_webhook(
                url,
                secret_token=secret,
                allowed_updates=allowed_updates,
                max_connections=min(40, limit),
            )
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
