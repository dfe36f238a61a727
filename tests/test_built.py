"""The built knowledge base kept between runs (bot.built): used when the files are the same,
never when one has changed, and rebuilt when the kept copy is damaged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.built import build
from bot.config import MatchSettings
from bot.knowledge import KnowledgeError

QUESTION = "can I post a reel from my official vehicle?"


def kept(cache: Path) -> list[Path]:
    return sorted(cache.glob("knowledge-*.pickle"))


def test_the_same_files_are_read_back_and_answer_the_same(knowledge_copy, tmp_path):
    cache = tmp_path / "cache"
    first = build(knowledge_copy, (), MatchSettings(), cache)
    (copy,) = kept(cache)
    assert oct(copy.stat().st_mode & 0o777) == "0o600" and oct(cache.stat().st_mode)[-3:] == "700"
    again = build(knowledge_copy, (), MatchSettings(), cache)
    assert again is not first and kept(cache) == [copy]
    for question in (QUESTION, "वर्दी में रील", "emblem on my car", "how do I renew my passport"):
        one, two = first.ask(question), again.ask(question)
        assert (one.band, one.entry, one.verdict) == (two.band, two.entry, two.verdict)


def test_an_edit_or_another_setting_builds_afresh(knowledge_copy, tmp_path):
    cache = tmp_path / "cache"
    before = build(knowledge_copy, (), MatchSettings(), cache)
    assert before.ask(QUESTION).entry is not None
    rules = knowledge_copy / "rules-resources-and-image.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(
        text.replace("title: Official vehicles", "title: Government vehicles"), encoding="utf-8"
    )
    after = build(knowledge_copy, (), MatchSettings(), cache)
    assert after.ask(QUESTION).entry.title.startswith("Government vehicles")
    build(knowledge_copy, (), MatchSettings(confident_score=0.5), cache)
    assert len(kept(cache)) == 3


def test_an_invalid_edit_is_refused_as_ever_and_a_damaged_copy_is_rebuilt(knowledge_copy, tmp_path):
    cache = tmp_path / "cache"
    build(knowledge_copy, (), MatchSettings(), cache)
    (copy,) = kept(cache)
    copy.write_bytes(b"not a pickle at all")
    assert build(knowledge_copy, (), MatchSettings(), cache).ask(QUESTION).entry is not None
    assert copy.read_bytes() != b"not a pickle at all", "replaced by a good one"
    (knowledge_copy / "concerns.yaml").write_text("entries: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        build(knowledge_copy, (), MatchSettings(), cache)


def test_ask_keeps_its_build_in_cache_dir_and_answers_the_same_from_it(tmp_path):
    env = {**os.environ, "CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "bot", "ask", QUESTION]
    first = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert len(kept(tmp_path / "cache")) == 1
    second = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert second.stdout == first.stdout and first.stdout.startswith("⛔ Not allowed")
