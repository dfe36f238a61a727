"""Sending Bot API requests again only where that cannot deliver a message twice.

A request that never reached Telegram (the connection was refused or could not be made in
time, or no pooled connection was free) is sent again after a growing pause: Telegram cannot
have acted on it. Anything else may have been carried out: after a 5xx, a reply that is not
JSON, a connection lost or a read timed out once the request went out, Telegram (or a proxy in
front of it) may have delivered the message and lost only the answer. Such a request is not
sent again, since a reply arriving twice is worse than the error being logged. Flood waits
(429 with retry_after) are refusals too; python-telegram-bot's rate limiter sends those again.

A request made `repeatable` (getUpdates: asking again changes nothing, the offset says what
is confirmed) is sent again after any of these faults, with `attempts=None` for as long as it
takes; the pause doubles up to `max_pause`, so that a recovered API is used promptly
(python-telegram-bot's own polling backoff grows to 30 s a try: ten faults cost 105 s).

Either way a failed attempt is one WARNING line, and a reply that is not JSON raises without
the library's ERROR with a traceback: the caller's error handler logs what was given up.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp
from telegram._utils.types import JSONDict
from telegram.error import NetworkError, TelegramError

from bot.client import AiohttpRequest

logger = logging.getLogger(__name__)

# What aiohttp raises when the request cannot have left: no connection was made (refused, or
# the TLS handshake failed), or none was made or free in time.
NEVER_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)


class RetryingRequest(AiohttpRequest):
    def __init__(
        self,
        *args: Any,
        attempts: int | None = 4,
        pause: float = 0.25,
        max_pause: float = 8.0,
        repeatable: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.attempts = attempts
        self.pause = pause
        self.max_pause = max_pause
        self.repeatable = repeatable

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        attempt = 0
        while True:
            attempt += 1
            last = self.attempts is not None and attempt >= self.attempts
            try:
                code, payload = await super().do_request(url, *args, **kwargs)
            except NetworkError as error:  # TimedOut included
                never_sent = isinstance(error.__cause__, NEVER_SENT)
                if last or not (never_sent or self.repeatable):
                    raise
                reason = f"connection failed ({error.message})"
            else:
                answered = code < 500 and (code != 200 or _is_json(payload))
                if answered or last or not self.repeatable:
                    return code, payload
                reason = f"HTTP {code}" if code >= 500 else "a reply that is not JSON"
            wait = min(self.max_pause, self.pause * 2 ** min(attempt - 1, 16))
            logger.warning(
                "Bot API (%s): %s; retrying in %.2fs (attempt %d)",
                url.rpartition("/")[2],  # the method; the token is in the part before it
                reason,
                wait,
                attempt,
            )
            await asyncio.sleep(wait)

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """As the library's, without its ERROR line and traceback for a body that is not JSON
        (logged once by whoever gives up on the request)."""
        try:
            return json.loads(payload.decode("utf-8", "replace"))
        except ValueError:
            raise TelegramError("Invalid server response") from None


def _is_json(payload: bytes) -> bool:
    try:
        json.loads(payload)
    except ValueError:
        return False
    return True
