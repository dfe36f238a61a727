"""Matching: the three bands, typo tolerance, bounds and determinism."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import MatchSettings
from bot.matcher import Band, Matcher


def test_the_flagship_question_gets_the_vehicle_rule(matcher):
    match = matcher.match("Can I post a reel from my official vehicle?")
    assert match.band is Band.ANSWER
    assert match.entry.id == "official-vehicle-premises"


def test_overview_question_is_answered_confidently(matcher):
    match = matcher.match("What are the ethical concerns about social media for officers?")
    assert (match.band, match.entry.id) == (Band.ANSWER, "overview-concerns")


def test_typos_shorthand_and_hinglish_reach_the_same_answer(matcher):
    for question in (
        "can i make reel in sarkari gaadi",
        "reeel frm my oficial vehicl?",
        "kya main government car ke saath reel bana sakta hu",
    ):
        match = matcher.match(question)
        assert match.entry is not None and match.entry.id == "official-vehicle-premises", question


def test_out_of_scope_questions_get_no_confident_answer(matcher):
    for question in ("How do I renew my passport?", "hello", "qwertyuiop", "best biryani in town"):
        assert not matcher.match(question).confident, question


def test_unknown_and_empty_input_is_the_none_band(matcher):
    for question in ("", "   ", "🙂🙂🙂", "?", "zzzz qqqq"):
        match = matcher.match(question)
        assert (match.band, match.candidates, match.entry) == (Band.NONE, (), None), question


def test_an_unsure_match_offers_at_most_three_choices(matcher):
    strict = Matcher(matcher.kb, replace(MatchSettings(), confident_score=0.99, sure_score=1.0))
    match = strict.match("can I post photos in uniform from the fair")
    assert match.band is Band.SUGGEST
    assert 1 <= len(match.candidates) <= 3
    order = [c.preference for c in match.candidates]
    assert order == sorted(order, reverse=True)


def test_thresholds_come_from_settings(matcher):
    lenient = Matcher(matcher.kb, replace(MatchSettings(), suggest_score=0.0))
    assert lenient.match("uniform").candidates
    nothing = Matcher(matcher.kb, replace(MatchSettings(), suggest_score=1.01))
    assert nothing.match("Can I post a reel from my official vehicle?").band is Band.NONE


def test_discriminating_words_outweigh_common_ones(matcher):
    # "post" and "social media" are everywhere; "uniform" decides.
    match = matcher.match("can I post on social media in uniform")
    assert match.entry is not None and match.entry.id == "uniform-and-insignia"


def test_long_input_is_bounded_and_still_answered(matcher):
    question = "Can I post a reel from my official vehicle? " + "blah " * 2000
    assert len(question) > 10_000
    match = matcher.match(question)
    assert match.entry is not None and match.entry.id == "official-vehicle-premises"
    huge = "x" * 10_000
    assert matcher.match(huge).band is Band.NONE


def test_matching_is_deterministic(matcher):
    first = [matcher.match(q) for q in ("can I post photos", "uniform", "youtube")]
    again = [matcher.match(q) for q in ("can I post photos", "uniform", "youtube")]
    assert first == again


def test_rank_returns_up_to_limit_best_first(matcher):
    ranked = matcher.rank("vehicle uniform selfie", limit=10)
    assert 1 < len(ranked) <= 10
    order = [c.preference for c in ranked]
    assert order == sorted(order, reverse=True)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_matching_never_raises_on_any_string(matcher, text):
    match = matcher.match(text)
    assert match.band in Band
    assert 0.0 <= match.score <= 1.0
    assert len(match.candidates) <= 3


STORIES = {
    "Can I post a reel from my official vehicle?": "Sir, I am SHO of a rural thana near "
    "Barabanki and yesterday after the flood relief work my driver filmed me with the jeep. "
    "Can I post a reel from my official vehicle?",
    "can i share the fir of a pocso case": "Good morning. Our station registered a case last "
    "night, the reporters are calling again and again and my SP is on leave, so can i share "
    "the fir of a pocso case?",
    "क्या मैं वर्दी में रील बना सकता हूं?": "मैं बलिया जिले में तैनात हूं, कल थाने में "
    "कार्यक्रम था और सबने वीडियो बनाए, क्या मैं वर्दी में रील बना सकता हूं?",
}


def test_a_long_message_is_answered_as_its_question_alone(matcher):
    for question, story in STORIES.items():
        alone, told = matcher.match(question), matcher.match(story)
        assert told.confident and told.entry == alone.entry, story


def test_a_question_that_names_no_topic_but_follows_a_story_takes_its_topic_from_it(matcher):
    match = matcher.match("My driver filmed me getting out of the official jeep. Can I post it?")
    assert match.entry is not None and match.entry.id == "official-vehicle-premises"


def test_each_of_two_questions_keeps_the_story_told_before_it(matcher):
    answers = matcher.match_each(
        "We arrested a gang of chain snatchers yesterday. Can I post their photos? Also one "
        "of the victims was a 15 year old girl, can her face be shown if blurred?"
    )
    assert [a.entry.id if a.confident and a.entry else None for a in answers] == [
        "ongoing-cases",
        "victim-and-child-identity",
    ]


def test_words_with_two_senses_are_told_apart_by_their_neighbours(matcher):
    transfer = matcher.match("I got posted as SDM of Sadar, can I announce it before the order?")
    assert transfer.entry is not None and transfer.entry.id == "premature-announcements"
    assert "appointment" in transfer.normalised
    assert "direct" in matcher.normalise("can i share a citizen's DMs")
    assert "district" in matcher.normalise("our DM sahab posted a reel")
    # where one serves, told as a story, is not a transfer; being sent somewhere is
    for story in ("I am posted in Ballia", "Ballia mein posted hu", "मैं बलिया में तैनात हूं"):
        assert "appointment" not in matcher.normalise(story), story
    assert "appointment" in matcher.normalise("I got posted to Ballia")


def test_real_words_are_not_corrected_into_other_words(matcher):
    assert "contract" in matcher.normalise("can i praise the contract firm")
    assert matcher.normalise("reeel frm my oficial vehicl") == matcher.normalise(
        "reel from my official vehicle"
    )
    assert "sdm" in matcher.normalise("sdms"), "a plural of a short word the entries know"


def test_english_words_typed_in_devanagari_are_read_as_the_english_words(matcher):
    # No list has every spelling: "मिसइंफोर्मेशन" and "प्रोफेशनल" are matched by sound
    assert matcher.normalise("मिसइंफोर्मेशन वाली पोस्ट") == matcher.normalise(
        "misinformation wali post"
    )
    assert "professional" in matcher.normalise("प्रोफेशनल अकाउंट")
    assert "personal" in matcher.normalise("पर्सनल अकाउंट"), "not 'personnel' or 'personally'"
    answer = matcher.match("मिसइंफोर्मेशन वाली पोस्ट फॉरवर्ड कर सकते हैं?")
    assert answer.confident and answer.entry is not None
    assert answer.entry.id == "misinformation-bias"
    # a Hindi word that only sounds like a short English one stays itself: स्थित ("situated")
    # is not "state", रुल्स ("rules") not "reels", पीठासीन ("presiding") not "petition"
    for hindi, english in (("स्थित", "state"), ("रुल्स", "reel"), ("पीठासीन", "petition")):
        assert matcher.normalise(hindi) != matcher.normalise(english), hindi


def test_validate_warns_about_a_question_that_belongs_to_another_entry(knowledge_copy, capsys):
    from bot.cli import main

    rules = knowledge_copy / "rules-accounts.yaml"
    text = rules.read_text(encoding="utf-8").replace(
        '      - "best way to run the office\'s handle"',
        '      - "best way to run the office\'s handle"\n'
        '      - "can i post a reel from my official vehicle with the beacon"',
    )
    rules.write_text(text, encoding="utf-8")
    assert main(["validate", str(knowledge_copy)]) == 0
    out = capsys.readouterr().out
    assert "can i post a reel from my official vehicle with the beacon" in out
    assert "closer to 'official-vehicle-premises'" in out


def test_an_off_topic_phrase_declines_only_when_it_is_what_is_asked(matcher):
    # "sign up", "install" and "income tax" are on the off-topic list: a question about them
    # is not one the bot answers...
    for question in ("how to file income tax return", "how do i sign up for instagram"):
        assert not matcher.match(question).confident, question
    # ...but in a question an entry explains almost wholly, the phrase is an aside.
    asides = {
        "can i sign up to twitter with my nic email id": "duty-hours-and-devices",
        "I'm an income tax inspector with a cooking channel. Can I turn on monetisation?": (
            "monetised-content"
        ),
    }
    for question, expected in asides.items():
        match = matcher.match(question)
        assert match.entry is not None and match.entry.id == expected, question


def test_whether_the_order_is_out_decides_between_announcing_early_and_ones_own_news(matcher):
    # "before it is notified" once read as "notified" (an order that is out), and "is out"
    # weighed no more than any "after": the two situations have opposite verdicts. "Yet to
    # be notified" read as "yet to" and "notified", and offered the farewell post as allowed.
    early = (
        "sharing the news of my transfer before it is notified",
        "my transfer is yet to be notified, can I post a farewell?",
        "abhi order nahi aaya, fb pe transfer ki khabar daal du?",
        "आदेश आने से पहले नई तैनाती की खबर डाल दूं?",
    )
    out = (
        "my transfer order is out, can i post about my new posting",
        "promotion order aa gaya, facebook pe daal du?",
        "मेरा तबादला आदेश जारी हो गया है, क्या नई तैनाती की पोस्ट डाल सकता हूं?",
    )
    for questions, expected in ((early, "premature-announcements"), (out, "own-posting-news")):
        for question in questions:
            match = matcher.match(question)
            assert match.entry is not None and match.entry.id == expected, question


def test_one_word_two_entries_share_is_no_lead_however_well_it_matches(matcher):
    # "delete" is a keyword of correcting a post and of moderating comments: asked alone, it
    # is asked which was meant rather than answered "allowed" for whichever scores higher.
    bare = matcher.match("should I delete it now?")
    assert not bare.confident
    assert {c.entry.id for c in bare.candidates} >= {
        "correcting-mistakes",
        "blocking-and-moderation",
    }
    told = matcher.match("I posted wrong figures by mistake, should I delete the post?")
    assert told.entry is not None and told.entry.id == "correcting-mistakes"


def test_of_two_entries_that_match_about_as_well_the_one_the_words_point_to_is_answered(matcher):
    """On the score alone a video or a reel in uniform nearly ties with a uniform profile
    picture (the first was even answered as one); how often their words come up in each
    entry's phrasings tells them apart."""
    blind = Matcher(matcher.kb, replace(matcher.settings, likelihood_weight=0.0))
    for question in (
        "can I upload a video of my passing out parade in uniform",
        "can I post a reel in uniform at the passing out parade",
    ):
        before = blind.match(question)
        assert before.entry is None or before.entry.id != "uniform-and-insignia", question
        match = matcher.match(question)
        assert match.entry is not None and match.entry.id == "uniform-and-insignia", question
        assert match.candidates[0].likely > 0.5
