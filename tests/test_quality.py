"""The regression guard: matching quality on both evaluation sets must stay above the bars.

An admin who edits the knowledge base runs this (it is part of the suite) and learns at once
if a change made answers worse. The bars are those the project committed to.
"""

from __future__ import annotations

import pytest

from bot.evaluation import evaluate, load_cases, summarise
from bot.text import fold
from tests.conftest import EVAL_DIR

SETS = {
    "dev": EVAL_DIR / "dev.yaml",
    "own": EVAL_DIR / "own.yaml",
}


@pytest.mark.parametrize("name", SETS)
def test_matching_quality_stays_above_the_bars(answerer, name):
    summary = summarise(evaluate(answerer, load_cases(SETS[name])))
    assert summary.confident_correct >= 0.92, summary
    assert summary.confident_wrong <= 0.03, summary
    assert summary.out_of_scope_declined >= 0.90, summary
    assert summary.right_in_candidates >= 0.98, summary


def test_own_set_is_large_and_covers_every_entry(kb):
    cases = load_cases(SETS["own"])
    in_scope = [c for c in cases if c.expect]
    assert len(in_scope) >= 150
    assert len(cases) - len(in_scope) >= 20
    named = {i for c in in_scope for i in c.expect}
    assert [e.id for e in kb.entries if e.id not in named] == []


def test_own_set_is_not_a_copy_of_the_knowledge_base(kb):
    """The set measures generalisation only if its phrasings are not the entries' own."""
    phrasings = {fold(q) for e in kb.entries for q in e.questions}
    copies = [c.q for c in load_cases(SETS["own"]) if fold(c.q) in phrasings]
    assert copies == []


def test_no_phrasing_is_copied_from_the_shared_development_set(kb):
    dev = {fold(c.q) for c in load_cases(SETS["dev"])}
    copies = [q for e in kb.entries for q in e.questions if fold(q) in dev]
    assert copies == []


def test_independent_set_does_not_get_worse(answerer):
    """Phrasings by an author who never saw the knowledge base: below the bars today, so the
    guard holds the line at today's figures (raise them as the vocabulary grows)."""
    cases = load_cases(EVAL_DIR / "independent.yaml")
    summary = summarise(evaluate(answerer, cases))
    assert summary.confident_correct >= 0.73, summary
    assert summary.confident_wrong <= 0.035, summary
    assert summary.out_of_scope_declined >= 0.90, summary
    assert summary.right_in_candidates >= 0.94, summary
