"""Matching a question to knowledge-base entries, in three bands.

A question is normalised (bot.text), its misspelt words are corrected against the knowledge
base's own vocabulary with rapidfuzz, and every entry that shares a word with it is scored.
Words are weighted by how well they discriminate between entries (BM25's inverse document
frequency over entries), so "vehicle" decides a match and "post" or "social media" barely
count. Two views are blended:

- phrasing: the weighted overlap (cosine) with the entry's single closest phrasing (its
  questions, title and keywords), which rewards a question asked the way an entry expects;
- coverage: the share of the question's weight that the entry's whole vocabulary explains,
  which lets a new phrasing combine words from several of the entry's phrasings.

Words the knowledge base has never seen keep their weight in the question, so "how do I renew
my passport" cannot look like a confident match just because "my" and "I" are common.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.config import MatchSettings
from bot.knowledge import Entry, KnowledgeBase
from bot.text import Normaliser


class Band(StrEnum):
    """How sure the matcher is: answer, offer choices ("did you mean"), or admit it doesn't know."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    NONE = "none"


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float


@dataclass(frozen=True)
class Match:
    """The outcome for one question.

    `candidates` are the best entries, best first (the answer itself in the ANSWER band,
    the "did you mean" choices in the SUGGEST band, none in the NONE band); `entry` is set
    only when the matcher is confident.
    """

    question: str
    normalised: str
    band: Band
    score: float
    candidates: tuple[Candidate, ...]

    @property
    def confident(self) -> bool:
        return self.band is Band.ANSWER

    @property
    def entry(self) -> Entry | None:
        return self.candidates[0].entry if self.confident else None


@dataclass(frozen=True)
class _Phrasing:
    entry: int
    weights: dict[str, float]
    norm: float  # square root of the phrasing's total weight


class Matcher:
    """An index over one knowledge base. Build once per knowledge base; `match` is thread-safe."""

    def __init__(self, kb: KnowledgeBase, settings: MatchSettings | None = None) -> None:
        self.kb = kb
        self.settings = settings or MatchSettings()
        self._normaliser = Normaliser(kb.synonyms, kb.ignore)
        token_sets = [self._entry_phrasings(entry) for entry in kb.entries]
        self._idf = _idf(token_sets)
        self._unknown_weight = max(self._idf.values(), default=1.0)
        self._vocabulary = sorted(self._idf)
        self._bags: list[frozenset[str]] = [frozenset().union(*p) for p in token_sets]
        self._postings: dict[str, list[int]] = defaultdict(list)
        for index, bag in enumerate(self._bags):
            for token in bag:
                self._postings[token].append(index)
        self._phrasings: list[list[_Phrasing]] = [
            [self._phrasing(index, tokens) for tokens in phrasings if tokens]
            for index, phrasings in enumerate(token_sets)
        ]
        self._correct = lru_cache(maxsize=16384)(self._correct_uncached)

    # -- building --------------------------------------------------------------------------

    def _entry_phrasings(self, entry: Entry) -> list[frozenset[str]]:
        texts = (*entry.questions, entry.title, *entry.keywords)
        return [frozenset(self._normaliser.tokens(text)) for text in texts]

    def _phrasing(self, entry: int, tokens: frozenset[str]) -> _Phrasing:
        weights = {t: self._idf[t] for t in tokens}
        return _Phrasing(entry, weights, math.sqrt(sum(weights.values())))

    # -- matching --------------------------------------------------------------------------

    def normalise(self, question: str) -> tuple[str, ...]:
        """The question's tokens after bounding, normalisation and typo correction."""
        bounded = question[: self.settings.max_question_chars]
        tokens = dict.fromkeys(self._normaliser.tokens(bounded))  # ordered, no repeats
        return tuple(dict.fromkeys(self._correct(t) for t in tokens))

    def rank(self, question: str, limit: int = 10) -> list[Candidate]:
        """Entries by descending score (ties by id, so results never depend on dict order)."""
        return self._rank(self.normalise(question), limit)

    def match(self, question: str) -> Match:
        tokens = self.normalise(question)
        ranked = self._rank(tokens, max(self.settings.max_candidates, 2))
        band = self._band(ranked)
        shown = [] if band is Band.NONE else ranked[: self.settings.max_candidates]
        return Match(
            question=question,
            normalised=" ".join(tokens),
            band=band,
            score=ranked[0].score if ranked else 0.0,
            candidates=tuple(c for c in shown if c.score >= self.settings.suggest_score),
        )

    def _band(self, ranked: Sequence[Candidate]) -> Band:
        s = self.settings
        if not ranked or ranked[0].score < s.suggest_score:
            return Band.NONE
        best = ranked[0].score
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        if best >= s.confident_score and (best - runner_up >= s.margin or best >= s.sure_score):
            return Band.ANSWER
        return Band.SUGGEST

    def _rank(self, tokens: Sequence[str], limit: int) -> list[Candidate]:
        weights = {t: self._idf.get(t, self._unknown_weight) for t in tokens}
        total = sum(weights.values())
        if total <= 0:
            return []
        coverage: dict[int, float] = defaultdict(float)
        for token in tokens:
            for index in self._postings.get(token, ()):
                coverage[index] += weights[token]
        blend = self.settings.phrasing_weight
        scored: list[Candidate] = []
        for index, covered in coverage.items():
            phrasing = max(
                (_cosine(weights, total, p) for p in self._phrasings[index]), default=0.0
            )
            score = blend * phrasing + (1 - blend) * covered / total
            scored.append(Candidate(self.kb.entries[index], round(score, 4)))
        scored.sort(key=lambda c: (-c.score, c.entry.id))
        return scored[:limit]

    def _correct_uncached(self, token: str) -> str:
        """Map a word the knowledge base does not know to the closest one it does, if close.

        One edit is allowed in words of 4 to 7 letters and two in longer ones; shorter words
        and numbers are never corrected (too many accidental neighbours).
        """
        if token in self._idf or len(token) < 4 or token.isdigit():
            return token
        allowed = 1 if len(token) < 8 else 2
        best = process.extractOne(
            token, self._vocabulary, scorer=Levenshtein.distance, score_cutoff=allowed
        )
        return best[0] if best else token


def _cosine(query: dict[str, float], query_total: float, phrasing: _Phrasing) -> float:
    shared = sum(w for t, w in query.items() if t in phrasing.weights)
    return shared / (math.sqrt(query_total) * phrasing.norm) if shared else 0.0


def _idf(token_sets: Sequence[Sequence[frozenset[str]]]) -> dict[str, float]:
    """BM25's inverse document frequency, counting entries (not phrasings) as documents."""
    entries = len(token_sets)
    frequency: dict[str, int] = defaultdict(int)
    for phrasings in token_sets:
        for token in frozenset().union(*phrasings):
            frequency[token] += 1
    return {
        token: math.log(1 + (entries - count + 0.5) / (count + 0.5))
        for token, count in frequency.items()
    }
