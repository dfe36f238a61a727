"""The knowledge base being served, and the one way to replace it.

Readers take `snapshot` once per question and use only that, so a reload (which builds a
complete new knowledge base and matcher, then swaps one reference) never changes anything
under a question in flight; a reload that fails validation leaves the old snapshot serving.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.answering import Answerer
from bot.built import build
from bot.config import MatchSettings, Settings
from bot.knowledge import KnowledgeDiff

Snapshot = Answerer  # one knowledge base with everything built to answer from it


class AnswerService:
    def __init__(
        self,
        knowledge_dir: Path,
        settings: MatchSettings | None = None,
        extra_files: Callable[[], Iterable[Path]] = tuple,
        *,
        built: Snapshot | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        """`extra_files` is asked on every load: admins' phrasings may appear while running.
        `built`: a snapshot already built from these files, to start from (a snapshot never
        changes, so many bots may share one; each reload builds its own)."""
        self.knowledge_dir = Path(knowledge_dir)
        self.settings = settings or MatchSettings()
        self.extra_files = extra_files
        self.cache_dir = cache_dir
        self._lock = threading.Lock()  # one reload at a time; readers never wait
        self._snapshot = built or self._build()

    @classmethod
    def from_settings(cls, settings: Settings) -> AnswerService:
        """The bot's knowledge base: the configured folder, the admins' learned phrasings, the
        matching settings and the cache of built knowledge bases."""
        learned = settings.learned_phrasings
        return cls(
            settings.knowledge_dir, settings.match, lambda: [learned], cache_dir=settings.cache_dir
        )

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def reload(self) -> KnowledgeDiff:
        """Load and validate again; swap in on success. Raises KnowledgeError, keeping the old."""
        with self._lock:
            fresh = self._build()
            diff = self._snapshot.kb.diff(fresh.kb)
            self._snapshot = fresh
            return diff

    def _build(self) -> Snapshot:
        return build(self.knowledge_dir, self.extra_files(), self.settings, self.cache_dir)
