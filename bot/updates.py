"""Taking updates from Telegram so that none stops the bot, none is lost and none waits long.

python-telegram-bot's Updater polls getUpdates, puts what it gets on the Application's queue
and confirms it with the next poll (offset = last id + 1). Left at that:

- One update the library cannot parse (a field in a newer or older Bot API shape, a date past
  the year 9999) makes the whole batch fail to parse; the offset never moves past it, and
  polling asks for the same batch again and again: the classic offset loop. Here each update
  is parsed on its own; one that fails is logged once (its update_id and the reason, never
  its content, which is other people's messages) and replaced by an empty update with the
  same id, which no handler acts on, so it is confirmed like any other.
- Everything waiting is fetched (100 at a time, batch after batch) and confirmed at once,
  but answered at ~30 a second: SIGKILL loses all of it, and SIGTERM has to answer all of it
  before exiting. Here a batch is at most what the bot answers in a few seconds
  (`updates_per_fetch`), and the next one is fetched (which confirms this one) only once this
  one is answered, or after `FETCH_PATIENCE` when a few replies are held up by Telegram's
  flood limits. On SIGTERM, `UpdatesInHand.stop` gives what is in hand a deadline; whatever
  is not answered by then is stopped and left unconfirmed, so the next start answers it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ExtBot, SimpleUpdateProcessor

logger = logging.getLogger(__name__)

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
# Seconds to wait for a batch to be answered before fetching the next all the same: a reply
# held by a flood wait (a group's 20 a minute) must not hold up everyone else for long.
FETCH_PATIENCE = 5.0
# Seconds for the last getUpdates at stop, which confirms what was answered.
CONFIRM_TIMEOUT = 3.0


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


class UpdatesInHand(SimpleUpdateProcessor):
    """python-telegram-bot's update processor, which also knows what is in hand.

    The Application puts every update it takes on `update_queue` and marks it done once
    handled, so `settled` (the queue joined) means everything taken has been answered. After
    `stop`, what is still being answered at the deadline is cancelled and what has not begun
    is skipped; their ids are kept in `left`, so that polling does not confirm them.
    """

    def __init__(self, max_concurrent_updates: int, update_queue: asyncio.Queue) -> None:
        super().__init__(max_concurrent_updates)
        self.update_queue = update_queue
        self.stopping = False
        self.left: set[int] = set()
        self._gave_up = False
        self._running: set[asyncio.Task[Any]] = set()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self._gave_up:
            coroutine.close()  # type: ignore[attr-defined]
            self._leave(update)
            return
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        try:
            await coroutine
        except asyncio.CancelledError:
            if self._gave_up:
                self._leave(update)
            raise
        finally:
            self._running.discard(task)

    async def settled(self, within: float | None = None) -> None:
        """Until every update taken has been answered (or `within` seconds have passed)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.update_queue.join(), within)

    def stop(self, deadline: float) -> None:
        """Fetch no more; what is in hand gets `deadline` seconds to be answered."""
        self.stopping = True
        asyncio.get_running_loop().call_later(deadline, self._give_up, deadline)

    def _give_up(self, deadline: float) -> None:
        if self._running:
            logger.warning(
                "%d replies still in progress %.0fs after the stop signal: stopping them",
                len(self._running),
                deadline,
            )
        self._gave_up = True
        for task in self._running:
            task.cancel()

    def _leave(self, update: object) -> None:
        update_id = getattr(update, "update_id", None)
        if isinstance(update_id, int):
            self.left.add(update_id)


class PollingBot(ExtBot):
    """The bot, taking updates as the module's docstring says.

    A subclass, because python-telegram-bot parses a batch in `get_updates` and offers no
    hook there; it extends `_post` the way its own ExtBot extends `_do_post` (rate limits).
    """

    def __init__(
        self, *args: Any, in_hand: UpdatesInHand, updates_per_fetch: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._in_hand = in_hand  # a Bot is frozen after __init__, but for "_" attributes
        self._updates_per_fetch = updates_per_fetch
        self._own_requests = [
            r for r in (kwargs.get("request"), kwargs.get("get_updates_request")) if r
        ]

    async def initialize(self) -> None:
        """As the library's, but a start that fails (no network, a rejected token) also closes
        the HTTP sessions it opened: the Application shuts down only what started."""
        try:
            await super().initialize()
        except BaseException:
            await asyncio.gather(*(request.shutdown() for request in self._own_requests))
            raise

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: Any = None,  # noqa: ASYNC109 (Bot.get_updates's own signature)
        allowed_updates: Any = None,
        **kwargs: Any,
    ) -> tuple[Update, ...]:
        in_hand = self._in_hand
        if not in_hand.stopping:
            await in_hand.settled(FETCH_PATIENCE)  # the next batch confirms this one
            limit = limit or self._updates_per_fetch
            try:
                return await super().get_updates(offset, limit, timeout, allowed_updates, **kwargs)
            except TelegramError:
                if in_hand.stopping:  # the poll was cut short by the stop: nothing was taken
                    return ()
                raise
        # The Updater's last call, after the stop signal: confirm what was answered, no more.
        await in_hand.settled()  # bounded: the processor gives up at the deadline
        if in_hand.left:
            first = min(in_hand.left)
            offset = first if offset is None else min(offset, first)
            logger.warning(
                "left %d updates unconfirmed at Telegram; the next start answers them",
                len(in_hand.left),
            )
        try:
            return await asyncio.wait_for(
                super().get_updates(offset, 1, 0, allowed_updates, **kwargs), CONFIRM_TIMEOUT
            )
        except (TimeoutError, TelegramError) as error:
            logger.warning(
                "could not confirm the answered updates (%s); they may come again",
                type(error).__name__,
            )
            return ()

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
