"""Verdicts for the asker's own service, on the bundled knowledge base."""

from __future__ import annotations

import pytest

from bot.asker import Asker
from bot.knowledge import VERDICTS
from bot.verdicts import DEPENDS, headline, rule_for, verdicts_by_service


def test_every_rule_gives_every_service_a_verdict_from_the_vocabulary(kb):
    for entry in kb.of_kind("rule"):
        assert set(verdicts_by_service(entry, kb).values()) <= set(VERDICTS), entry.id
        assert rule_for(entry, kb, None).verdict in VERDICTS, entry.id
        # the matcher compares headlines; they must be the ones the answer shows
        for service in (None, *(s.id for s in kb.services)):
            assert headline(entry, service) == rule_for(entry, kb, service).verdict, entry.id


def test_concerns_guidelines_overviews_and_information_carry_no_verdict(kb):
    for kind in ("concern", "guideline", "overview", "info"):
        for entry in kb.of_kind(kind):
            assert rule_for(entry, kb, None).verdict is None, entry.id
            assert rule_for(entry, kb, "central").verdict is None, entry.id


def test_an_unknown_service_gets_depends_with_every_differing_line(kb):
    ruling = rule_for(kb.get("uniform-and-insignia"), kb, None)
    assert ruling.verdict == DEPENDS
    assert {d.service.id for d in ruling.differs} == {"up-police", "maharashtra", "crpf"}
    assert all(d.verdict == "not allowed" for d in ruling.differs)


def test_a_known_service_gets_its_own_line_or_the_entrys_verdict(kb):
    rss = kb.get("organisations-and-rss")
    central = rule_for(rss, kb, "central")
    assert central.verdict == "allowed with care" and "9 July 2024" in (central.note or "")
    assert rule_for(rss, kb, "up-state").verdict == DEPENDS
    duty = kb.get("duty-hours-and-devices")
    assert rule_for(duty, kb, "up-police").verdict == "not allowed"
    other = rule_for(duty, kb, "other-state")
    assert other.verdict == "allowed with care" and other.general and "mirror" in other.note


def test_the_service_in_the_question_wins_over_the_one_chosen_before(answerer):
    question = "I am IPS, can I appear on a TV debate?"
    answer = answerer.ask(question, Asker(service="up-state"))
    assert (answer.service.id, answer.service_stated) == ("ais", True)
    assert answer.verdict == DEPENDS  # AIS rule 6 is uncertain: no firm verdict
    chosen = answerer.ask("can I appear on a TV debate?", Asker(service="up-state"))
    assert (chosen.verdict, chosen.service_stated) == ("only with permission", False)


@pytest.mark.parametrize(
    "message",
    [
        "क्या मैं ड्यूटी के दौरान फेसबुक चला सकता हूँ? मैं यूपी पुलिस में सिपाही हूँ।",
        "I am a constable in UP Police. Can I use Facebook on duty?",
        "UP Police constable hoon. duty pe facebook chala sakta hu?",
    ],
)
def test_a_sentence_that_only_says_who_asks_sets_the_service_and_leaves_the_question(
    answerer, message
):
    answer = answerer.ask(message)
    assert answer.service is not None and answer.service.id == "up-police"
    assert answer.entry is not None and answer.entry.id == "duty-hours-and-devices"
    assert answer.verdict == "not allowed"  # the UP Police policy's own line


@pytest.mark.parametrize(
    ("message", "service", "verdict"),
    [
        (
            "I am a talathi in Maharashtra. Can I put my designation in my Facebook bio?",
            "maharashtra",
            "not allowed",  # the Maharashtra GR bars designations in personal posts
        ),
        (
            "I'm a deputy collector with the Maharashtra govt. Can I put my designation in my bio?",
            "maharashtra",
            "not allowed",
        ),
        (
            "मैं बिहार में शिक्षक हूँ, क्या मैं अपने फेसबुक बायो में पद लिख सकता हूँ?",
            "other-state",
            "allowed with care",
        ),
        (
            "UP mein BDO hoon, kya main TV interview de sakta hoon?",
            "up-state",
            "only with permission",  # the UP civil-services circular of June 2024
        ),
        (
            "sir UP me BEO hu, kya main TV debate mein ja sakta hu?",
            "up-state",
            "only with permission",
        ),
    ],
)
def test_a_state_post_said_with_its_state_names_the_service(answerer, message, service, verdict):
    answer = answerer.ask(message)
    assert answer.service is not None and answer.service.id == service
    assert answer.verdict == verdict


@pytest.mark.parametrize(
    "message",
    ["I have to pick up the teacher today, can I post it?", "up ke BDO ne kya post kiya?"],
)
def test_a_post_and_a_state_that_do_not_say_who_asks_set_no_service(answerer, message):
    assert answerer.ask(message).service is None


def test_a_service_word_naming_a_document_does_not_set_the_service(answerer):
    answer = answerer.ask("what does the UP Police social media policy say?")
    assert answer.service is None
    assert answer.entry is not None and answer.entry.id == "social-media-policy"


def test_generic_words_alone_never_get_a_verdict(answerer):
    for question in (
        "can I post?",
        "can i post on facebook",
        "photo daal du?",
        "is this ok?",
        "kya main share kar sakta hoon",
        "can I tag them",
        "upload video?",
    ):
        answer = answerer.ask(question)
        assert not answer.match.confident and answer.verdict is None, question


def test_a_question_about_what_a_rule_says_gets_the_rule_without_a_verdict(answerer):
    asked = answerer.ask("What is the punishment for revealing a rape victim's name online?")
    assert asked.entry is not None and asked.entry.id == "victim-and-child-identity"
    assert asked.verdict is None
    may_i = answerer.ask("Can I reveal a rape victim's name online?")
    assert may_i.verdict == "not allowed"


def test_a_near_tie_is_answered_when_both_entries_tell_this_asker_the_same(answerer):
    """Speaking at a private webinar sits between media appearances and teaching. For UP Police
    both need permission, so the officer gets that answer; for central staff the two differ
    (permission for media, "depends" for teaching), so the bot asks which was meant."""
    question = "a private academy invited me to a webinar, may I go?"
    up_police = answerer.ask(question, Asker(service="up-police"))
    assert up_police.match.confident and up_police.verdict == "only with permission"
    for service in ("central", None):
        unsure = answerer.ask(question, Asker(service=service))
        assert not unsure.match.confident and unsure.verdict is None, service
        ids = {c.entry.id for c in unsure.match.candidates}
        assert {"writing-and-media", "teaching-and-webinars"} <= ids, service


def test_asking_whether_one_may_have_an_account_at_all_gets_a_verdict(answerer):
    """A new officer's first question: yes, with care (not an informational page with no
    headline). Official work from that account depends on the department, except where an
    order settles it (Maharashtra requires separate accounts)."""
    own = answerer.ask("can a government employee keep a personal instagram account?")
    assert own.entry is not None and own.entry.id == "keeping-a-personal-account"
    assert own.verdict == "allowed with care"
    question = "can I post department updates from my personal account?"
    anyone = answerer.ask(question)
    assert anyone.entry is not None and anyone.entry.id == "official-work-on-personal-account"
    assert anyone.verdict == DEPENDS
    assert answerer.ask(question, Asker(service="maharashtra")).verdict == "not allowed"
