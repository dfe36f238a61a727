"""Measuring answers on a set of questions with known right answers.

The figures are the ones the team steers by: a confident wrong answer is the worst outcome
(officers act on answers), so it is counted apart from a merely missed one. Cases may also
say which headline verdicts a careful expert accepts for the asker and which would mislead:
those are counted too, since the headline is what an officer acts on.

An evaluation file:

    cases:
      - q: "Can I keep a photo in uniform as my profile picture?"
        service: up-police              # optional: the asker's service, as if chosen once
        expect: [uniform-profile-picture]   # ids that answer it; [] for out of scope
        accept: [allowed with care]     # optional: headlines an expert accepts ("none": no verdict)
        mislead: [allowed, not allowed] # optional: headlines that would mislead
      - q: "can I post reels in uniform? and can I take gifts from a shop?"
        expect_each: [[uniform-and-insignia], [gifts-and-sponsorships]]  # one per question

An answer counts as right when its id, or the id it was split from (`split_from`), is
expected, so evaluation sets written before a split keep measuring the same thing. A set
written with the splits in mind says `exact_ids: true` at the top: then only the ids listed
count.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from bot.answering import Answerer
from bot.asker import Asker
from bot.knowledge import VERDICTS, Entry
from bot.text import is_devanagari

NO_VERDICT = "none"  # the headline gives no verdict: no confident answer, or none is due
HEADLINES = (*VERDICTS, NO_VERDICT)


class EvalFileError(ValueError):
    """The evaluation file is not in the expected format; the message says where."""


@dataclass(frozen=True)
class Case:
    q: str
    expect: tuple[str, ...]
    service: str | None = None
    accept: tuple[str, ...] = ()
    mislead: tuple[str, ...] = ()
    exact: bool = False  # only the listed ids count (no credit through `split_from`)
    expect_each: tuple[tuple[str, ...], ...] = ()  # a message asking several things


@dataclass(frozen=True)
class Outcome:
    q: str
    expect: list[str]
    answer: str | None
    topic: str | None  # the id it was split from, which also counts (None in exact sets)
    confident: bool
    score: float
    candidates: list[str]
    service: str | None  # the service the answer was given for
    verdict: str | None  # the headline verdict given to this asker
    language: str  # the language the answer was given in
    accept: list[str]
    mislead: list[str]
    expect_each: list[list[str]] = field(default_factory=list)
    answers: list[str | None] = field(default_factory=list)  # one per question, when several
    best: str | None = None  # the best-ranked entry, confident or not
    best_right: bool = False  # ... and it is a right one

    @property
    def in_scope(self) -> bool:
        return bool(self.expect)

    @property
    def all_answered(self) -> bool:
        """Every question of a several-question message got a confident, right answer."""
        given = set(self.answers)
        return all(given & set(ids) for ids in self.expect_each)

    @property
    def correct(self) -> bool:
        return self.confident and bool({self.answer, self.topic} & set(self.expect))

    @property
    def wrong(self) -> bool:
        return self.confident and not self.correct

    @property
    def found(self) -> bool:
        """A right id is the answer or one of the offered candidates."""
        return any(i in self.expect for i in (self.answer, self.topic, *self.candidates) if i)

    @property
    def headline(self) -> str:
        return self.verdict or NO_VERDICT

    @property
    def acceptable(self) -> bool:
        return self.headline in self.accept

    @property
    def misleading(self) -> bool:
        return self.headline in self.mislead


@dataclass(frozen=True)
class Summary:
    in_scope: int
    out_of_scope: int
    confident_correct: float
    confident_wrong: float
    right_in_candidates: float
    out_of_scope_declined: float
    verdict_cases: int = 0
    acceptable_headlines: float | None = None
    misleading_headlines: float | None = None
    several_questions: int = 0
    all_answered: float | None = None
    # confident and correct within groups the issue tracker watches: (questions, share)
    devanagari: tuple[int, float] = (0, 0.0)
    long_messages: tuple[int, float] = (0, 0.0)


def load_cases(path: Path) -> list[Case]:
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Loader)
    except OSError as error:
        raise EvalFileError(f"{path}: cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise EvalFileError(f"{path}: YAML syntax error: {error}") from None
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list):
        raise EvalFileError(f"{path}: expected a mapping with a list under 'cases'")
    exact = bool(data.get("exact_ids"))
    return [replace(_case(path, n, case), exact=exact) for n, case in enumerate(cases, 1)]


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _case(path: Path, number: int, case: Any) -> Case:
    if not (isinstance(case, dict) and isinstance(case.get("q"), str)):
        raise EvalFileError(f"{path}: case {number} needs 'q' (text) and 'expect' (ids)")
    each = case.get("expect_each") or []
    if not isinstance(each, list) or not all(
        isinstance(ids, list) and all(isinstance(i, str) for i in ids) for ids in each
    ):
        raise EvalFileError(f"{path}: case {number}: 'expect_each' must be a list of id lists")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("expect", "accept", "mislead"):
        value = case.get(key) or []
        if not isinstance(value, list) or not all(isinstance(i, str) for i in value):
            raise EvalFileError(f"{path}: case {number}: '{key}' must be a list")
        lists[key] = tuple(value)
    unknown = [v for v in (*lists["accept"], *lists["mislead"]) if v not in HEADLINES]
    if unknown:
        raise EvalFileError(
            f"{path}: case {number}: unknown verdict {unknown[0]!r}; one of: {', '.join(HEADLINES)}"
        )
    service = case.get("service")
    if service is not None and not isinstance(service, str):
        raise EvalFileError(f"{path}: case {number}: 'service' must be a service id")
    expect = lists["expect"] or tuple(dict.fromkeys(i for ids in each for i in ids))
    return Case(
        case["q"],
        expect,
        service,
        lists["accept"],
        lists["mislead"],
        expect_each=tuple(tuple(ids) for ids in each),
    )


def evaluate(answerer: Answerer, cases: Sequence[Case]) -> list[Outcome]:
    unknown = {c.service for c in cases if c.service and answerer.kb.service(c.service) is None}
    if unknown:
        known = ", ".join(s.id for s in answerer.kb.services)
        raise EvalFileError(f"unknown service {sorted(unknown)[0]!r}; one of: {known}")
    outcomes = []
    for case in cases:
        asker = Asker(service=case.service)
        answer = answerer.ask(case.q, asker)
        entry = answer.entry
        several = answerer.ask_all(case.q, asker) if case.expect_each else ()
        outcomes.append(
            Outcome(
                q=case.q,
                expect=list(case.expect),
                answer=entry.id if entry else None,
                topic=(entry.topic if entry else None) if not case.exact else None,
                confident=answer.match.confident,
                score=answer.match.score,
                candidates=[c.entry.id for c in answer.match.candidates],
                service=answer.service.id if answer.service else None,
                verdict=answer.verdict,
                language=answer.language,
                accept=list(case.accept),
                mislead=list(case.mislead),
                expect_each=[list(ids) for ids in case.expect_each],
                answers=[a.entry.id if a.entry else None for a in several],
                best=answer.match.best.entry.id if answer.match.best else None,
                best_right=_right(answer.match.best.entry, case) if answer.match.best else False,
            )
        )
    return outcomes


# --- the bars: what each evaluation set must keep ---------------------------------------------

# Figures where higher is better; the others (wrong and misleading answers) are ceilings.
_FLOORS = (
    "confident_correct",
    "right_in_candidates",
    "out_of_scope_declined",
    "acceptable_headlines",
    "all_answered",
)
_CEILINGS = ("confident_wrong", "misleading_headlines")


@dataclass(frozen=True)
class Bar:
    file: Path
    figure: str
    limit: float
    value: float

    @property
    def kept(self) -> bool:
        if self.figure in _CEILINGS:
            return self.value <= self.limit + 1e-9
        return self.value >= self.limit - 1e-9

    def __str__(self) -> str:
        sign = "<=" if self.figure in _CEILINGS else ">="
        state = "ok  " if self.kept else "FAIL"
        return f"{state} {self.file.name}: {self.figure} {self.value:.1%} ({sign} {self.limit:.1%})"


def check_bars(answerer: Answerer, bars_file: Path) -> list[Bar]:
    """Every set named in a bars file, measured with this answerer, against its bars.

    The bars file (tests/eval/bars.yaml) maps each evaluation file, relative to itself, to
    the figures it must keep, so an admin checks an edited knowledge base with
    `conduct-bot eval --check tests/eval/bars.yaml --knowledge DIR`."""
    try:
        data = yaml.load(Path(bars_file).read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError) as error:
        raise EvalFileError(f"{bars_file}: cannot read the bars: {error}") from None
    sets = data.get("sets") if isinstance(data, dict) else None
    if not isinstance(sets, dict):
        raise EvalFileError(f"{bars_file}: expected a mapping under 'sets'")
    results = []
    for name, limits in sets.items():
        path = Path(bars_file).parent / name
        summary = asdict(summarise(evaluate(answerer, load_cases(path))))
        for figure, limit in (limits or {}).items():
            if figure not in (*_FLOORS, *_CEILINGS) or summary.get(figure) is None:
                raise EvalFileError(f"{bars_file}: {name}: no figure {figure!r} to check")
            results.append(Bar(path, figure, float(limit), float(summary[figure])))
    return results


def _right(entry: Entry, case: Case) -> bool:
    return entry.id in case.expect or (not case.exact and entry.topic in case.expect)


BAND_EDGES = (0.0, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9, 1.01)


def bands_text(outcomes: Sequence[Outcome]) -> str:
    """How often the best-ranked entry is right, by its score: the table the thresholds in
    MatchSettings are chosen from (an answer is given only where it is right often enough)."""
    lines = ["best score   questions  best is right  out of scope  given confidently"]
    for low, high in itertools.pairwise(BAND_EDGES):
        band = [o for o in outcomes if o.best is not None and low <= o.score < high]
        if not band:
            continue
        inside = [o for o in band if o.in_scope]
        right = f"{_share(o.best_right for o in inside):6.0%}" if inside else "     -"
        outside = sum(1 for o in band if not o.in_scope)
        given = sum(1 for o in band if o.confident)
        lines.append(
            f"{low:4.2f}-{min(high, 1.0):4.2f}   {len(band):9d}  {right:>13}  {outside:12d}"
            f"  {given:17d}"
        )
    return "\n".join(lines)


def summarise(outcomes: Sequence[Outcome]) -> Summary:
    inside = [o for o in outcomes if o.in_scope]
    outside = [o for o in outcomes if not o.in_scope]
    judged = [o for o in outcomes if o.accept or o.mislead]
    several = [o for o in outcomes if o.expect_each]
    return Summary(
        in_scope=len(inside),
        out_of_scope=len(outside),
        confident_correct=_share(o.correct for o in inside),
        confident_wrong=_share(o.wrong for o in inside),
        right_in_candidates=_share(o.found for o in inside),
        out_of_scope_declined=_share(not o.confident for o in outside),
        verdict_cases=len(judged),
        acceptable_headlines=_share(o.acceptable for o in judged) if judged else None,
        misleading_headlines=_share(o.misleading for o in judged) if judged else None,
        several_questions=len(several),
        all_answered=_share(o.all_answered for o in several) if several else None,
        devanagari=_group(inside, is_devanagari),
        long_messages=_group(inside, is_long),
    )


LONG_MESSAGE_WORDS = 12


def is_long(question: str) -> bool:
    return len(question.split()) >= LONG_MESSAGE_WORDS


def _group(outcomes: Sequence[Outcome], member: Any) -> tuple[int, float]:
    chosen = [o for o in outcomes if member(o.q)]
    return len(chosen), _share(o.correct for o in chosen)


def _share(flags: Any) -> float:
    values = list(flags)
    return round(sum(values) / len(values), 4) if values else 0.0


def report_json(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    return {"cases": [asdict(o) for o in outcomes], "summary": asdict(summarise(outcomes))}


def report_text(outcomes: Sequence[Outcome]) -> str:
    s = summarise(outcomes)
    lines = [
        f"in scope:      {s.in_scope} questions",
        f"  confident and correct:  {s.confident_correct:6.1%}",
        f"  confident but wrong:    {s.confident_wrong:6.1%}",
        f"  right id offered:       {s.right_in_candidates:6.1%}",
        f"out of scope:  {s.out_of_scope} questions",
        f"  no confident answer:    {s.out_of_scope_declined:6.1%}",
    ]
    for label, (count, share) in (
        ("in Devanagari", s.devanagari),
        (f"of {LONG_MESSAGE_WORDS}+ words", s.long_messages),
    ):
        if count and count < s.in_scope:
            lines.append(f"  {label + ':':22} {share:6.1%} confident and correct ({count})")
    if s.verdict_cases:
        lines += [
            f"verdicts:      {s.verdict_cases} questions",
            f"  acceptable headline:    {s.acceptable_headlines or 0:6.1%}",
            f"  misleading headline:    {s.misleading_headlines or 0:6.1%}",
        ]
    if s.several_questions:
        lines += [
            f"several questions in one message: {s.several_questions}",
            f"  every question answered: {s.all_answered or 0:6.1%}",
        ]
    return "\n".join(lines)
