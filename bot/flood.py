"""Per-user flood control: one user cannot starve the others.

A sliding window per user: up to `limit` updates per `window` seconds are handled; the first
one over the limit gets a polite "slow down", and the rest are dropped silently until the
window has room again. Plain Python, no Telegram: the handler layer decides what to send.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import StrEnum


class Pace(StrEnum):
    """What to do with a user's next update (named apart from an entry's verdict)."""

    ALLOW = "allow"
    WARN = "warn"  # over the limit for the first time in this stretch: say "slow down" once
    DROP = "drop"  # still over the limit: stay silent


class FloodGuard:
    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_users: int = 100_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_users = max_users  # memory stays bounded under a flood of new accounts
        self._seen: dict[int, deque[float]] = {}
        self._warned: set[int] = set()

    def check(self, user_id: int) -> Pace:
        if self.limit <= 0:
            return Pace.ALLOW
        now = self._clock()
        times = self._seen.get(user_id)
        if times is None:
            if len(self._seen) >= self._max_users:
                self._forget_idle(now)
            times = self._seen[user_id] = deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self._warned.discard(user_id)
            return Pace.ALLOW
        if user_id in self._warned:
            return Pace.DROP
        self._warned.add(user_id)
        return Pace.WARN

    def _forget_idle(self, now: float) -> None:
        idle = [u for u, t in self._seen.items() if not t or now - t[-1] >= self.window]
        for user in idle or list(self._seen)[: len(self._seen) // 2]:
            self._seen.pop(user, None)
            self._warned.discard(user)
