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

The score says how well a question matches an entry; which of two entries that match about as
well is meant is better told by how often each word comes up in each entry's phrasings (a
multinomial naive Bayes posterior over the entries, from the counts the index keeps anyway).
Candidates are ordered, and a lead measured, on the score blended with that posterior; the
posterior alone never makes a match strong, since it sums to one even for a question about
nothing the knowledge base covers.

Words the knowledge base has never seen keep their weight in the question, so "how do I renew
my passport" cannot look like a confident match just because "my" and "I" are common.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

if TYPE_CHECKING:
    from spellchecker.spellchecker import WordFrequency

from bot.config import MatchSettings
from bot.knowledge import Entry, KnowledgeBase
from bot.loanwords import LoanwordTable
from bot.text import Normaliser, PhraseIndex, clauses, questions, stem, words
from bot.verdicts import headline


class Band(StrEnum):
    """How sure the matcher is: answer, offer choices ("did you mean"), ask what the question is
    about (it names no topic: "can I post?"), or admit it doesn't know."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    VAGUE = "vague"
    NONE = "none"


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float
    evidence: int = 0  # how many of the question's words this entry explains
    exact: bool = False  # the question's words are exactly one of the entry's phrasings
    specific: int = 0  # how many of those name a topic (not "post", "photo", "allowed")
    coverage: float = 0.0  # the share of the question's weight this entry's words explain
    anchored: bool = False  # a word of the question is one of the entry's own (ANCHOR_USES)
    # How likely this entry is the one meant, of all entries (naive Bayes over the entries'
    # phrasings, 0-1, summing to 1): which of two close entries a question's words point to.
    likely: float = 0.0
    # The order of candidates and the lead over the runner-up: the score blended with `likely`.
    preference: float = 0.0


@dataclass(frozen=True)
class Match:
    """The outcome for one question.

    `candidates` are the best entries, best first (the answer itself in the ANSWER band,
    the "did you mean" choices in the SUGGEST band, the nearest topics, if any, in the NONE
    band); `entry` is set only when the matcher is confident.
    """

    question: str
    normalised: str
    band: Band
    score: float
    candidates: tuple[Candidate, ...]
    best: Candidate | None = None  # the best-ranked entry, shown or not (for calibration)

    @property
    def confident(self) -> bool:
        return self.band is Band.ANSWER

    @property
    def entry(self) -> Entry | None:
        return self.candidates[0].entry if self.confident else None


@dataclass(frozen=True)
class Checks:
    """The tests of a confident answer for the best entry (see `Matcher.checks`)."""

    top: Candidate
    runner_up: Candidate | None
    lead: float  # the best score minus the runner-up's
    strong: bool  # the best score reaches confident_score
    clear: bool  # it leads by margin, or by sure_margin from sure_score up
    twins: bool  # the runner-up is a related entry with the same verdict (a lead not needed)
    enough: bool  # min_evidence of the question's words, or one of its phrasings exactly
    covered: bool  # it explains min_coverage of the question's weight
    anchored: bool  # on a word that is the entry's own
    specific: bool  # some shared word names a topic

    @property
    def passed(self) -> bool:
        return (
            self.strong
            and (self.clear or self.twins)
            and self.enough
            and self.covered
            and self.anchored
            and self.specific
        )


@dataclass(frozen=True)
class Pull:
    """A question of `entry` that `towards` would answer better without it (see `pulls`)."""

    entry: Entry
    question: str
    towards: Entry
    own: float
    other: float


@dataclass(frozen=True)
class Query:
    """A message read for matching: its tokens, how much each counts (1 in the asking
    clauses, less in the story around them), and the tokens of the asking clauses alone."""

    tokens: tuple[str, ...]
    weights: dict[str, float]
    asked: tuple[str, ...] = ()


class Matcher:
    """An index over one knowledge base. Build once per knowledge base; `match` is thread-safe."""

    def __init__(self, kb: KnowledgeBase, settings: MatchSettings | None = None) -> None:
        self.kb = kb
        self.settings = settings or MatchSettings()
        self._normaliser = Normaliser(kb.synonyms, kb.ignore)
        self._build_arrays()
        rarest = max(self._idf.values(), default=1.0)
        self._unknown_weight = rarest * self.settings.unknown_word_weight
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for token in sorted(self._idf):
            self._by_initial[token[0]].append(token)
        self._correct = lru_cache(maxsize=16384)(self._correct_uncached)
        self._loanwords: LoanwordTable | None = None  # built the first time a Hindi word needs it
        self._off_topic = PhraseIndex((t, None) for t in map(self._raw_tokens, kb.off_topic))
        self._generic = frozenset(
            t for word in kb.generic for t in self._normaliser.tokens(word, keep_filler=True)
        )

    # -- building --------------------------------------------------------------------------

    def _entry_phrasings(self, entry: Entry) -> list[frozenset[str]]:
        """Questions, title and keywords; and its sources, so "rule 9" or "POCSO" finds its
        entry (without the words saying whom a source binds, which every entry shares)."""
        texts = (*entry.questions, entry.title, *entry.keywords, *map(unbound, entry.sources))
        return [frozenset(self._normaliser.tokens(text)) for text in texts]

    def _build_arrays(self) -> None:
        """Postings as numpy arrays, so a question is scored against every entry in a few
        vectorised passes instead of a Python loop over phrasings.

        Every word gets a number, and the postings go straight into flat typed arrays (one
        pass over the entries, nothing kept per phrasing but its words' numbers), then are
        grouped by word with one stable sort: a word's postings are a slice of one array, in
        ascending order as before. With 100,000 entries, lists of Python ints per word and a
        frozenset per phrasing took most of a gigabyte; these arrays take a few dozen MB."""
        vocabulary: dict[str, int] = {}
        phrasing_words = array("i")  # word numbers, phrasing after phrasing
        phrasing_ends = array("q")  # where each phrasing's words end in phrasing_words
        offsets = array("q")  # each entry's first phrasing
        pair_word, pair_entry, pair_uses = array("i"), array("i"), array("i")
        pair_named = array("b")  # the word is in the entry's title or keywords
        for index, entry in enumerate(self.kb.entries):
            offsets.append(len(phrasing_ends))
            uses: dict[int, int] = {}
            for tokens in self._entry_phrasings(entry):
                for token in tokens:
                    number = vocabulary.setdefault(token, len(vocabulary))
                    phrasing_words.append(number)
                    uses[number] = uses.get(number, 0) + 1
                phrasing_ends.append(len(phrasing_words))
            named = {
                vocabulary[t]
                for text in (entry.title, *entry.keywords)
                for t in self._normaliser.tokens(text)
            }
            for number, count in uses.items():
                pair_word.append(number)
                pair_entry.append(index)
                pair_uses.append(count)
                pair_named.append(number in named)
        words_of_pairs = np.frombuffer(pair_word, np.int32)
        self._vocabulary = vocabulary
        frequency = np.bincount(words_of_pairs, minlength=len(vocabulary))
        self._idf = _idf(vocabulary, frequency, len(self.kb.entries))
        idf = list(self._idf.values())  # in word-number order (dicts keep insertion order)
        norms = np.empty(len(phrasing_ends), np.float64)
        start = 0
        for number, end in enumerate(phrasing_ends):
            # Summed in Python, word by word, as before: the same float to the last bit.
            weight = sum([idf[w] for w in phrasing_words[start:end]])
            norms[number] = math.sqrt(weight) if weight else math.inf
            start = end
        self._norms = norms
        self._offsets = np.frombuffer(offsets, np.int64).astype(np.int64)

        lengths = np.diff(np.concatenate(([0], np.frombuffer(phrasing_ends, np.int64))))
        phrasing_of = np.repeat(np.arange(len(phrasing_ends), dtype=np.int32), lengths)
        self._phrasings = _Postings(np.frombuffer(phrasing_words, np.int32), phrasing_of)
        self._phrasings.forget_order()
        del phrasing_words, phrasing_of
        entries = np.frombuffer(pair_entry, np.int32)
        self._entries = _Postings(words_of_pairs, entries)
        uses_of_pairs = np.frombuffer(pair_uses, np.int32)
        # Per posting only how many of the entry's phrasings use the word (two bytes); the
        # strength and the likelihood gain it stands for are looked up in tables of one value
        # per count, which at 100,000 entries saves two arrays of a hundred MB between them.
        self._uses = self._entries.order_by_word(
            np.minimum(uses_of_pairs, np.iinfo(np.uint16).max).astype(np.uint16)
        )
        counts = np.arange(int(self._uses.max(initial=0)) + 1)
        saturation = self.settings.word_saturation
        self._strength = np.array([1 - math.exp(-c / saturation) for c in counts.tolist()])
        self._build_likelihoods(counts, uses_of_pairs, entries, len(vocabulary))
        self._entries.forget_order()
        own = np.frombuffer(pair_named, np.int8).astype(bool) | (uses_of_pairs >= ANCHOR_USES)
        self._anchors = _Postings(words_of_pairs[own], entries[own])
        self._anchors.forget_order()
        order = sorted(range(len(self.kb.entries)), key=lambda i: self.kb.entries[i].id)
        self._id_rank = np.empty(len(order), np.int64)
        self._id_rank[order] = np.arange(len(order))

    def _build_likelihoods(
        self, counts: np.ndarray, uses: np.ndarray, entries: np.ndarray, words: int
    ) -> None:
        """Naive Bayes word likelihoods with add-`likelihood_smoothing` (Laplace) smoothing,
        each entry's phrasings one document: per use count, log((count + a) / a), looked up
        like `_strength`; per entry, log(its word count + a * vocabulary)."""
        a = self.settings.likelihood_smoothing
        self._gain = np.log((counts + a) / a)
        size = np.bincount(entries, weights=uses, minlength=len(self.kb.entries))
        self._log_size = np.log(size + a * words)

    # -- reading a question ----------------------------------------------------------------

    @staticmethod
    def _raw_tokens(text: str) -> tuple[str, ...]:
        """Words as typed (stemmed, nothing dropped), so "not working" keeps its "not"."""
        return tuple(stem(word) for word in words(text))

    def is_off_topic(self, question: str) -> bool:
        """A question about something the bot does not cover, such as installing an app."""
        tokens = self._raw_tokens(self._bounded(question))
        return next(self._off_topic.found(tokens), None) is not None

    def _bounded(self, message: str) -> str:
        """Long pastes are cut; the question usually comes last, so the end is kept."""
        limit = self.settings.max_question_chars
        if len(message) <= limit:
            return message
        head = limit // 4
        return message[:head] + "\n" + message[-(limit - head) :]

    def normalise(self, question: str) -> tuple[str, ...]:
        """The question's tokens after bounding, normalisation and typo correction."""
        return self.read(question).tokens

    def read(self, message: str) -> Query:
        """The message as weighted tokens: the clauses that ask weigh fully; the story around
        them counts for less, and its words the knowledge base has never seen not at all.

        A clause that asks without naming anything ("any rule against it?", "am I
        responsible?") does not make the rest story, and a condition just before a question
        ("if I am off duty, can I ...") belongs to it."""
        parts = [
            (text, self._tokens(text), question)
            for text, question in clauses(self._bounded(message))
        ]
        asking = [self._names_something(tokens) and question for _, tokens, question in parts]
        for i in range(len(parts) - 1):
            if asking[i + 1] and _is_condition(parts[i][0]):
                asking[i] = True
        weights: dict[str, float] = {}
        asked: list[str] = []
        for (_, tokens, _), asks in zip(parts, asking, strict=True):
            context = any(asking) and not asks
            for token in tokens:
                if context and token not in self._idf:
                    continue
                share = self.settings.context_weight if context else 1.0
                if context and not self._anchors.has(self._vocabulary.get(token)):
                    share *= self.settings.story_share
                weights[token] = max(weights.get(token, 0.0), share)
                if not context:
                    asked.append(token)
        return Query(tuple(weights), weights, tuple(dict.fromkeys(asked)))

    def weigh(self, question: str) -> dict[str, float]:
        """Each of the question's words with the weight it carries in ranking, as `match` uses
        them: for explaining a match to an admin (why one word decided, another barely counted)."""
        return self._weights(self.read(question))

    def knows(self, token: str) -> bool:
        """Whether any entry uses this (normalised) word; unknown words count against a match."""
        return token in self._idf

    def _names_something(self, tokens: Sequence[str]) -> bool:
        return any(t not in self._generic for t in tokens)

    def _tokens(self, text: str) -> tuple[str, ...]:
        tokens = dict.fromkeys(self._normaliser.tokens(text))  # ordered, no repeats
        return tuple(dict.fromkeys(self._correct(t) for t in tokens))

    def __getstate__(self) -> dict[str, object]:
        """What bot.built keeps on disk: everything but the typo corrections cache."""
        state = self.__dict__.copy()
        del state["_correct"]
        state["_loanwords"] = None
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._correct = lru_cache(maxsize=16384)(self._correct_uncached)

    # -- matching --------------------------------------------------------------------------

    def rank(self, question: str, limit: int = 10) -> list[Candidate]:
        """Entries by descending score (ties by id, so results never depend on dict order)."""
        return self._rank(self.read(question), limit)

    def offer(self, question: str, limit: int) -> list[Candidate]:
        """Entries worth offering for a question typed in inline mode, best first: those above
        the suggestion floor, and none for a question that names no topic."""
        query = self.read(question)
        if self._vague(question, query):
            return []
        return [c for c in self._rank(query, limit) if c.score >= self.settings.suggest_score]

    def is_vague(self, question: str) -> bool:
        """Asks whether something is allowed without saying what: "can I post?", "photo daal
        du?", "is this allowed?". No verdict can be true for every such question."""
        return self._vague(question, self.read(question))

    def _vague(self, question: str, query: Query) -> bool:
        """`is_vague`, for a question already read (`query`): matching reads it once."""
        every = self._normaliser.tokens(self._bounded(question), keep_filler=True)
        return any(t in self._generic for t in every) and all(
            t in self._generic for t in query.tokens
        )

    def match(self, question: str, service: str | None = None) -> Match:
        """The answer band for a question from an asker of `service` (None: not known): near
        twins are told apart only when the headline this asker would see differs."""
        query = self.read(question)
        normalised = " ".join(query.tokens)
        if self._vague(question, query):
            return Match(question, normalised, Band.VAGUE, 0.0, ())
        ranked = self._rank(query, max(self.settings.max_candidates, 2))
        band = self._band(ranked, service)
        if band is Band.ANSWER and self.is_off_topic(question) and not self._aside(ranked[0]):
            band = Band.SUGGEST
        shown = [] if band is Band.NONE else ranked[: self.settings.max_candidates]
        if band is Band.SUGGEST and strongest(ranked) < self.settings.hint_score:
            # Too weak to ask "did you mean": say "I don't know", with the nearest topics.
            band, shown = Band.NONE, ranked[: self.settings.hints]
        return Match(
            question=question,
            normalised=normalised,
            band=band,
            score=ranked[0].score if ranked else 0.0,
            candidates=tuple(c for c in shown if c.score >= self.settings.suggest_score),
            best=ranked[0] if ranked else None,
        )

    def match_each(self, message: str, limit: int = 3, service: str | None = None) -> list[Match]:
        """Every question a message asks, each matched on its own, when it asks several about
        different things ("reels in uniform? and gifts from a shop?"); otherwise the one match.
        A question of several that is not confident is kept too (it gets "did you mean" or "I
        don't know"), so none is dropped; a follow-up naming nothing ("is it allowed?") is
        part of the question before it."""
        asked = questions(message)
        if len(asked) < 2:
            return [self.match(message, service)]
        parts = [m for m in (self.match(q, service) for q in asked) if m.band is not Band.VAGUE]
        topics = {_topic(m) for m in parts}
        if len(parts) < 2 or len(topics) < 2:
            return [self.match(message, service)]
        distinct: list[Match] = []
        for part in parts:
            if _topic(part) is None or _topic(part) not in {_topic(d) for d in distinct}:
                distinct.append(part)
        return distinct[:limit]

    def _aside(self, top: Candidate) -> bool:
        """The best entry explains nearly all of the question, so an off-topic phrase in it is
        an aside ("sign up to Twitter with my NIC email"), not the question."""
        s = self.settings
        return top.coverage >= s.aside_coverage and top.evidence >= s.aside_evidence

    def _band(self, ranked: Sequence[Candidate], service: str | None) -> Band:
        if not ranked or strongest(ranked) < self.settings.suggest_score:
            return Band.NONE
        return Band.ANSWER if self.checks(ranked, service).passed else Band.SUGGEST

    def checks(self, ranked: Sequence[Candidate], service: str | None = None) -> Checks:
        """The tests the best entry must pass to be answered with confidence, each kept, so
        the playground's explain panel can say which one failed instead of restating them."""
        s = self.settings
        top = ranked[0]
        runner_up = ranked[1] if len(ranked) > 1 else None
        lead = top.preference - (runner_up.preference if runner_up else 0.0)
        # Two related entries with the same verdict close together: answer the better one (the
        # other is among its related buttons) rather than ask the officer to choose between
        # near-twins. The verdict compared is the one this asker's service gets; the service
        # not being known, the entries' general verdicts (the answer then says how services
        # differ). With different verdicts, a near-tie stays a question.
        twins = (
            runner_up is not None
            and _related(top.entry, runner_up.entry)
            and _same_verdict(top.entry, runner_up.entry, service)
        )
        # A high score on one word is no lead over a runner-up that has the same word.
        sure = top.score >= s.sure_score and top.evidence >= s.min_evidence
        return Checks(
            top=top,
            runner_up=runner_up,
            lead=lead,
            strong=top.score >= s.confident_score,
            clear=lead >= s.margin or (sure and lead >= s.sure_margin),
            twins=twins,
            # One word is enough only when it is the whole of one of the entry's phrasings
            # (a keyword such as "trolls"), not a word borrowed from a longer question ("joke").
            enough=top.evidence >= s.min_evidence or top.exact,
            covered=top.coverage >= s.min_coverage,
            # The answer rests on a word that is the entry's own, not on one that came up once
            # in a story told in one of its phrasings ("licence"); one of its own questions
            # asked as written is its own too (an admin's added phrasing).
            anchored=top.anchored or top.exact,
            specific=bool(top.specific),
        )

    def _weights(self, query: Query) -> dict[str, float]:
        """Each token's weight: how well it tells entries apart, times its share in the message.

        Words the knowledge base never saw keep a question about something else from looking
        like a match; but each further one counts less, so the details of a long message
        ("widow", "tehsil", "Scorpio") cannot drown the words that name its topic."""
        unknown = [t for t in query.weights if t not in self._idf]
        damping = 1 / math.sqrt(len(unknown)) if unknown else 1.0
        return {
            t: self._idf.get(t, self._unknown_weight * damping) * share
            for t, share in query.weights.items()
        }

    def _rank(self, query: Query, limit: int) -> list[Candidate]:
        weights = self._weights(query)
        total = sum(weights.values())
        known = [t for t in query.tokens if t in self._vocabulary]
        if total <= 0 or not known or not len(self._offsets):
            return []
        numbers = [self._vocabulary[t] for t in known]
        entries = len(self._offsets)
        spans = [self._entries.span(n) for n in numbers]
        hits = [self._entries.items[span] for span in spans]
        # How many of each entry's phrasings use each word: read once for both the strength
        # (coverage) and the likelihood gain (posterior) that the count stands for.
        uses = [self._uses[span] for span in spans]
        entry_index = np.concatenate(hits)
        entry_weight = np.concatenate(
            [self._strength[u] * weights[t] for t, u in zip(known, uses, strict=True)]
        )
        covered = np.bincount(entry_index, weights=entry_weight, minlength=entries)
        matched = np.bincount(entry_index, minlength=entries)
        specific_hits = [h for h, t in zip(hits, known, strict=True) if t not in self._generic]
        specific = (
            np.bincount(np.concatenate(specific_hits), minlength=entries)
            if specific_hits
            else np.zeros(entries, np.int64)
        )
        anchor_hits = [
            self._anchors.of(n)
            for n, t in zip(numbers, known, strict=True)
            if t not in self._generic
        ]
        anchored = (
            np.bincount(np.concatenate(anchor_hits), minlength=entries)
            if anchor_hits
            else np.zeros(entries, np.int64)
        )
        lists = [self._phrasings.of(n) for n in numbers]
        shared = np.bincount(
            np.concatenate(lists),
            weights=np.repeat([weights[t] for t in known], [len(p) for p in lists]),
            minlength=len(self._norms),
        )
        # In place: at 100,000 entries these are arrays of 1.7 million phrasings.
        np.divide(shared, self._norms, out=shared)
        cosine = np.maximum.reduceat(shared, self._offsets) / math.sqrt(total)
        blend = self.settings.phrasing_weight
        scores = np.round(blend * cosine + (1 - blend) * covered / total, 4)
        likely = self._posterior(
            entry_index, uses, [self._counted(query.weights[t]) for t in known]
        )
        mix = self.settings.likelihood_weight
        preference = np.round((1 - mix) * scores + mix * likely, 4)
        candidates = np.flatnonzero(matched)
        if len(candidates) > limit:
            cut = np.partition(preference[candidates], -limit)[-limit]
            candidates = candidates[preference[candidates] >= cut]
        order = candidates[np.lexsort((self._id_rank[candidates], -preference[candidates]))][:limit]
        return [
            Candidate(
                self.kb.entries[i],
                float(scores[i]),
                int(matched[i]),
                bool(cosine[i] > 0.999),
                int(specific[i]),
                round(float(covered[i]) / total, 4),
                bool(anchored[i]),
                round(float(likely[i]), 4),
                float(preference[i]),
            )
            for i in order
        ]

    def _counted(self, share: float) -> float:
        """How much a word of this share counts in the posterior: a story's words count less
        again, since naive Bayes adds up every word's evidence and a long story could outvote
        its question."""
        return share if share >= 1.0 else share * self.settings.story_likelihood

    def _posterior(
        self, entry_index: np.ndarray, uses: Sequence[np.ndarray], counts: Sequence[float]
    ) -> np.ndarray:
        """Each entry's naive Bayes posterior for the question's known words (their postings
        `entry_index`, with each posting's use count in `uses`, word by word, in order), each
        word counted `counts` times, with every entry equally likely beforehand."""
        gains = np.bincount(
            entry_index,
            weights=np.concatenate([self._gain[u] * c for u, c in zip(uses, counts, strict=True)]),
            minlength=len(self._log_size),
        )
        log_joint = gains - sum(counts) * self._log_size
        joint = np.exp(log_joint - log_joint.max())
        return joint / joint.sum()

    # -- checking the knowledge base -------------------------------------------------------

    def pulls(self, margin: float = 0.15, strength: float = 0.6) -> list[Pull]:
        """Questions of an entry that another entry would answer better if the question were
        not there: its strongest words belong elsewhere, so it teaches the matcher to send
        such questions to the wrong entry (what `validate` warns about)."""
        found = []
        for entry in self.kb.entries:
            phrasings = self._entry_phrasings(entry)
            for number, question in enumerate(entry.questions):
                query = self.read(question)
                own = self._score_without(query, phrasings, number)
                other = next((c for c in self._rank(query, 3) if c.entry is not entry), None)
                if other is not None and other.score >= max(strength, own + margin):
                    found.append(Pull(entry, question, other.entry, round(own, 4), other.score))
        return found

    def _score_without(
        self, query: Query, phrasings: Sequence[frozenset[str]], skipped: int
    ) -> float:
        """The entry's score for the query, as if its phrasing number `skipped` did not exist
        (`phrasings`: the entry's, as `_entry_phrasings` gives them)."""
        weights = self._weights(query)
        total = sum(weights.values())
        if total <= 0:
            return 0.0
        kept = [p for n, p in enumerate(phrasings) if n != skipped]
        vocabulary = frozenset().union(*kept)
        best = 0.0
        for phrasing in kept:
            norm = math.sqrt(sum(self._idf[t] for t in phrasing))
            if norm:
                shared = sum(w for t, w in weights.items() if t in phrasing)
                best = max(best, shared / (math.sqrt(total) * norm))
        covered = sum(w for t, w in weights.items() if t in vocabulary)
        blend = self.settings.phrasing_weight
        return blend * best + (1 - blend) * covered / total

    def _correct_uncached(self, token: str) -> str:
        """Map a word the knowledge base does not know to the closest one it does, if close.

        A plural the knowledge base knows in the singular is that word ("dms" -> "dm"). One
        edit (a swap of two letters counts as one) is allowed in words of 5 to 8 letters and
        two in longer ones, and the first letter must agree: people rarely mistype it, and
        without that rule "pension" would become "tension". A real English word is never
        "corrected" into another ("contract" is not a typo of "contact"); shorter words and
        numbers never are. Devanagari words of 4 letters or more get one edit, for the matras
        people skip; one still unknown may be an English word typed in Devanagari.
        """
        if token in self._idf:
            return token
        if token.endswith("s") and token[:-1] in self._idf:
            return token[:-1]
        devanagari = all("\u0900" <= ch <= "\u097f" for ch in token)
        if devanagari:
            allowed = 1 if len(token) >= 4 else 0
        elif len(token) < 5 or not token.isalpha() or is_english_word(token):
            allowed = 0
        else:
            allowed = 1 if len(token) < 9 else 2
        if not allowed:
            return token
        candidates = self._by_initial.get(token[0], ())
        best = process.extractOne(token, candidates, scorer=OSA.distance, score_cutoff=allowed)
        if best:
            return best[0]
        return self._loanword(token) if devanagari else token

    def _loanword(self, token: str) -> str:
        """An English word of the knowledge base written in Devanagari ("प्रोफेशनल"), or the
        token as it was."""
        if self._loanwords is None:
            self._loanwords = LoanwordTable(self._english_spellings())
        return self._loanwords.get(token) or token

    def _english_spellings(self) -> Iterator[tuple[str, str]]:
        """(spelling, token) of the words a Devanagari word may spell: English words only (a
        stem like "magistrat" with its "e" back), so neither a Hinglish word nor a name is heard
        in a Hindi one, and a knowledge base of a hundred thousand districts does not hold a key
        for each; the synonyms' own spellings are chosen by hand and all count."""
        for token in self._idf:
            latin = token.isascii() and token.isalpha()
            if latin and (is_english_word(token) or is_english_word(token + "e")):
                yield token, token
        for variant in self.kb.synonyms:
            if variant.isascii() and variant.isalpha():
                tokens = self._normaliser.tokens(variant)
                if len(tokens) == 1 and tokens[0] in self._idf:
                    yield variant, tokens[0]


@lru_cache(maxsize=1)
def _english_frequencies() -> WordFrequency:
    """pyspellchecker's English word frequencies, loaded the first time a word needs them."""
    from spellchecker import SpellChecker  # ~90 ms; many questions never need it

    return SpellChecker(language="en", distance=1).word_frequency


def is_english_word(word: str) -> bool:
    """A word common enough in English text to be meant, not a typo (frequency >= 100)."""
    return _english_frequencies()[word] >= ENGLISH_WORD_FREQUENCY


ENGLISH_WORD_FREQUENCY = 100  # "contract", "heard" and "thana" pass; "oficial" does not


# A word is an entry's own when its title or keywords use it, or at least this many of its
# phrasings do; a confident answer needs one (see Matcher._band).
ANCHOR_USES = 2

_CONDITIONS = frozenset(
    ["if", "when", "while", "unless", "agar", "jab", "yadi", "अगर", "जब", "यदि"]
)


def _is_condition(clause: str) -> bool:
    """ "if I am off duty", "agar main chhutti par hoon": a condition of the question after it."""
    first = words(clause)[:1]
    return bool(first) and first[0] in _CONDITIONS


_BINDS = re.compile(r"^[^:]{0,60}:\s")


def unbound(source: str) -> str:
    """ "For central staff: CCS (Conduct) Rules 1964, rule 13 (gifts)" -> "CCS (Conduct) Rules
    1964, rule 13 (gifts)": the source without the words saying whom it binds."""
    return _BINDS.sub("", source, count=1)


def _topic(match: Match) -> str | None:
    """What a match is about: its answer, else its first suggestion (None: nothing known)."""
    return match.candidates[0].entry.id if match.candidates else None


def strongest(ranked: Sequence[Candidate]) -> float:
    """The best score among candidates, which are ordered by preference: a likely entry first
    does not make a strong match elsewhere in the list a weak question (what the suggestion
    and hint floors are measured on, here and in the playground's explanation)."""
    return max(c.score for c in ranked)


def _same_verdict(one: Entry, other: Entry, service: str | None) -> bool:
    if service is None:
        return one.verdict == other.verdict
    return headline(one, service) == headline(other, service)


def _related(one: Entry, other: Entry) -> bool:
    return (
        other.id in one.related
        or one.id in other.related
        or one.split_from == other.id
        or (other.split_from == one.id)
    )


def _idf(vocabulary: dict[str, int], frequency: np.ndarray, entries: int) -> dict[str, float]:
    """BM25's inverse document frequency, counting entries (not phrasings) as documents:
    `frequency` is how many of the `entries` use each word, by word number."""
    counts = frequency.tolist()
    return {
        token: math.log(1 + (entries - counts[n] + 0.5) / (counts[n] + 0.5))
        for token, n in vocabulary.items()
    }


class _Postings:
    """For every word number, the items (phrasings or entries) that use it, ascending: one
    slice of one array per word."""

    def __init__(self, words: np.ndarray, items: np.ndarray) -> None:
        self._order: np.ndarray | None = np.argsort(words, kind="stable")
        self.items = items[self._order].astype(np.int32)
        counts = np.bincount(words, minlength=int(words.max(initial=-1)) + 1)
        # A list: indexing it gives Python ints, several times faster than numpy scalars.
        self.starts: list[int] = [0, *np.cumsum(counts).tolist()]

    def order_by_word(self, values: np.ndarray) -> np.ndarray:
        """Values given per posting in build order, rearranged as `items` is."""
        assert self._order is not None, "only while building"
        return values[self._order]

    def forget_order(self) -> None:
        self._order = None

    def span(self, word: int) -> slice:
        if word >= len(self.starts) - 1:
            return slice(0, 0)
        return slice(self.starts[word], self.starts[word + 1])

    def of(self, word: int) -> np.ndarray:
        return self.items[self.span(word)]

    def has(self, word: int | None) -> bool:
        return (
            word is not None
            and word < len(self.starts) - 1
            and bool(self.starts[word + 1] > self.starts[word])
        )
