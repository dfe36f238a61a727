"""Reloading the knowledge base when its files change (`conduct-bot run --watch`) or on SIGHUP.

Polling the files' sizes and modification times once a second is enough for a dozen files
edited by hand, needs no dependency and works on every filesystem, including bind mounts
into containers where change notifications often never arrive.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.knowledge import KnowledgeBase, KnowledgeError
from bot.service import AnswerService

logger = logging.getLogger(__name__)

Signature = tuple[tuple[str, int, int], ...]


def signature(paths: Iterable[Path]) -> Signature:
    """What changes when a file is edited, added or removed."""
    found = []
    for path in sorted(paths):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def watched_files(service: AnswerService) -> list[Path]:
    return [*service.knowledge_dir.glob("*.yaml"), *service.extra_files()]


def log_warnings(kb: KnowledgeBase) -> None:
    """Admins' learned phrasings that were left out, one line each (see load_knowledge)."""
    for problem in kb.warnings:
        logger.warning("learned phrasing left out: %s", problem)


def reload_and_log(service: AnswerService, reason: str) -> bool:
    """Reload; a bad edit is logged with every problem and the old knowledge keeps serving."""
    try:
        diff = service.reload()
    except KnowledgeError as error:
        logger.error(
            "reload (%s) failed, still serving the previous knowledge base:\n%s",
            reason,
            error.report(),
        )
        return False
    logger.info(
        "reloaded (%s): %d entries; added %s, removed %s, changed %s",
        reason,
        len(service.snapshot.kb.entries),
        list(diff.added),
        list(diff.removed),
        list(diff.changed),
    )
    log_warnings(service.snapshot.kb)
    return True


class FileWatch:
    """The knowledge files (and admins' learned phrasings) as last seen, to tell a change."""

    def __init__(self, service: AnswerService) -> None:
        self.service = service
        self._seen = signature(watched_files(service))
        where = ", ".join(sorted({str(p.parent) for p in watched_files(service)}))
        logger.info("watching %d knowledge files for changes in %s", len(self._seen), where)

    def changed(self) -> bool:
        current = signature(watched_files(self.service))
        if current == self._seen:
            return False
        self._seen = current
        return True


async def watch(
    service: AnswerService,
    interval: float,
    on_change: Callable[[AnswerService, str], bool] = reload_and_log,
) -> None:
    """Run until cancelled: reload whenever the watched files change (the playground's loop;
    the bot checks the same way from python-telegram-bot's JobQueue)."""
    files = FileWatch(service)
    while True:
        await asyncio.sleep(interval)
        if files.changed():
            await asyncio.to_thread(on_change, service, "files changed")
