"""Normalising what officers type into comparable tokens.

Officers write in English, Hinglish and Hindi in Devanagari, with typos, shorthand and emoji.
Everything the matcher compares goes through the same pipeline, so a phrasing in the knowledge
base and a question typed in a chat meet in the same form:

    fold (Unicode, case, punctuation, repeated letters, Devanagari spelling variants)
    -> words -> synonyms (phrases first; a base-form synonym also matches inflections)
    -> stem -> drop filler words

So "laptops" meets the synonym "laptop" and "गाड़ियों" meets "गाड़ी", while "posted as SDM"
keeps its own sense. Pure functions and one small class; no I/O and no Telegram.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Generic, TypeVar

# Zero-width and direction marks carry no meaning and break word boundaries.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
# Anything that is not a letter or digit separates words; Indic scripts' vowel signs and
# viramas are combining marks, not \w, so their blocks are kept whole ("वर्दी" stays one word).
_SEPARATORS = re.compile(r"[^\w\u0900-\u0dff]+|_+", re.UNICODE)
# "plzzzz", "sooooo": three or more of the same letter become two.
_REPEATS = re.compile(r"(\w)\1{2,}", re.UNICODE)

# Devanagari as people really type it: the nukta is often left out (ज़/ज, फ़/फ, ड़/ड),
# chandrabindu and anusvara are used interchangeably, long and short i/u are mixed up, and a
# nasal consonant with a virama is also written as an anusvara (हिन्दी/हिंदी). All are
# folded to one spelling, on both sides of a match.
_DEVANAGARI = str.maketrans(
    {
        "\u093c": None,  # nukta
        "\u0901": "\u0902",  # chandrabindu -> anusvara
        "\u0940": "\u093f",  # vowel sign ii -> i
        "\u0942": "\u0941",  # vowel sign uu -> u
        "\u0908": "\u0907",  # letter ii -> i
        "\u090a": "\u0909",  # letter uu -> u
        "\u0949": "\u094b",  # candra o (ॉ, as in फ़ॉलो) -> o
        "\u0911": "\u0913",  # candra O (ऑ) -> O
        "\u0964": " ",  # danda ends a sentence
        "\u0965": " ",
    }
)
_NASAL_VIRAMA = re.compile("[\u0919\u091e\u0923\u0928\u092e]\u094d(?=[\u0915-\u0939])")
# One search in C instead of a Python test per character: folding every phrasing is most of
# the time it takes to build an index.
_DEVANAGARI_CHAR = re.compile("[\u0900-\u097f]")


def fold(text: str) -> str:
    """Reduce text to lowercase words separated by single spaces.

    NFKC turns full-width and stylised letters (often pasted from other apps) into plain ones;
    casefold handles more than lower(); apostrophes are dropped so "don't" stays one word.
    """
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()
    text = text.replace("'", "").replace("\u2019", "")
    if _DEVANAGARI_CHAR.search(text):
        text = _NASAL_VIRAMA.sub("\u0902", text.translate(_DEVANAGARI))
    text = _SEPARATORS.sub(" ", text)
    text = _REPEATS.sub(r"\1\1", text)
    return " ".join(text.split())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip common inflections so "reels", "posting" and "posted" meet "reel" and "post",
    and "गाड़ियों", "गाड़ी" meet each other.

    Deliberately lighter than Porter/Snowball: those conflate "officer" with "office" and
    "policy" with "police", which this domain must tell apart. Short words and words in the
    keep-list are left alone; Devanagari words get a light Hindi suffix stripper.
    """
    if _is_devanagari(word):
        return _stem_hindi(word)
    if len(word) < 4 or word in _KEEP or not (word.isascii() and word.isalpha()):
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word[-2] in "siu":
                break  # business, status, analysis: the "s" is not a plural
            word = word[: -len(suffix)] + replacement
            if suffix in _VERB_ENDINGS and _SHORT_SYLLABLE.fullmatch(word):
                word += "e"  # hiding -> hide, voting -> vote, noting -> note, firing -> fire
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]  # share/sharing -> shar, office/offices -> offic
    if word.endswith("iz"):
        word = word[:-2] + "is"  # criticize -> criticis, like criticise
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # tagged -> tagg -> tag
    return word


_KEEP = frozenset({"news", "always", "series", "species", "means", "across", "this", "does"})
# A verb ending stripped down to one short syllable lost a silent "e": without it back,
# "hiding" would never meet "hide", "voting" "vote", "noting" would become the filler "not"
# and "firing" the police report "FIR".
_VERB_ENDINGS = frozenset({"ing", "ings", "ed"})
_SHORT_SYLLABLE = re.compile(r"[^aeiou][aeiou][^aeiouwxy]")
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ies", "y"),  # policies -> policy
    ("ied", "y"),  # verified -> verify
    ("ie", "y"),  # selfie -> selfy, like selfies
    ("sses", "ss"),
    ("ings", ""),
    ("ing", ""),  # posting -> post
    ("ed", ""),  # posted -> post
    ("es", "e"),  # shares -> share -> shar
    ("s", ""),
)

# Hindi plural, oblique, gender and first-person ("may I": डालूं, लगाऊं) endings, longest
# first, as they look after folding (long vowels folded to short): गाड़ियों -> गाड,
# तबादले -> तबादल, डालूं -> डाल, फोटो stays whole.
_HINDI_SUFFIXES = tuple(
    sorted(
        (
            "ियों", "ियां", "िया", "ाओं", "ाएं", "ाउं", "ाओ", "ाए", "ों", "ें", "ां", "िं",
            "ुं", "े", "ि", "ा", "ु",
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip


def _is_devanagari(word: str) -> bool:
    return bool(word) and "\u0900" <= word[0] <= "\u097f"


def is_devanagari(text: str) -> bool:
    """Whether a text is written in Devanagari, at least in part ("FB पे डाल दूँ?")."""
    return _DEVANAGARI_CHAR.search(text) is not None


def language_of(text: str) -> str:
    """The language to answer a question in, by its script: Hindi for Devanagari, else
    English (Hinglish, typed in Latin letters, is answered in English)."""
    return "hi" if is_devanagari(text) else "en"


def _stem_hindi(word: str) -> str:
    for suffix in _HINDI_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return fold(text).split()


T = TypeVar("T")


class PhraseIndex(Generic[T]):
    """Phrases (runs of words), each with a value, looked up by their first word: finding the
    ones a question contains costs a dictionary lookup per word of the question, not a scan of
    the question per phrase (every message is searched for every service's and off-topic
    phrase)."""

    def __init__(self, phrases: Iterable[tuple[Sequence[str], T]]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], int, T]]] = {}
        for order, (phrase, value) in enumerate(phrases):
            if phrase:
                self._by_first.setdefault(phrase[0], []).append((tuple(phrase), order, value))

    def found(self, tokens: Sequence[str]) -> Iterator[tuple[int, int, int, T]]:
        """(start, end, order, value) of each phrase where it occurs in `tokens`, `order`
        being the phrase's place among those given."""
        for start, token in enumerate(tokens):
            for phrase, order, value in self._by_first.get(token, ()):
                end = start + len(phrase)
                if tuple(tokens[start:end]) == phrase:
                    yield start, end, order, value


class Normaliser:
    """Applies the knowledge base's synonyms and filler words, then stems.

    A synonym written in its base form ("laptop", "gaadi") also matches its inflections
    ("laptops"); one written inflected ("posted as", "new posting") matches only as written,
    which is how a phrase picks the sense of a word from its neighbours ("posted as SDM" is a
    transfer, "post a reel" is not). Built once per knowledge base, phrases indexed by first
    word so a question is rewritten in one left-to-right pass, longest phrase first.
    """

    def __init__(self, synonyms: Mapping[str, str], ignore: Iterable[str] = ()) -> None:
        self._raw: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        self._stemmed: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        # A filler phrase ("social media") is dropped as a whole; its words alone still count
        # ("media" in "a TV media interview"). It comes first, so it wins over a synonym of
        # the same length.
        ignore = list(ignore)
        self._ignore = frozenset(
            stem(w) for item in ignore if len(words(item)) == 1 for w in words(item)
        )
        for phrase in (tuple(words(item)) for item in ignore):
            if len(phrase) > 1:
                self._raw.setdefault(phrase[0], []).append((phrase, ()))
        for variant, canonical in synonyms.items():
            raw = tuple(words(variant))
            target = stems(canonical)
            if not raw or raw == tuple(words(canonical)):
                continue  # "social-media" folds to its own canonical form: nothing to rewrite
            self._raw.setdefault(raw[0], []).append((raw, target))
            stemmed = tuple(stem(w) for w in raw)
            # Written in its base form, inflections match too: an English word whose stem is
            # itself ("laptop", not "liking"), and a Hindi word, which is always listed in its
            # dictionary form (योजना meets योजनाओं), unless its stem is a filler word (साथी,
            # a colleague, would turn every साथ, "with", into one).
            hindi = (
                stemmed != raw and all(map(_is_devanagari, raw)) and stemmed[-1] not in self._ignore
            )
            if stemmed == raw or hindi:
                self._stemmed.setdefault(stemmed[0], []).append((stemmed, target))
        for index in (self._raw, self._stemmed):
            for options in index.values():
                options.sort(key=lambda option: -len(option[0]))

    def tokens(self, text: str, *, keep_filler: bool = False) -> tuple[str, ...]:
        """The comparable tokens of a question or phrasing (filler words dropped unless kept)."""
        rewritten = self._apply_synonyms(tuple(words(text)))
        return tuple(t for t in rewritten if keep_filler or t not in self._ignore)

    def _apply_synonyms(self, raw: tuple[str, ...]) -> list[str]:
        stemmed = tuple(stem(w) for w in raw)
        result: list[str] = []
        i = 0
        while i < len(raw):
            found = _longest(self._raw.get(raw[i], ()), raw, i) or _longest(
                self._stemmed.get(stemmed[i], ()), stemmed, i
            )
            if found is None:
                result.append(stemmed[i])
                i += 1
            else:
                size, target = found
                result.extend(target)
                i += size
        return result


def _longest(
    options: Iterable[tuple[tuple[str, ...], tuple[str, ...]]], seq: tuple[str, ...], i: int
) -> tuple[int, tuple[str, ...]] | None:
    for variant, target in options:  # longest first
        if seq[i : i + len(variant)] == variant:
            return len(variant), target
    return None


def stems(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in words(text))


# --- finding the question in a message ------------------------------------------------------

# Officers often write the story first and the question last ("Sir, I am SHO of ..., yesterday
# ..., so can I ...?"). A message is cut into clauses; the ones that ask are the question, the
# others are context that may name the topic ("... with the jeep. Can I post it?").
_SENTENCE_END = re.compile(r"(?<=[?!])|[.।\n;]+")
_CLAUSE_END = re.compile(r"[,:]+")
# Words that open an English question, when they come first in a clause (after a greeting).
_OPENERS = frozenset(
    [
        "can",
        "could",
        "may",
        "might",
        "should",
        "shall",
        "would",
        "will",
        "is",
        "are",
        "am",
        "do",
        "does",
        "did",
        "how",
        "what",
        "whether",
        "which",
        "when",
        "why",
        "who",
        "where",
        "any",
    ]
)
# Words that make a clause a question wherever they stand (Hinglish and Hindi put the verb last).
_CUES = frozenset(
    fold(
        "allowed permitted permissible okay ok kya kyaa sakta sakte sakti skta skte sakti "
        "chahiye theek thik sahi kaise kaisa clarify क्या सकता सकते सकती चाहिए ठीक सही कैसे"
    ).split()
)
_LEAD_IN = frozenset(
    fold("sir madam maam mam ji please pls so and but then now also plus aur toh to").split()
)
# Where a second question starts inside one sentence: "... uniform and can I take gifts ..."
_JOINS = re.compile(
    r"\b(?:and|also|plus|aur|or)\s+(?=(?:can|may|should|is|kya|क्या)\b)|\s(?=और\s+क्या\s)",
    re.IGNORECASE,
)


def is_question(clause: str) -> bool:
    """Whether a clause asks: a question mark, an opening question word, or a cue word."""
    if clause.rstrip().endswith("?"):
        return True
    folded = words(clause)
    head = next((w for w in folded if w not in _LEAD_IN), "")
    return head in _OPENERS or any(w in _CUES for w in folded)


def clauses(message: str) -> list[tuple[str, bool]]:
    """The message's clauses, in order, each with whether it asks something."""
    found: list[tuple[str, bool]] = []
    for sentence in _SENTENCE_END.split(message):
        for clause in _CLAUSE_END.split(sentence):
            if fold(clause):
                found.append((clause.strip(), is_question(clause)))
    return found


def questions(message: str) -> list[str]:
    """The separate questions a message asks, in order: its asking sentences, also cut where
    "and can I", "aur kya" start a new one. A message that asks nothing is one question.

    The story told before a question stays with it ("We arrested a gang yesterday. Can I post
    their photos?"): alone, "can I post their photos?" names no topic. Story told after the
    last question belongs to that one."""
    asked: list[str] = []
    story: list[str] = []
    for sentence in _SENTENCE_END.split(message):
        for piece in _JOINS.split(sentence):
            if not fold(piece):
                continue
            if any(q for _, q in clauses(piece)):
                asked.append(" ".join([*story, piece.strip()]))
                story = []
            else:
                story.append(piece.strip() + ".")  # the full stop the split took
    if asked and story:
        asked[-1] = " ".join([asked[-1], *story])
    return asked or [message]


# --- what a question asks for -----------------------------------------------------------------

# A verdict answers "may I?". "What is the punishment for ...", "which rule covers gifts",
# "rule 9 kya kehta hai" ask for information: they get the rule without a verdict headline.
_PERMISSION = re.compile(
    r"\b(can|could|may|should|shall)\s+(i|we|a|an|my|our|officers?|employees?|staff|one|"
    r"govt|government|teachers?|police|cops?)\b|\b(allowed|permitted|permissible|permission|"
    r"ok|okay|fine|alright|theek|thik|sahi|chalega|sakta|sakte|sakti|skta|skte|dikkat|"
    r"problem|wrong|rule against|am i|is it|is this|is that)\b|"
    r"सकता|सकते|सकती|सकूं|ठीक|अनुमति|चलेगा|दिक्कत",
    re.IGNORECASE,
)
_INFORMATION = re.compile(
    r"\b(punishment|penalty|penalties|what happens|which rules?|what rules?|what does|"
    r"what do|kya kehta|kya kehte|kya kehti|explain|apply to|applies to|does .{1,40} apply|"
    r"under which|how serious|saza|sazaa|what is the|what are the|difference between)\b|"
    r"सजा|दंड|क्या कहता|क्या कहते|कौन सा नियम|कौन से नियम|लागू",
    re.IGNORECASE,
)


def asks_for_information(question: str) -> bool:
    """Whether a question asks what a rule says or what follows, rather than whether the
    officer may do something: it gets the rule, without a verdict headline."""
    text = " ".join(question.split())
    return bool(_INFORMATION.search(text)) and not _PERMISSION.search(text)


_GREETINGS = frozenset(
    fold(
        "hi hii hello helo hey hlo namaste namaskar namaskaar pranam ram ram jai hind good "
        "morning evening afternoon sir madam ji there bot नमस्ते नमस्कार प्रणाम राम जय हिंद सर जी"
    ).split()
)


def is_greeting(text: str) -> bool:
    """ "hello", "namaste sir", "good morning ji": a greeting and nothing more."""
    said = words(text)
    return bool(said) and len(said) <= 4 and all(w in _GREETINGS for w in said)
