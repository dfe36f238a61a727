"""The playground's explain panel: the matcher's own reasons, in words an admin can act on."""

from __future__ import annotations

import pytest

from bot.asker import Asker
from bot.evaluation import load_cases
from bot.playground.explain import explain_message
from tests.conftest import EVAL_DIR


def questions() -> list[str]:
    files = [p for p in sorted(EVAL_DIR.glob("*.yaml")) if p.name != "bars.yaml"]
    return [case.q for path in files for case in load_cases(path)]


def test_every_answer_short_of_confident_gives_a_reason_and_a_confident_one_none(answerer):
    """Over every evaluation question: an admin looking at a "did you mean" or an "I don't
    know" is always told which test failed, and a confident answer is never given one."""
    unexplained, contradicted = [], []
    for question in questions():
        for one in explain_message(answerer, question, None):
            if one.band == "answer" and one.reasons:
                contradicted.append((question, one.reasons))
            if one.band != "answer" and not one.reasons:
                unexplained.append((question, one.band))
    assert unexplained == [] and contradicted == []


def test_a_did_you_mean_is_never_explained_as_an_i_dont_know(answerer):
    """Candidates are ordered by preference, so the first may score less than another: the
    explanation judges the floors on the strongest score, as the matcher does."""
    mismatched = [
        (question, one.reasons)
        for question in questions()
        for one in explain_message(answerer, question, None)
        if one.band == "suggest" and any("hint_score" in r for r in one.reasons)
    ]
    assert mismatched == []


def test_words_are_read_as_the_matcher_reads_them(answerer):
    (one,) = explain_message(answerer, "emblem on my car", None)
    assert [w.token for w in one.words] == ["emblem", "vehicl"], "car is read as vehicle"
    assert all(w.known and w.weight > 0 for w in one.words)
    assert one.candidates[0].score == one.score
    assert one.thresholds["confident_score"] == answerer.matcher.settings.confident_score


def test_a_near_tie_names_the_runner_up_and_the_lead_between_them(answerer):
    tie = next(
        one
        for question in questions()
        for one in explain_message(answerer, question, None)
        if one.band == "suggest" and any("by only" in r for r in one.reasons)
    )
    first, second = tie.candidates[:2]
    reason = next(r for r in tie.reasons if "by only" in r)
    assert f"'{second.entry_id}' by only {first.preference - second.preference:.3f}" in reason
    assert tie.band_name == "did you mean"


def test_a_weak_match_is_explained_as_too_weak_to_offer_choices(answerer):
    weak = next(
        one
        for question in questions()
        for one in explain_message(answerer, question, None)
        if one.band == "none" and one.score >= one.thresholds["suggest_score"]
    )
    assert weak.score < weak.thresholds["hint_score"]
    assert "hint_score" in weak.reasons[0]


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
