"""Shared fixtures: the bundled knowledge base and throwaway copies of it to break."""

from __future__ import annotations

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


def pytest_configure(config: pytest.Config) -> None:
    """Tests neither read nor fill the user's cache of built knowledge bases: the run keeps
    its own, shared by its xdist workers and the bot processes they start (they inherit the
    environment) and removed at the end. tests/test_built.py tests the cache in folders of
    its own."""
    if "PYTEST_XDIST_WORKER" in os.environ:
        return  # a worker: the run's folder is already in the environment
    folder = tempfile.mkdtemp(prefix="conduct-bot-tests-cache-")
    os.environ["CACHE_DIR"] = folder
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


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
