"""The regression guard: every evaluation set keeps the bars in tests/eval/bars.yaml.

It measures the knowledge base the settings name (KNOWLEDGE_DIR, else the bundled one), so
an admin checking an edited folder is told about that folder; `conduct-bot eval --check
tests/eval/bars.yaml --knowledge DIR` says the same from the command line.
"""

from __future__ import annotations

from bot.evaluation import check_bars, load_cases
from bot.text import fold
from tests.conftest import EVAL_DIR

SETS = {
    "dev": EVAL_DIR / "dev.yaml",
    "own": EVAL_DIR / "own.yaml",
}
BARS = EVAL_DIR / "bars.yaml"


def test_every_evaluation_set_keeps_its_bars(answerer):
    """The same check an admin runs: conduct-bot eval --check tests/eval/bars.yaml."""
    missed = [str(bar) for bar in check_bars(answerer, BARS) if not bar.kept]
    assert missed == []


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
