"""Taking updates from Telegram: one the library cannot parse is skipped, never fatal.

python-telegram-bot parses a whole getUpdates batch at once (`Update.de_list`). When Telegram
sends one update it cannot parse (a field in a newer or older Bot API shape, a date past the
year 9999), the whole batch fails, the Updater's offset never moves past it, and polling asks
for the same batch again and again: the classic offset loop, where one bad update stops the
bot for everyone, for good. Here each update is parsed on its own; one that fails is logged
once (its update_id and the reason, never its content, which is other people's messages) and
replaced by an empty update with the same id, which no handler acts on. The Updater then
confirms it like any other, so polling moves on and a restart does not meet it again.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import Update
from telegram.ext import ExtBot

logger = logging.getLogger("conduct-bot")

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def parse_update(data: object, bot: ExtBot) -> Update | None:
    """The update, or None when the library cannot parse it (logged once, without content)."""
    try:
        return Update.de_json(data, bot)  # type: ignore[arg-type]
    except Exception as error:
        update_id = data.get("update_id") if isinstance(data, dict) else None
        logger.warning(
            "skipped update %s: python-telegram-bot cannot parse it (%s)",
            update_id if isinstance(update_id, int) else "without an update_id",
            _reason(error),
        )
        return None


def _reason(error: Exception) -> str:
    """The error without anything quoted from the update (a name, a text), and not too long."""
    return f"{type(error).__name__}: {_QUOTED.sub('…', str(error))}"[:200]


class PollingBot(ExtBot):
    """The bot, with getUpdates results parsed update by update (see the module's docstring)."""

    async def _post(self, endpoint: str, data: Any = None, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, data, **kwargs)
        if endpoint != "getUpdates" or not isinstance(result, list):
            return result
        kept = []
        for raw in result:
            if parse_update(raw, self) is not None:
                kept.append(raw)
            elif isinstance(raw, dict) and isinstance(raw.get("update_id"), int):
                kept.append({"update_id": raw["update_id"]})  # confirmed, but acted on by no one
        return kept
