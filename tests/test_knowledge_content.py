"""What the knowledge base says, checked against the project's rules for content.

Facts come from the reference sheet: each source says whom it binds, uncertain facts stay
hedged, and figures that belong to one service are never shown as another's.
"""

from __future__ import annotations

import re

import pytest

# Every source line opens by saying whom it binds, or that it is a case or good practice.
BINDING = re.compile(
    r"^(For (central staff( abroad)?|AIS officers|UP Police|UP state staff|CRPF|"
    r"Maharashtra staff|everyone \(law\)|government offices|government staff in elections|"
    r"UP Police, CRPF and Maharashtra staff): |Case: |Good practice \()"
)


def texts(entry) -> list[str]:
    lines = [entry.title, entry.answer, entry.why or "", *entry.examples, *entry.do_instead]
    lines += [line.note for line in entry.services.values()]
    return lines


def test_every_source_says_whom_it_binds(kb):
    unlabelled = [(e.id, s) for e in kb.entries for s in e.sources if not BINDING.match(s)]
    assert unlabelled == []


def test_the_model_answer_is_cited_as_good_practice_not_as_an_authority(kb):
    for entry in kb.entries:
        for source in entry.sources:
            if "model answer" in source.lower():
                assert source.startswith("Good practice"), (entry.id, source)


def test_gift_limits_are_labelled_as_ccs_figures_and_ais_limits_as_unchecked(kb):
    limits = kb.get("gift-limits")
    assert "CCS" in limits.answer and "₹25,000" in limits.answer
    assert "not checked" in limits.services["ais"].note
    for entry in kb.entries:
        for text in texts(entry):
            if "₹" in text and "AIS" in text:
                pytest.fail(f"{entry.id}: rupee figures beside an AIS rule: {text}")


@pytest.mark.parametrize(
    ("mention", "hedge"),
    [
        ("rule 6", r"uncertain"),  # AIS rule 6: [U] in the sheet
        ("Kerala", r"report|suspended"),  # the channel refusal is [L]; suspensions are [V]
    ],
)
def test_uncertain_facts_stay_hedged(kb, mention, hedge):
    for entry in kb.entries:
        for text in texts(entry):
            if mention in text:
                assert re.search(hedge, text), (entry.id, text)


def test_the_up_police_weapons_bar_is_reported_not_settled(kb):
    """The sheet marks "no displaying weapons" in the UP Police policy as likely, not verified."""
    said = [t for e in kb.entries for t in texts(e) + list(e.sources) if "weapon" in t.lower()]
    about_up_police = [t for t in said if "UP Police" in t or "2023" in t]
    assert about_up_police and all("report" in t for t in about_up_police), about_up_police


def test_rule_19_sanction_is_stated_with_care(kb):
    """CCS rule 19's content is only likely in the sheet: never stated as settled."""
    official = kb.get("defending-official-acts")
    assert "generally" in official.answer and "not checked" in official.answer
    assert official.verdict == "only with permission"


def test_split_entries_name_the_entry_they_came_from(kb):
    for entry in kb.entries:
        if entry.split_from:
            parent = kb.get(entry.split_from)
            assert parent is not None and parent is not entry, entry.id


def test_every_entry_has_hindi_beside_its_english(kb):
    missing = [e.id for e in kb.entries if e.hi is None or not (e.hi.title and e.hi.answer)]
    assert missing == []
    for entry in kb.entries:
        for name in ("examples", "do_instead", "sources"):
            assert len(getattr(entry.hi, name)) == len(getattr(entry, name)), (entry.id, name)
        for service, line in entry.services.items():
            assert line.note_hi, (entry.id, service)


def test_every_rule_number_section_date_and_amount_is_the_same_in_both_texts(kb):
    """The loader refuses a knowledge base where they differ; this walks every field to show
    it holds for the bundled one, and that the comparison reads Devanagari digits too."""
    from bot.knowledge.hindi import _pairs, numbers

    assert numbers("नियम १३, ₹25,000") == numbers("rule 13, ₹25,000")
    compared = 0
    for entry in kb.entries:
        for name, english, hindi in _pairs(entry):
            assert numbers(english) == numbers(hindi), (entry.id, name)
            compared += bool(numbers(english))
    assert compared > 100


def test_a_number_changed_in_the_hindi_is_refused_with_file_and_entry(knowledge_copy):
    from bot.knowledge import KnowledgeError, load_knowledge

    rules = knowledge_copy / "rules-money-and-influence.yaml"
    text = rules.read_text(encoding="utf-8")
    assert "₹25,000 (ग्रुप ए)" in text or "₹25,000" in text
    rules.write_text(text.replace("₹25,000", "₹50,000", 2).replace("₹50,000", "₹25,000", 1))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(knowledge_copy)
    problems = [str(p) for p in caught.value.problems]
    assert any("[gift-limits]" in p and "the Hindi has the numbers" in p for p in problems)


def test_every_situation_can_be_asked_in_devanagari(kb):
    """Officers write Hindi in Devanagari too: each rule has at least three such questions, so
    one unusual spelling is not the only way in."""
    devanagari = re.compile(r"[\u0900-\u097F]")
    short = {
        e.id: n
        for e in kb.entries
        if e.kind == "rule" and (n := sum(bool(devanagari.search(q)) for q in e.questions)) < 3
    }
    assert short == {}
