"""Measuring the matcher on a set of questions with known right answers.

The figures are the ones the team steers by: a confident wrong answer is the worst outcome
(officers act on answers), so it is counted apart from a merely missed one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.matcher import Matcher


class EvalFileError(ValueError):
    """The evaluation file is not in the expected format; the message says where."""


@dataclass(frozen=True)
class Case:
    q: str
    expect: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    q: str
    expect: list[str]
    answer: str | None
    confident: bool
    score: float
    candidates: list[str]

    @property
    def in_scope(self) -> bool:
        return bool(self.expect)

    @property
    def correct(self) -> bool:
        return self.confident and self.answer in self.expect

    @property
    def wrong(self) -> bool:
        return self.confident and self.answer not in self.expect

    @property
    def found(self) -> bool:
        """A right id is the answer or one of the offered candidates."""
        return any(i in self.expect for i in (self.answer, *self.candidates) if i)


@dataclass(frozen=True)
class Summary:
    in_scope: int
    out_of_scope: int
    confident_correct: float
    confident_wrong: float
    right_in_candidates: float
    out_of_scope_declined: float


def load_cases(path: Path) -> list[Case]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise EvalFileError(f"{path}: cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise EvalFileError(f"{path}: YAML syntax error: {error}") from None
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list):
        raise EvalFileError(f"{path}: expected a mapping with a list under 'cases'")
    result = []
    for number, case in enumerate(cases, 1):
        if not (isinstance(case, dict) and isinstance(case.get("q"), str)):
            raise EvalFileError(f"{path}: case {number} needs 'q' (text) and 'expect' (ids)")
        expect = case.get("expect") or []
        if not isinstance(expect, list) or not all(isinstance(i, str) for i in expect):
            raise EvalFileError(f"{path}: case {number}: 'expect' must be a list of ids")
        result.append(Case(case["q"], tuple(expect)))
    return result


def evaluate(matcher: Matcher, cases: Sequence[Case]) -> list[Outcome]:
    outcomes = []
    for case in cases:
        match = matcher.match(case.q)
        outcomes.append(
            Outcome(
                q=case.q,
                expect=list(case.expect),
                answer=match.entry.id if match.entry else None,
                confident=match.confident,
                score=match.score,
                candidates=[c.entry.id for c in match.candidates],
            )
        )
    return outcomes


def summarise(outcomes: Sequence[Outcome]) -> Summary:
    inside = [o for o in outcomes if o.in_scope]
    outside = [o for o in outcomes if not o.in_scope]
    return Summary(
        in_scope=len(inside),
        out_of_scope=len(outside),
        confident_correct=_share(o.correct for o in inside),
        confident_wrong=_share(o.wrong for o in inside),
        right_in_candidates=_share(o.found for o in inside),
        out_of_scope_declined=_share(not o.confident for o in outside),
    )


def _share(flags: Any) -> float:
    values = list(flags)
    return round(sum(values) / len(values), 4) if values else 0.0


def report_json(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    return {"cases": [asdict(o) for o in outcomes], "summary": asdict(summarise(outcomes))}


def report_text(outcomes: Sequence[Outcome]) -> str:
    s = summarise(outcomes)
    return "\n".join(
        [
            f"in scope:      {s.in_scope} questions",
            f"  confident and correct:  {s.confident_correct:6.1%}",
            f"  confident but wrong:    {s.confident_wrong:6.1%}",
            f"  right id offered:       {s.right_in_candidates:6.1%}",
            f"out of scope:  {s.out_of_scope} questions",
            f"  no confident answer:    {s.out_of_scope_declined:6.1%}",
        ]
    )
