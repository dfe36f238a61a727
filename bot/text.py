"""Normalising what officers type into comparable tokens.

Officers write in English, Hinglish and chat shorthand, with typos and emoji. Everything the
matcher compares goes through the same pipeline, so a phrasing in the knowledge base and a
question typed in a chat meet in the same form:

    fold (Unicode, case, punctuation, repeated letters) -> words -> synonyms (phrases first)
    -> drop filler words -> light stemming

Pure functions and one small class; no I/O and no Telegram.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

# Zero-width and direction marks carry no meaning and break word boundaries.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
# Anything that is not a letter or digit separates words; Indic scripts' vowel signs and
# viramas are combining marks, not \w, so their blocks are kept whole ("वर्दी" stays one word).
_SEPARATORS = re.compile(r"[^\w\u0900-\u0dff]+|_+", re.UNICODE)
# "plzzzz", "sooooo": three or more of the same letter become two.
_REPEATS = re.compile(r"(\w)\1{2,}", re.UNICODE)


def fold(text: str) -> str:
    """Reduce text to lowercase words separated by single spaces.

    NFKC turns full-width and stylised letters (often pasted from other apps) into plain ones;
    casefold handles more than lower(); apostrophes are dropped so "don't" stays one word.
    """
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()
    text = text.replace("'", "").replace("\u2019", "")
    text = _SEPARATORS.sub(" ", text)
    text = _REPEATS.sub(r"\1\1", text)
    return " ".join(text.split())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip common English inflections so "reels", "posting" and "posted" meet "reel" and "post".

    Deliberately lighter than Porter/Snowball: those conflate "officer" with "office" and
    "policy" with "police", which this domain must tell apart. Short words, words in the
    keep-list and non-ASCII words (Hindi in Devanagari, emoji) are left alone.
    """
    if len(word) < 4 or word in _KEEP or not (word.isascii() and word.isalpha()):
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word[-2] in "siu":
                break  # business, status, analysis: the "s" is not a plural
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]  # share/sharing -> shar, office/offices -> offic
    if word.endswith("iz"):
        word = word[:-2] + "is"  # criticize -> criticis, like criticise
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # tagged -> tagg -> tag
    return word


_KEEP = frozenset({"news", "always", "series", "species", "means", "across", "this", "does"})
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


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return fold(text).split()


class Normaliser:
    """Applies the knowledge base's synonyms and filler words, then stems.

    Built once per knowledge base: synonym phrases are indexed by their first word so that
    a question is rewritten in one left-to-right pass, longest phrase first.
    """

    def __init__(self, synonyms: Mapping[str, str], ignore: Iterable[str] = ()) -> None:
        self._phrases: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for variant, canonical in synonyms.items():
            variant_words = tuple(words(variant))
            if not variant_words:
                continue
            target = tuple(words(canonical))
            self._phrases.setdefault(variant_words[0], []).append((variant_words, target))
        for options in self._phrases.values():
            options.sort(key=lambda option: -len(option[0]))
        self._ignore = frozenset(w for item in ignore for w in words(item))

    def tokens(self, text: str, *, keep_filler: bool = False) -> tuple[str, ...]:
        """The comparable tokens of a question or phrasing (filler words dropped unless kept)."""
        rewritten = self._apply_synonyms(words(text))
        return tuple(stem(w) for w in rewritten if keep_filler or w not in self._ignore)

    def _apply_synonyms(self, source: list[str]) -> list[str]:
        result: list[str] = []
        i = 0
        while i < len(source):
            for variant, target in self._phrases.get(source[i], ()):
                if tuple(source[i : i + len(variant)]) == variant:
                    result.extend(target)
                    i += len(variant)
                    break
            else:
                result.append(source[i])
                i += 1
        return result
