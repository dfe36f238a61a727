"""Logging that can never print the bot token.

The token is part of every Bot API URL, and HTTP libraries log URLs at INFO and DEBUG; an
exception's text or traceback can carry it too, and not always as it was sent:
python-telegram-bot lowercases most of a "Bad Request: ..." description, an HTML error page
escapes the colon, a gateway may quote the secret part alone. Redaction therefore happens on
the final formatted line (message, arguments and traceback alike), ignores case, and also
removes the part of the token after the colon on its own, so every form is caught. Uncaught
exceptions are routed through the same formatter.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable
from types import TracebackType

REDACTED = "<token>"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


# A bot token's part after the colon is 35 characters; shorter secrets (tests, local
# playgrounds) are redacted only whole, so that a short one cannot blank out ordinary words.
_SECRET_PART_MIN = 16


class RedactingFormatter(logging.Formatter):
    """Replaces every secret, in any case and any of its forms, in the formatted record."""

    def __init__(self, secrets: Iterable[str], fmt: str = _FORMAT) -> None:
        super().__init__(fmt)
        self._pattern = _pattern(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text) if self._pattern else text


def _pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for the secrets, their URL-encoded form and, for a bot
    token, the secret part alone; the longest first, so a whole token reads `<token>`."""
    found: set[str] = set()
    for secret in filter(None, secrets):
        found.update({secret, secret.replace(":", "%3A")})
        part = secret.partition(":")[2]
        if len(part) >= _SECRET_PART_MIN:
            found.add(part)
    if not found:
        return None
    ordered = sorted(found, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE)


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
        logging.getLogger(__name__).warning(
            "%s: %s (summed up over %.0fs at most)", self.message, summary, self.interval
        )
        self._counts.clear()
        self._quiet_until = now + self.interval


class BriefLibraryErrors(logging.Filter):
    """Above DEBUG, a Telegram client error logged by python-telegram-bot keeps its line but
    not its traceback: "cannot reach the Bot API" is one paragraph for an operator, not a
    hundred lines of httpx internals (the bot says what to do in its own line after it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and type(error).__module__.startswith("telegram."):
            record.exc_info, record.exc_text = None, None
            record.msg = f"{record.msg} ({type(error).__name__}: {error})"
        return True


def configure_logging(level: str, secrets: Iterable[str]) -> RedactingFormatter:
    """One stderr handler with redaction; uncaught exceptions go through it too."""
    formatter = RedactingFormatter(secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    if logging.getLevelName(level.upper()) != logging.DEBUG:
        handler.addFilter(BriefLibraryErrors())
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
        logging.getLogger("bot").critical("crashed", exc_info=(kind, error, tb))

    sys.excepthook = excepthook
    threading.excepthook = lambda args: excepthook(
        args.exc_type, args.exc_value or Exception(), args.exc_traceback
    )
    return formatter
