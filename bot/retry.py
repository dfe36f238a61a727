"""Retrying Bot API requests where Telegram's rules make a retry safe.

A request that certainly did not reach Telegram, or that Telegram refused before acting on
it (a dropped connection, a 5xx from Telegram or a proxy in front of it, a reply that is not
JSON), is sent again with a growing pause. A request that timed out is not: Telegram may
have acted on it, and sending a message twice is worse than the error being logged. Flood
waits (429 with retry_after) are the rate limiter's to handle.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

logger = logging.getLogger("conduct-bot")


class RetryingRequest(HTTPXRequest):
    def __init__(self, *args: Any, attempts: int = 4, pause: float = 0.25, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attempts = attempts
        self.pause = pause

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                code, payload = await super().do_request(*args, **kwargs)
            except TimedOut:
                raise
            except NetworkError as error:
                if last:
                    raise
                reason = f"connection failed ({error.message})"
            else:
                if code < 500 and (code != 200 or _is_json(payload)):
                    return code, payload
                if last:
                    return code, payload
                reason = f"HTTP {code}" if code >= 500 else "a reply that is not JSON"
            wait = self.pause * 2 ** (attempt - 1)
            logger.warning("Bot API: %s; retrying in %.2fs (attempt %d)", reason, wait, attempt)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover


def _is_json(payload: bytes) -> bool:
    try:
        json.loads(payload)
    except ValueError:
        return False
    return True
