"""The playground's explain panel: the matcher's own reasons, in words an admin can act on."""

from __future__ import annotations

import pytest

from bot.asker import Asker
from bot.evaluation import load_cases
from bot.matcher import Band
from bot.playground.explain import explain_message, failed_tests
from tests.conftest import EVAL_DIR


def questions() -> list[str]:
    files = [p for p in sorted(EVAL_DIR.glob("*.yaml")) if p.name != "bars.yaml"]
    return [case.q for path in files for case in load_cases(path)]


def test_the_reasons_agree_with_the_band_the_matcher_chose_on_every_evaluation_question(matcher):
    """The panel restates the matcher's band tests; if they drift apart, this fails."""
    disagreements = []
    for question in questions():
        match = matcher.match(question)
        ranked = matcher.rank(question, 5)
        if match.band is Band.VAGUE or not ranked:
            continue
        passes = not failed_tests(ranked, matcher.settings) and not matcher._is_off_topic(question)
        if passes != (match.band is Band.ANSWER):
            disagreements.append((question, match.band, failed_tests(ranked, matcher.settings)))
    assert disagreements == []


def test_a_near_tie_is_explained_by_its_words_candidates_and_the_margin(answerer):
    (one,) = explain_message(answerer, "emblem on my car", None)
    assert (one.band, one.band_name) == ("suggest", "did you mean")
    assert [w.token for w in one.words] == ["emblem", "vehicl"], "car is read as vehicle"
    assert all(w.known and w.weight > 0 for w in one.words)
    assert [c.entry_id for c in one.candidates[:2]] == [
        "official-vehicle-premises",
        "uniform-and-insignia",
    ]
    assert one.candidates[0].score == one.score
    assert any("margin 0.02" in reason for reason in one.reasons)
    assert one.thresholds["confident_score"] == answerer.matcher.settings.confident_score


def test_a_confident_answer_has_no_reasons_and_names_its_entry_and_verdict(answerer):
    (one,) = explain_message(answerer, "Can I post a reel from my official vehicle?", None)
    assert one.band == "answer" and one.reasons == ()
    assert (one.answer_id, one.verdict) == ("official-vehicle-premises", "not allowed")


def test_words_the_knowledge_base_never_saw_are_shown_as_counting_against(answerer):
    (one,) = explain_message(answerer, "how do I renew my passport", None)
    unknown = {w.token for w in one.words if not w.known}
    assert "renew" in unknown
    assert one.band != "answer" and one.reasons


@pytest.mark.parametrize(
    ("message", "asker", "service", "stated"),
    [
        ("I am UP Police, can I post reels in uniform?", None, "UP Police", True),
        ("can I post reels in uniform?", Asker(service="central"), "Central", False),
    ],
)
def test_the_service_and_language_it_answered_for_are_shown(
    answerer, message, asker, service, stated
):
    (one,) = explain_message(answerer, message, asker)
    assert one.service is not None and service in one.service
    assert one.service_stated is stated
    assert one.language == "en"
    assert "police" not in one.question.lower() or not stated, "the service words are taken out"


def test_a_message_asking_two_things_is_explained_question_by_question(answerer):
    found = explain_message(
        answerer, "can I post reels in uniform? and can I accept gifts from a shop?", None
    )
    assert len(found) == 2
    assert found[0].question != found[1].question
