"""Why the bot answered a question as it did, in words an admin can act on.

Computed from the same Answerer and Matcher the bot answers with (the service's current
snapshot): the words the matcher read and what each weighs, the entries it ranked with their
scores, the band with the thresholds that decided it, the service and language it answered
for, and, when it was not confident, which of the band's tests failed. tests/test_explain.py
checks over the evaluation sets that these reasons agree with the band the matcher chose.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bot.answering import Answer, Answerer
from bot.asker import Asker
from bot.config import MatchSettings
from bot.matcher import Band, Candidate, Checks, Matcher, strongest

SHOWN_CANDIDATES = 5
BAND_NAMES = {
    Band.ANSWER: "answered",
    Band.SUGGEST: "did you mean",
    Band.VAGUE: "vague (names no topic)",
    Band.NONE: "unknown",
}
THRESHOLDS = (
    "suggest_score",
    "hint_score",
    "confident_score",
    "sure_score",
    "margin",
    "sure_margin",
    "likelihood_weight",
    "min_evidence",
    "min_coverage",
)


@dataclass(frozen=True)
class Word:
    token: str
    weight: float
    known: bool  # some entry uses it; an unknown word counts against every entry


@dataclass(frozen=True)
class Ranked:
    entry_id: str
    title: str
    score: float
    evidence: int
    coverage: float
    likely: float  # the naive Bayes posterior: which of close entries the words point to
    preference: float  # the order, and the lead: the score blended with `likely`


@dataclass(frozen=True)
class Explanation:
    question: str
    words: tuple[Word, ...]
    candidates: tuple[Ranked, ...]
    band: str
    band_name: str
    score: float
    answer_id: str | None
    verdict: str | None
    service: str | None
    service_stated: bool
    language: str
    thresholds: dict[str, float]
    reasons: tuple[str, ...]  # empty when confident

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def explain_message(answerer: Answerer, message: str, asker: Asker | None) -> list[Explanation]:
    """One explanation per question the bot would answer in this message."""
    return [explain(answerer, answer) for answer in answerer.ask_all(message, asker)]


def explain(answerer: Answerer, answer: Answer) -> Explanation:
    matcher = answerer.matcher
    question = answer.match.question
    ranked = matcher.rank(question, SHOWN_CANDIDATES)
    settings = matcher.settings
    return Explanation(
        question=question,
        words=tuple(
            Word(token, round(weight, 3), matcher.knows(token))
            for token, weight in matcher.weigh(question).items()
        ),
        candidates=tuple(_ranked(c) for c in ranked),
        band=answer.band.value,
        band_name=BAND_NAMES[answer.band],
        score=answer.match.score,
        answer_id=answer.entry.id if answer.entry else None,
        verdict=answer.verdict,
        service=answer.service.title if answer.service else None,
        service_stated=answer.service_stated,
        language=answer.language,
        thresholds={name: getattr(settings, name) for name in THRESHOLDS},
        reasons=reasons(
            matcher, question, answer.band, ranked, answer.service.id if answer.service else None
        ),
    )


def _ranked(candidate: Candidate) -> Ranked:
    return Ranked(
        candidate.entry.id,
        candidate.entry.title,
        candidate.score,
        candidate.evidence,
        candidate.coverage,
        candidate.likely,
        candidate.preference,
    )


def reasons(
    matcher: Matcher,
    question: str,
    band: Band,
    ranked: list[Candidate],
    service: str | None = None,
) -> tuple[str, ...]:
    """Why the answer is not confident, as sentences (none for a confident answer)."""
    if band is Band.ANSWER:
        return ()
    if band is Band.VAGUE:
        return ("It asks whether something is allowed without naming what, so no verdict fits.",)
    if not ranked:
        return ("None of its words appears in any entry.",)
    s = matcher.settings
    score = strongest(ranked)
    if score < s.suggest_score:
        return (f"The best score, {score:.2f}, is under suggest_score ({s.suggest_score}).",)
    found = failed_tests(matcher.checks(ranked, service), s)
    if score < s.hint_score:
        found.insert(
            0,
            f"The best score, {score:.2f}, is under hint_score ({s.hint_score}): too weak to "
            'ask "did you mean", so it says it doesn\'t know and names the nearest topics.',
        )
    if not found and matcher.is_off_topic(question):
        found.append(
            "It has a phrase listed as off_topic in synonyms.yaml (using an app, a service "
            "matter, a citizen's own affair) and the best entry explains only "
            f"{ranked[0].coverage:.0%} of it with {ranked[0].evidence} words (an aside needs "
            f"aside_coverage {s.aside_coverage:.0%} and aside_evidence {s.aside_evidence})."
        )
    return tuple(found)


def failed_tests(checks: Checks, s: MatchSettings) -> list[str]:
    """The matcher's tests of a confident answer (bot.matcher's `Checks`) that failed."""
    top, entry = checks.top, checks.top.entry.id
    found = []
    if not checks.strong:
        found.append(
            f"The best score, {top.score:.2f}, is under confident_score ({s.confident_score})."
        )
    if not (checks.clear or checks.twins) and checks.runner_up is not None:
        found.append(
            f"It leads '{checks.runner_up.entry.id}' by only {checks.lead:.3f} in preference "
            f"(the score blended with how likely each entry is; margin {s.margin}, or "
            f"{s.sure_margin} from sure_score {s.sure_score} with {s.min_evidence} matching "
            "words): two entries fit about as well, and they are not related entries giving "
            "this officer the same verdict."
        )
    if not checks.enough:
        found.append(
            f"Only {top.evidence} of its words matched '{entry}' (min_evidence "
            f"{s.min_evidence}), and it is not one of the entry's phrasings."
        )
    if not checks.covered:
        found.append(
            f"'{entry}' explains {top.coverage:.0%} of the question's weight "
            f"(min_coverage {s.min_coverage:.0%})."
        )
    if not checks.anchored:
        found.append(
            f"The words it shares with '{entry}' are not the entry's own: each comes up only in "
            "a story told in one of its phrasings."
        )
    if not checks.specific:
        found.append(
            f"The words it shares with '{entry}' are generic (post, photo, allowed); "
            "none names a topic."
        )
    return found
