"""Sending Bot API requests again only where that cannot deliver a message twice.

A request that never reached Telegram (the connection was refused or could not be made in
time, or no pooled connection was free) is sent again after a growing pause: Telegram cannot
have acted on it. Anything else may have been carried out: after a 5xx, a reply that is not
JSON, a connection lost or a read timed out once the request went out, Telegram (or a proxy in
front of it) may have delivered the message and lost only the answer. Such a request is not
sent again, since a reply arriving twice is worse than the error being logged. Flood waits
(429 with retry_after) are refusals too; python-telegram-bot's rate limiter sends those again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from telegram.error import NetworkError
from telegram.request import HTTPXRequest

logger = logging.getLogger("conduct-bot")

# What httpx raises when the request cannot have left: no connection was made or free.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class RetryingRequest(HTTPXRequest):
    def __init__(
        self,
        *args: Any,
        attempts: int = 4,
        pause: float = 0.25,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.attempts = attempts
        self.pause = pause

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        for attempt in range(1, self.attempts + 1):
            try:
                return await super().do_request(url, *args, **kwargs)
            except NetworkError as error:  # TimedOut included
                if attempt == self.attempts or not isinstance(error.__cause__, NEVER_SENT):
                    raise
                wait = self.pause * 2 ** (attempt - 1)
                logger.warning(
                    "Bot API (%s): connection failed (%s); retrying in %.2fs (attempt %d)",
                    url.rpartition("/")[2],  # the method; the token is in the part before it
                    error.message,
                    wait,
                    attempt,
                )
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover
