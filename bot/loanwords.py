"""English words written in Devanagari ("पर्सनल", "प्रोफेशनल", "कंडक्ट"), found by sound.

Officers writing Hindi borrow English words freely and spell them in Devanagari, each in their
own way. No list of such spellings can be complete, so a Devanagari word the knowledge base
does not know is compared with the words it does know by a sound key: consonants folded into
classes both scripts share (क/c/k, ग/ज/g/j, श/स/s/sh, फ/f/ph, व/v/w), and every run of vowels
one "a", because English spells its vowels in ways Devanagari does not follow (पर्सनल and
"personal" both give "parsanal"). Pure functions; the matcher keeps the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from rapidfuzz.distance import Levenshtein

_VOWEL = "a"

# Devanagari (after bot.text.fold, which drops the nukta) by sound class. Aspirated and
# unaspirated, dental and retroflex fall together: English tells none of them apart. ह and the
# glide य carry no consonant of an English word ("ऑफिशियल", "official").
_CONSONANTS = {
    "क": "k", "ख": "k", "ग": "g", "घ": "g", "ङ": "n",
    "च": "c", "छ": "c", "ज": "g", "झ": "g", "ञ": "n",
    "ट": "t", "ठ": "t", "ड": "d", "ढ": "d", "ण": "n",
    "त": "t", "थ": "t", "द": "d", "ध": "d", "न": "n",
    "प": "p", "फ": "f", "ब": "b", "भ": "b", "म": "m",
    "र": "r", "ल": "l", "व": "v", "श": "s", "ष": "s", "स": "s",
}  # fmt: skip
_VIRAMA = "\u094d"
_ANUSVARA = "\u0902"  # the n of "conduct" (कंडक्ट) and the m of "complaint" (कंप्लेंट)
_VOWEL_SIGNS = {
    "अ": "a", "आ": "a", "\u093e": "a", "इ": "i", "ई": "i", "\u093f": "i", "\u0940": "i",
    "उ": "u", "ऊ": "u", "\u0941": "u", "\u0942": "u", "ऋ": "i", "\u0943": "i",
    "ए": "e", "ऐ": "e", "\u0947": "e", "\u0948": "e",
    "ओ": "o", "औ": "o", "ऑ": "o", "\u094b": "o", "\u094c": "o", "\u0949": "o",
}  # fmt: skip
_SPELT_VOWELS = frozenset("eiou")

# Latin spellings, longest first, rewritten to the same classes; y is a vowel, h is dropped.
_LATIN = {
    "tion": "san", "sion": "san", "ture": "car", "sch": "sk", "tch": "c", "ch": "c",
    "sh": "s", "ph": "f", "th": "t", "ck": "k", "qu": "k", "ce": "s", "ci": "s", "cy": "s",
    "mb": "nb", "mp": "np", "x": "ks", "c": "k", "q": "k", "j": "g", "z": "g", "w": "v",
    "y": "i", "h": "",
}  # fmt: skip
_LATIN_PATTERN = re.compile("|".join(sorted(_LATIN, key=len, reverse=True)) + "|.")


def devanagari_key(word: str) -> str:
    """The sound key of a folded Devanagari word."""
    return _key(_devanagari_sounds(word))


def latin_key(word: str) -> str:
    """The sound key of a lowercase Latin word, in the classes `devanagari_key` uses."""
    return _key(_latin_sounds(word))


def devanagari_spelling(word: str) -> str:
    """The word in the same classes with its vowels (a e i o u): for telling apart Latin words
    that share a key (पर्सनल is "personal" rather than "personnel")."""
    return _merge(_devanagari_sounds(word))


def latin_spelling(word: str) -> str:
    """A Latin word as `devanagari_spelling` gives a Devanagari one."""
    return _merge(_latin_sounds(word))


def _devanagari_sounds(word: str) -> Iterator[str]:
    for i, ch in enumerate(word):
        if ch in _CONSONANTS:
            yield _CONSONANTS[ch]
            following = word[i + 1] if i + 1 < len(word) else ""
            if following not in _VOWEL_SIGNS and following not in (_VIRAMA, _ANUSVARA):
                yield _VOWEL  # the consonant's own "a"
        elif ch == _ANUSVARA:
            yield "n"
        elif ch in _VOWEL_SIGNS:
            yield _VOWEL_SIGNS[ch]


def _latin_sounds(word: str) -> Iterator[str]:
    if len(word) > 3 and word.endswith("e") and word[-2] not in "aeiouc":
        word = word[:-1]  # a silent final "e" ("image", इमेज)
    for piece in _LATIN_PATTERN.findall(word):
        yield _LATIN.get(piece, piece)


def _key(sounds: Iterable[str]) -> str:
    """Sounds with every vowel as "a", merged."""
    return _merge(_VOWEL if sound in _SPELT_VOWELS else sound for sound in sounds)


def _merge(sounds: Iterable[str]) -> str:
    """Repeats merged ("ff", a vowel run) and a final vowel dropped: Hindi drops a word's last
    "a", and the Hindi stemmer its last vowel sign."""
    key: list[str] = []
    for sound in "".join(sounds):
        if not key or key[-1] != sound:
            key.append(sound)
    if key and key[-1] == _VOWEL:
        key.pop()
    return "".join(key)


class LoanwordTable:
    """Known Latin words by sound key, for Devanagari words the knowledge base does not know.

    Only keys of four consonants or more are kept: shorter ones collide with Hindi words too
    often (स्थित, "situated", sounds like "state"; रुल्स, "rules", like "reels"). Where words
    share a key, the one spelt closest wins, and none if two are equally close or the closest is
    still far: a wrong word is worse than none.
    """

    MIN_CONSONANTS = 4
    # At most a third of the letters differ when vowels are compared too: पर्सनल, "parsanal",
    # is two from "personal"; पीठासीन ("presiding") is three of seven from "petition".
    MAX_DISTANCE = 0.34

    def __init__(self, words: Iterable[tuple[str, str]]) -> None:
        """`words`: (a Latin spelling, the token it stands for)."""
        self._spellings: dict[str, dict[str, str]] = {}
        for spelling, token in words:
            key = latin_key(spelling)
            if _consonants(key) >= self.MIN_CONSONANTS:
                self._spellings.setdefault(key, {}).setdefault(latin_spelling(spelling), token)

    def get(self, devanagari: str) -> str | None:
        """The token a Devanagari word spells, if one is known and closest."""
        options = self._spellings.get(devanagari_key(devanagari))
        if not options:
            return None
        spelt = devanagari_spelling(devanagari)
        ranked = sorted(
            (Levenshtein.normalized_distance(spelt, spelling), token)
            for spelling, token in options.items()
        )
        distance, token = ranked[0]
        if distance > self.MAX_DISTANCE:
            return None
        if any(d == distance and t != token for d, t in ranked[1:]):
            return None
        return token


def _consonants(key: str) -> int:
    return sum(sound != _VOWEL for sound in key)
