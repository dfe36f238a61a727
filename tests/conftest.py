"""Shared fixtures: the bundled knowledge base and throwaway copies of it to break."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from bot.answering import Answerer
from bot.config import Settings
from bot.emulator import BotAPIEmulator
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.matcher import Matcher
from tests.process_harness import BOT, TOKEN

# Tests neither read nor fill the user's cache of built knowledge bases: they keep their own,
# for this run only (the bot processes they start inherit it; tests/test_built.py tests the
# cache itself in folders of its own).
os.environ["CACHE_DIR"] = tempfile.mkdtemp(prefix="conduct-bot-tests-cache-")
atexit.register(shutil.rmtree, os.environ["CACHE_DIR"], ignore_errors=True)

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT / "tests" / "eval"
KNOWLEDGE_DIR = Settings.from_env().knowledge_dir  # KNOWLEDGE_DIR, else the bundled one


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge(KNOWLEDGE_DIR)


@pytest.fixture(scope="session")
def matcher(kb: KnowledgeBase) -> Matcher:
    return Matcher(kb)


@pytest.fixture(scope="session")
def answerer(kb: KnowledgeBase, matcher: Matcher) -> Answerer:
    return Answerer(kb, matcher)


@pytest.fixture
async def emulator():
    """A Bot API emulator for the bot process tests (test_emulator.py has its own)."""
    async with BotAPIEmulator(TOKEN, bot_username=BOT) as running_emulator:
        yield running_emulator


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled knowledge base, for tests that edit or break it."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target
