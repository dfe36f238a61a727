"""A built knowledge base kept on disk, so that a command starts without parsing and indexing.

Reading the YAML and building the matcher's index take most of `conduct-bot ask`'s time and
of the bot's start (about 90 ms each on a small machine); reading back what they built takes
a few. The copy is keyed by the bytes of every knowledge file and learned-phrasings file, the
matching settings and the code that builds it, so an edit, a new setting or an upgrade builds
afresh. It lives in the user's cache folder, private to them (a pickle is code to whoever can
write it); a cache that cannot be read or written is not used, and says so at DEBUG.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Iterable
from pathlib import Path

from bot.answering import Answerer
from bot.config import MatchSettings
from bot.files import private_directory, write_whole
from bot.knowledge import load_knowledge
from bot.matcher import Matcher

logger = logging.getLogger(__name__)

KEPT = 4  # built copies kept: the bundled knowledge base, an admin's working copy, ...
_PREFIX = "knowledge-"
# The code whose output is kept: a change to any of it makes every kept copy stale.
_BUILDERS = ("answering.py", "asker.py", "matcher.py", "text.py", "verdicts.py", "knowledge")


def build(
    knowledge_dir: Path,
    extra_files: Iterable[Path],
    settings: MatchSettings,
    cache_dir: Path | None,
) -> Answerer:
    """The knowledge base in `knowledge_dir` (plus admins' phrasings), loaded and indexed, or
    read back from `cache_dir` when these very files were built before. Raises KnowledgeError
    like load_knowledge (an invalid knowledge base is never kept)."""
    extra = [p for p in extra_files if p.exists()]
    if cache_dir is None:
        return _build(knowledge_dir, extra, settings)
    path = cache_dir / f"{_PREFIX}{_key(knowledge_dir, extra, settings)}.pickle"
    kept = _read(path)
    if kept is not None:
        return kept
    built = _build(knowledge_dir, extra, settings)
    _write(path, built)
    return built


def _build(knowledge_dir: Path, extra: list[Path], settings: MatchSettings) -> Answerer:
    kb = load_knowledge(knowledge_dir, extra)
    return Answerer(kb, Matcher(kb, settings))


def _key(knowledge_dir: Path, extra: list[Path], settings: MatchSettings) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr(settings).encode())
    for path in (*sorted(Path(knowledge_dir).glob("*.yaml")), *extra, *_code()):
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"(unreadable)")  # load_knowledge will say what is wrong
    return digest.hexdigest()


def _code() -> list[Path]:
    package = Path(__file__).parent
    found: list[Path] = []
    for name in _BUILDERS:
        target = package / name
        found += sorted(target.glob("*.py")) if target.is_dir() else [target]
    return found


def _read(path: Path) -> Answerer | None:
    try:
        with path.open("rb") as file:
            kept = pickle.load(file)
    except FileNotFoundError:
        return None
    except Exception as error:  # a torn or foreign file: build afresh (and replace it)
        logger.debug("cannot read the built knowledge base %s: %s", path, error)
        return None
    return kept if isinstance(kept, Answerer) else None


def _write(path: Path, built: Answerer) -> None:
    try:
        private_directory(path.parent)
        write_whole(path, pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))
        stale = sorted(
            path.parent.glob(f"{_PREFIX}*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in stale[KEPT:]:
            old.unlink(missing_ok=True)
    except OSError as error:
        logger.debug("cannot keep the built knowledge base in %s: %s", path.parent, error)
