"""Normalisation: what officers type becomes the same tokens as the knowledge base's phrasings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text import Normaliser, fold, stem


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Can I post a REEL?!", "can i post a reel"),
        ("pleeeease   tell", "pleease tell"),
        ("don't", "dont"),
        ("gov\u200bt car", "govt car"),  # zero-width space pasted from another app
        ("\uff26\uff55\uff4c\uff4c width", "full width"),  # full-width letters
        ("reel_in-uniform", "reel in uniform"),
        ("👮‍♂️ uniform 🚓", "uniform"),
        ("वर्दी में रील?", "वर्दि में रिल"),  # long and short vowels folded alike
        ("", ""),
    ],
)
def test_fold(typed, folded):
    assert fold(typed) == folded


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        ("reels", "reel"),
        ("posting", "post"),
        ("posted", "post"),
        ("policies", "policy"),
        ("selfies", "selfy"),
        ("selfie", "selfy"),
        ("criticising", "criticis"),
        ("criticize", "criticis"),
        ("sharing", "shar"),
        ("share", "shar"),
        ("news", "news"),
        ("business", "business"),
    ],
)
def test_stem_joins_inflections(word, stemmed):
    assert stem(word) == stemmed


@pytest.mark.parametrize(
    ("typed", "same_as"),
    [
        ("गाड़ी", "गाडी"),  # nukta left out
        ("फ़ोटो", "फोटो"),
        ("हिन्दी", "हिंदी"),  # nasal consonant with virama, or anusvara
        ("पहुँच", "पहुंच"),  # chandrabindu or anusvara
        ("पुलीस", "पुलिस"),  # long or short vowel
        ("फ़ॉलो", "फोलो"),
    ],
)
def test_devanagari_spelling_variants_fold_alike(typed, same_as):
    assert fold(typed) == fold(same_as)


@pytest.mark.parametrize(
    ("inflected", "base"),
    [
        ("गाड़ियों", "गाड़ी"),
        ("तबादले", "तबादला"),
        ("शिकायतें", "शिकायत"),
        ("वर्दियों", "वर्दी"),
        # "may I ...": सुधारूं, डालूँ, लगाऊं meet सुधार, डाल, लगा
        ("सुधारूं", "सुधार"),
        ("डालूँ", "डाल"),
        ("लगाऊं", "लगा"),
    ],
)
def test_hindi_plural_oblique_and_first_person_endings_meet_the_base_word(inflected, base):
    assert stem(fold(inflected)) == stem(fold(base))


def test_a_synonym_in_its_base_form_also_matches_inflections_but_a_phrase_keeps_its_sense():
    normaliser = Normaliser(
        {"laptop": "computer", "posted as": "appointment", "gaadi": "vehicle"}, ignore=["a"]
    )
    assert normaliser.tokens("laptops") == normaliser.tokens("computer")
    assert normaliser.tokens("posted as SDM") == ("appointment", "sdm")
    assert normaliser.tokens("post as a guest") == ("post", "as", "guest")


def test_a_hindi_synonym_matches_its_plural_and_oblique_forms_but_not_a_filler_stem():
    normaliser = Normaliser(
        {"योजना": "scheme", "गाड़ी": "vehicle", "साथी": "colleague", "तैनाती": "appointment"},
        ignore=["साथ", "की", "तैनात हूं"],
    )
    assert normaliser.tokens("योजनाओं की गाड़ियों") == normaliser.tokens("scheme vehicle")
    assert normaliser.tokens("साथी") == normaliser.tokens("colleague")
    assert normaliser.tokens("साथ") == (), "साथ is 'with', not a colleague"
    # a word of a filler phrase is no filler on its own: "तैनात हूं" is, "तैनात" is not
    assert normaliser.tokens("तैनात") == normaliser.tokens("appointment")
    assert normaliser.tokens("तैनात हूं") == ()


@pytest.mark.parametrize(
    ("inflected", "base"),
    [("hiding", "hide"), ("voting", "vote"), ("noting", "note"), ("firing", "fire")],
)
def test_a_short_verb_keeps_its_silent_e(inflected, base):
    """ "hiding comments" must meet "hide comments", and "file noting" must not lose "noting"
    as the filler "not", nor "firing practice" turn into a police FIR."""
    assert stem(inflected) == stem(base)


def test_the_silent_e_comes_back_only_where_one_was_lost():
    assert stem("firing") != stem("FIR".lower())
    assert stem("asked") == "ask" and stem("added") == "add"


def test_stem_keeps_office_officer_and_police_policy_apart():
    assert stem("officer") != stem("office")
    assert stem("police") != stem("policy")


def test_synonyms_prefer_the_longest_phrase_and_ignore_fillers():
    normaliser = Normaliser(
        {"sarkari gaadi": "official vehicle", "gaadi": "vehicle", "insta": "instagram"},
        ignore=["kya", "main", "pe", "sakta", "hu", "a"],
    )
    assert normaliser.tokens("Kya main sarkari gaadi pe insta reel bana sakta hu?") == (
        "official",
        "vehicl",
        "instagram",
        "reel",
        "bana",
    )
    assert normaliser.tokens("a gaadi") == normaliser.tokens("vehicles")


def test_bundled_synonyms_cover_shorthand_and_hinglish(kb):
    normaliser = Normaliser(kb.synonyms, kb.ignore)
    assert normaliser.tokens("can i post abt my promotion b4 the order") == normaliser.tokens(
        "can I post about my promotion before the order"
    )
    assert normaliser.tokens("vardi") == normaliser.tokens("uniform")
    assert normaliser.tokens("sarkari gaadi") == normaliser.tokens("official vehicle")
    # English words typed in Devanagari meet the English phrasings
    assert normaliser.tokens("ग्रुप एडमिन का मैसेज") == normaliser.tokens("group admin message")
    # "like" is filler ("I would like to"), but liking a post is what is asked about
    assert normaliser.tokens("liking a party post") == normaliser.tokens("लाइक पार्टी पोस्ट")
    assert "react" not in normaliser.tokens("i would like to post a photo")
    # everyday Hindi words of a question meet the words the entries use in English
    assert normaliser.tokens("थानेदार हूं, उपनाम से पेज") == normaliser.tokens("SHO, pseudonym page")
    assert normaliser.tokens("ग्रुप में जोड़ दिया, छोड़ दूं?") == normaliser.tokens("group added, leave?")


@given(st.text(max_size=300))
def test_normalising_never_raises_and_gives_plain_tokens(text):
    tokens = Normaliser({"a b": "c"}, ["d"]).tokens(text)
    assert all(token and " " not in token for token in tokens)
