"""Matching quality: the engine against plain rapidfuzz extractOne and BM25, on both sets.

    python -m benchmarks.matching_quality [--json PATH]

Each method ranks the knowledge base's entries for every question of the shared development
set and the project's own set. The engine is scored with its own bands, as `conduct-bot eval`
does. The alternatives have no bands of their own, so each gets the single score threshold
that serves it best on that very set (confident when the top score reaches it): an
optimistic, tuned-on-the-test figure for them, and a fair one for the engine. Top-1 and
top-3 accuracy need no threshold at all.

Not measured: sentence embeddings. The one packaged model found for this machine needs
PyTorch (several hundred MB) at run time, which this project does not take on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process, utils

from benchmarks.common import arguments, bundled, eval_cases, table, write_json
from bot.answering import Answerer
from bot.evaluation import Case, evaluate, summarise
from bot.knowledge import KnowledgeBase
from bot.matcher import Matcher
from bot.text import words

Ranker = Callable[[str], list[tuple[str, float]]]  # question -> [(entry id, score)], best first


def extract_one_ranker(kb: KnowledgeBase) -> Ranker:
    """Plain rapidfuzz: WRatio over every phrasing, the best phrasing's entry wins."""
    owners, choices = [], []
    for entry in kb.entries:
        for text in (*entry.questions, entry.title, *entry.keywords):
            owners.append(entry.id)
            choices.append(utils.default_process(text))

    def rank(question: str) -> list[tuple[str, float]]:
        found = process.extract(
            utils.default_process(question), choices, scorer=fuzz.WRatio, processor=None, limit=30
        )
        best: dict[str, float] = {}
        for _, score, index in found:
            best.setdefault(owners[index], score / 100)
        return sorted(best.items(), key=lambda item: -item[1])

    return rank


def bm25_ranker(kb: KnowledgeBase) -> Ranker:
    """BM25 (Okapi) with each entry's phrasings as one document of plain lower-case words."""
    documents = [
        [w for text in (*e.questions, e.title, *e.keywords) for w in words(text)]
        for e in kb.entries
    ]
    index = BM25Okapi(documents)
    ids = [e.id for e in kb.entries]

    def rank(question: str) -> list[tuple[str, float]]:
        scores = index.get_scores(words(question))
        ranked = sorted(zip(ids, scores, strict=True), key=lambda item: -item[1])
        return [(i, round(float(s), 3)) for i, s in ranked[:3] if s > 0]

    return rank


def figures(ranker: Ranker, cases: Sequence[Case]) -> dict[str, float]:
    """Top-1 and top-3 accuracy, and the eval figures at the threshold best for this method."""
    ranked = [(case, ranker(case.q)) for case in cases]
    inside = [(c, r) for c, r in ranked if c.expect]
    outside = [(c, r) for c, r in ranked if not c.expect]
    top1 = sum(bool(r) and r[0][0] in c.expect for c, r in inside) / len(inside)
    top3 = sum(any(i in c.expect for i, _ in r[:3]) for c, r in inside) / len(inside)
    best = None
    tops = sorted({r[0][1] for _, r in ranked if r} | {0.0})
    for threshold in [*tops, tops[-1] + 1]:
        correct = sum(bool(r) and r[0][1] >= threshold and r[0][0] in c.expect for c, r in inside)
        wrong = sum(bool(r) and r[0][1] >= threshold and r[0][0] not in c.expect for c, r in inside)
        declined = sum(not r or r[0][1] < threshold for _, r in outside)
        value = correct - 3 * wrong + declined
        if best is None or value > best[0]:
            best = (value, threshold, correct, wrong, declined)
    assert best is not None  # the loop runs at least once
    _, threshold, correct, wrong, declined = best
    return {
        "top1": round(top1, 4),
        "top3": round(top3, 4),
        "threshold": threshold,
        "confident_correct": round(correct / len(inside), 4),
        "confident_wrong": round(wrong / len(inside), 4),
        "out_of_scope_declined": round(declined / len(outside), 4) if outside else 0.0,
    }


def engine_figures(matcher: Matcher, cases: Sequence[Case]) -> dict[str, float | str]:
    summary = summarise(evaluate(Answerer(matcher.kb, matcher), cases))
    inside = [c for c in cases if c.expect]
    ranked = [(c, matcher.rank(c.q, 3)) for c in inside]
    return {
        "top1": round(
            sum(bool(r) and r[0].entry.id in c.expect for c, r in ranked) / len(inside), 4
        ),
        "top3": round(
            sum(any(x.entry.id in c.expect for x in r) for c, r in ranked) / len(inside), 4
        ),
        "threshold": "bands",
        "confident_correct": summary.confident_correct,
        "confident_wrong": summary.confident_wrong,
        "out_of_scope_declined": summary.out_of_scope_declined,
    }


def main() -> None:
    args = arguments(__doc__.split("\n")[0]).parse_args()
    kb = bundled()
    methods = {"extractOne (WRatio)": extract_one_ranker(kb), "BM25 (Okapi)": bm25_ranker(kb)}
    matcher = Matcher(kb)
    results: dict[str, dict[str, dict]] = {}
    rows = []
    for name, cases in eval_cases().items():
        results[name] = {"engine": engine_figures(matcher, cases)}
        for method, ranker in methods.items():
            results[name][method] = figures(ranker, cases)
        for method, f in results[name].items():
            rows.append(
                (
                    name,
                    method,
                    f"{f['top1']:.1%}",
                    f"{f['top3']:.1%}",
                    f["threshold"] if isinstance(f["threshold"], str) else f"{f['threshold']:.3g}",
                    f"{f['confident_correct']:.1%}",
                    f"{f['confident_wrong']:.1%}",
                    f"{f['out_of_scope_declined']:.1%}",
                )
            )
    headers = (
        "set", "method", "top-1", "top-3", "threshold", "confident & correct",
        "confident & wrong", "out of scope declined",
    )  # fmt: skip
    print(table(headers, rows))
    write_json(args.json, {"benchmark": "matching_quality", "results": results})


if __name__ == "__main__":
    main()
