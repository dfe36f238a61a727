"""Logging that can never print the bot token.

The token is part of every Bot API URL, and HTTP libraries log URLs at INFO and DEBUG; an
exception's text or traceback can carry it too. Redaction therefore happens on the final
formatted line (message, arguments and traceback alike), and uncaught exceptions are routed
through the same formatter.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable
from types import TracebackType

REDACTED = "<token>"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Replaces every secret (and its URL-encoded form) in the formatted record."""

    def __init__(self, secrets: Iterable[str], fmt: str = _FORMAT) -> None:
        super().__init__(fmt)
        self._secrets = _variants(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def _variants(secrets: Iterable[str]) -> tuple[str, ...]:
    found: set[str] = set()
    for secret in secrets:
        if secret:
            found.update({secret, secret.replace(":", "%3A"), secret.replace(":", "%3a")})
    return tuple(sorted(found, key=len, reverse=True))


class Tally:
    """Events counted by reason and logged at most once per `interval` seconds.

    For what strangers can cause in numbers (refused requests, connections over a limit),
    where a line per event would flood the log: the first event is logged at once, the
    following ones are summed up in the next line, written by the first event after the
    interval.
    """

    def __init__(self, message: str, interval: float = 60.0) -> None:
        self.message = message
        self.interval = interval
        self._counts: Counter[str] = Counter()
        self._quiet_until = 0.0

    def add(self, reason: str) -> None:
        self._counts[reason] += 1
        now = time.monotonic()
        if now < self._quiet_until:
            return
        summary = ", ".join(f"{count} {reason}" for reason, count in self._counts.items())
        logging.getLogger("conduct-bot").warning(
            "%s: %s (summed up over %.0fs at most)", self.message, summary, self.interval
        )
        self._counts.clear()
        self._quiet_until = now + self.interval


def configure_logging(level: str, secrets: Iterable[str]) -> RedactingFormatter:
    """One stderr handler with redaction; uncaught exceptions go through it too."""
    formatter = RedactingFormatter(secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL (with the token) at INFO; keep it for DEBUG sessions only.
    if root.level > logging.DEBUG:
        logging.getLogger("httpx").setLevel(logging.WARNING)
        # tornado notes each slow or malformed webhook request at INFO: strangers can cause
        # those by the thousand (the webhook sums its refusals up instead).
        logging.getLogger("tornado.general").setLevel(logging.WARNING)

    def excepthook(
        kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        logging.getLogger("conduct-bot").critical("crashed", exc_info=(kind, error, tb))

    sys.excepthook = excepthook
    threading.excepthook = lambda args: excepthook(
        args.exc_type, args.exc_value or Exception(), args.exc_traceback
    )
    return formatter
