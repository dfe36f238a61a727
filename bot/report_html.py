"""The admins' report as one HTML file to look at: charts drawn as inline SVG, no script.

`conduct-bot report --format html` and the playground's "Report" link write this page. It is
self-contained (styles inline, charts as SVG generated here, no script, no font or image to
fetch) so it can be mailed, archived or opened offline, and every chart has its numbers in a
table beneath it for screen readers and for copying. Everything from the database or the
knowledge base is escaped: a question is what an officer typed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape

from bot.knowledge import KnowledgeBase
from bot.reports import Report, build_report
from bot.store import Store
from bot.verdicts import rule_for
from bot.wording import ENGLISH, wording

# Bands as stored, what the report calls them, and their colours (distinct for colour-blind
# readers too: the order and the table carry the meaning as well).
BANDS = (
    ("answer", "answered", "#2e7d32"),
    ("suggest", "did you mean", "#e09b00"),
    ("vague", "vague", "#5470c6"),
    ("none", "unknown", "#c62828"),
)
VERDICT_COLOURS = {
    "allowed": "#2e7d32",
    "allowed with care": "#e09b00",
    "only with permission": "#1565c0",
    "not allowed": "#c62828",
    "depends": "#7b1fa2",
    "depends on service": "#7b1fa2",
    "no verdict": "#78909c",
}
WIDTH = 720  # the charts' viewBox width; they scale to the page
VOTES_SHOWN = 12  # entries in the votes chart: the ones an admin should read first


@dataclass(frozen=True)
class Figures:
    """Everything the page shows, read from the store once."""

    report: Report
    per_day: tuple[tuple[str, dict[str, int]], ...]  # (YYYY-MM-DD, band -> questions)
    verdicts: tuple[tuple[str, int], ...]  # (verdict, answers given)


def build_figures(store: Store, kb: KnowledgeBase | None, days: int) -> Figures:
    report = build_report(store, days)
    counts: dict[str, dict[str, int]] = {}
    for day, band, count in store.per_day_by_band(days):
        counts.setdefault(day, {})[band] = count
    answered = store.most_asked(days, limit=1_000_000)
    return Figures(report, _every_day(counts), _verdict_mix(answered, kb))


def _every_day(counts: dict[str, dict[str, int]]) -> tuple[tuple[str, dict[str, int]], ...]:
    """From the first day with a question to the last, days without any included as zero."""
    if not counts:
        return ()
    first, last = date.fromisoformat(min(counts)), date.fromisoformat(max(counts))
    span = (last - first).days + 1
    days = (str(first + timedelta(days=n)) for n in range(span))
    return tuple((day, counts.get(day, {})) for day in days)


def _verdict_mix(
    answered: Sequence[tuple[str, int]], kb: KnowledgeBase | None
) -> tuple[tuple[str, int], ...]:
    """How the confident answers split by verdict, as given to an officer of unknown service."""
    mix: dict[str, int] = {}
    for entry_id, count in answered:
        entry = kb.get(entry_id) if kb else None
        if entry is None or kb is None:
            label = "no verdict"
        else:
            ruling = rule_for(entry, kb, None)
            label = "depends on service" if ruling.differs else ruling.verdict or "no verdict"
        mix[label] = mix.get(label, 0) + count
    return tuple(sorted(mix.items(), key=lambda item: (-item[1], item[0])))


# --- the page ------------------------------------------------------------------------------


def render_report_html(
    figures: Figures, kb: KnowledgeBase | None, *, source: str, now: datetime | None = None
) -> str:
    stats = figures.report.stats
    generated = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        _section("Questions per day, by how they were answered", _per_day(figures.per_day)),
        _section("Most asked entries", _most_asked(stats.most_asked, kb)),
        _section("Votes", _votes(stats.votes, kb)),
        _section("Verdict mix of the answers given", _verdicts(figures.verdicts)),
        _section("Questions without a confident answer", _unanswered(figures.report, kb)),
    ]
    return PAGE.format(
        days=stats.days,
        generated=escape(generated),
        source=escape(source),
        summary=_summary(figures),
        sections="\n".join(sections),
    )


def _summary(figures: Figures) -> str:
    stats = figures.report.stats
    up = sum(u for _, u, _ in stats.votes)
    down = sum(d for _, _, d in stats.votes)
    facts = [
        (str(stats.questions), "questions"),
        (f"{stats.confident_share:.0%}", "answered confidently"),
        (str(sum(g.count for g in figures.report.unanswered)), "without a confident answer"),
        (f"{up} / {down}", "👍 / 👎"),
    ]
    cells = "".join(
        f'<div class="fact"><strong>{escape(value)}</strong> {escape(label)}</div>'
        for value, label in facts
    )
    return f'<div class="facts">{cells}</div>'


def _section(title: str, body: str) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
    return f'<section aria-labelledby="{slug}"><h2 id="{slug}">{escape(title)}</h2>{body}</section>'


def _empty(text: str = "Nothing in this period.") -> str:
    return f'<p class="empty">{escape(text)}</p>'


def _title_of(kb: KnowledgeBase | None, entry_id: str | None) -> str:
    entry = kb.get(entry_id) if kb and entry_id else None
    return entry.title if entry else entry_id or "nothing close"


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _numbers(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    return f"<details><summary>The numbers</summary>{_table(headers, rows)}</details>"


def _per_day(per_day: Sequence[tuple[str, dict[str, int]]]) -> str:
    if not per_day:
        return _empty()
    rows = [(day, *(counts.get(band, 0) for band, _, _ in BANDS)) for day, counts in per_day]
    return (
        _legend([(label, colour) for _, label, colour in BANDS])
        + stacked_columns(per_day)
        + _numbers(["day", *(label for _, label, _ in BANDS)], rows)
    )


def _most_asked(most_asked: Sequence[tuple[str, int]], kb: KnowledgeBase | None) -> str:
    if not most_asked:
        return _empty("No confident answers in this period.")
    items = [(_title_of(kb, entry_id), count) for entry_id, count in most_asked]
    return horizontal_bars("most-asked", "Times answered, by entry", items, "#2e7d32") + _numbers(
        ["entry", "times answered"], items
    )


def _votes(votes: Sequence[tuple[str, int, int]], kb: KnowledgeBase | None) -> str:
    if not votes:
        return _empty("No votes yet.")
    items = sorted(
        ((_title_of(kb, entry_id), up, down) for entry_id, up, down in votes),
        key=lambda item: (-item[2], -(item[1] + item[2]), item[0]),
    )
    shown = items[:VOTES_SHOWN]
    note = (
        f'<p class="note">The {VOTES_SHOWN} entries with the most 👎, then the most votes; '
        f"all {len(items)} are in the numbers.</p>"
        if len(items) > VOTES_SHOWN
        else ""
    )
    return (
        _legend([("👎 not helpful", "#c62828"), ("👍 helpful", "#2e7d32")])
        + diverging_bars(shown)
        + note
        + _numbers(["entry", "👍", "👎"], items)
    )


def _verdicts(verdicts: Sequence[tuple[str, int]]) -> str:
    if not verdicts:
        return _empty("No confident answers in this period.")
    words = wording(ENGLISH)
    labels = {
        **words.verdicts,
        "depends on service": words.depends_on_service,
        "no verdict": "No verdict (information, concerns)",
    }
    parts = [
        (labels.get(verdict, verdict), count, VERDICT_COLOURS.get(verdict, "#78909c"))
        for verdict, count in verdicts
    ]
    total = sum(count for _, count, _ in parts)
    rows = [(label, count, f"{count / total:.0%}") for label, count, _ in parts]
    return donut(parts) + _numbers(["verdict", "answers", "share"], rows)


def _unanswered(report: Report, kb: KnowledgeBase | None) -> str:
    if not report.unanswered:
        return _empty("Every question got a confident answer.")
    rows = "".join(
        "<tr>"
        f"<td>{escape(group.question)}"
        + (
            '<ul class="variants">'
            + "".join(f"<li>{escape(v)}</li>" for v in group.variants[1:])
            + "</ul>"
            if len(group.variants) > 1
            else ""
        )
        + f"</td><td>{group.count}</td><td>{escape(_title_of(kb, group.closest_id))}</td></tr>"
        for group in report.unanswered
    )
    return (
        '<p class="note">Near-identical questions are grouped; the variants are listed under '
        "the first. An admin can add one as a phrasing of its closest entry with /unanswered."
        '</p><table><thead><tr><th scope="col">question</th><th scope="col">times</th>'
        f'<th scope="col">closest entry</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def _legend(items: Sequence[tuple[str, str]]) -> str:
    keys = "".join(
        f'<li><span class="key" style="background:{colour}"></span>{escape(label)}</li>'
        for label, colour in items
    )
    return f'<ul class="legend">{keys}</ul>'


# --- charts --------------------------------------------------------------------------------


def _svg(name: str, height: float, title: str, description: str, body: str) -> str:
    return (
        f'<svg class="chart" data-chart="{name}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'role="img" aria-labelledby="{name}-title {name}-desc" '
        'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{name}-title">{escape(title)}</title>'
        f'<desc id="{name}-desc">{escape(description)}</desc>{body}</svg>'
    )


def _axis(peak: int) -> tuple[int, int]:
    """A round top for an axis of whole questions, and its step: 4 steps of 1, 2, 5, 10, 20..."""
    wanted = max(math.ceil(peak / 4), 1)
    power = 10 ** math.floor(math.log10(wanted))
    step = next(s * power for s in (1, 2, 5, 10) if s * power >= wanted)
    return step * max(math.ceil(peak / step), 1), step


def stacked_columns(per_day: Sequence[tuple[str, dict[str, int]]]) -> str:
    """One column a day, stacked by band, with a y axis of questions."""
    height, left, bottom, top = 260, 40, 30, 10
    plot_w, plot_h = WIDTH - left - 10, height - bottom - top
    peak, step_y = _axis(max(sum(c.values()) for _, c in per_day))
    step = plot_w / len(per_day)
    bar = max(min(step * 0.7, 48), 2)
    parts = [_y_axis(peak, step_y, left, top, plot_w, plot_h)]
    every = math.ceil(len(per_day) / 12)  # at most a dozen date labels
    for index, (day, counts) in enumerate(per_day):
        x = left + index * step + (step - bar) / 2
        y: float = top + plot_h
        for band, label, colour in BANDS:
            count = counts.get(band, 0)
            if not count:
                continue
            size = plot_h * count / peak
            y -= size
            parts.append(
                f'<rect class="bar" data-band="{band}" data-day="{day}" data-count="{count}" '
                f'x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{size:.1f}" fill="{colour}">'
                f"<title>{day}: {count} {escape(label)}</title></rect>"
            )
        if index % every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 10}" text-anchor="middle" '
                f'class="tick">{day[5:]}</text>'
            )
    total = sum(sum(c.values()) for _, c in per_day)
    description = f"{total} questions over {len(per_day)} days, stacked by band."
    return _svg("per-day", height, "Questions per day by band", description, "".join(parts))


def _y_axis(peak: int, step: int, left: float, top: float, width: float, height: float) -> str:
    lines = []
    for value in range(0, peak + 1, step):
        y = top + height - height * value / peak
        lines.append(
            f'<line class="grid" x1="{left}" x2="{left + width}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>'
        )
    return "".join(lines)


def _clip(text: str, size: int = 42) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def horizontal_bars(name: str, title: str, items: Sequence[tuple[str, int]], colour: str) -> str:
    """One labelled bar per item, longest first as given."""
    row, label_w = 28, 330
    height = row * len(items) + 10
    peak = max(count for _, count in items) or 1
    room = WIDTH - label_w - 50
    parts = []
    for index, (label, count) in enumerate(items):
        y = 5 + index * row
        size = max(room * count / peak, 1)
        parts.append(
            f'<text class="label" x="{label_w - 8}" y="{y + 18}" text-anchor="end">'
            f"{escape(_clip(label))}</text>"
            f'<rect class="bar" data-count="{count}" x="{label_w}" y="{y + 4}" '
            f'width="{size:.1f}" height="{row - 10}" fill="{colour}">'
            f"<title>{escape(label)}: {count}</title></rect>"
            f'<text class="value" x="{label_w + size + 6:.1f}" y="{y + 18}">{count}</text>'
        )
    description = "; ".join(f"{label}: {count}" for label, count in items)
    return _svg(name, height, title, description, "".join(parts))


def diverging_bars(items: Sequence[tuple[str, int, int]]) -> str:
    """👎 to the left of a centre line, 👍 to the right, one row per entry."""
    row, label_w = 28, 330
    height = row * len(items) + 10
    centre = label_w + (WIDTH - label_w) / 2
    half = (WIDTH - label_w) / 2 - 30
    peak = max(max(up, down) for _, up, down in items) or 1
    parts = [f'<line class="axis" x1="{centre}" x2="{centre}" y1="0" y2="{height}"/>']
    for index, (label, up, down) in enumerate(items):
        y = 5 + index * row
        parts.append(
            f'<text class="label" x="{label_w - 8}" y="{y + 18}" text-anchor="end">'
            f"{escape(_clip(label))}</text>"
        )
        for count, sign, colour, kind in ((up, 1, "#2e7d32", "up"), (down, -1, "#c62828", "down")):
            if not count:
                continue
            size = half * count / peak
            x = centre if sign > 0 else centre - size
            text_x = centre + sign * (size + 6)
            anchor = "start" if sign > 0 else "end"
            parts.append(
                f'<rect class="bar" data-vote="{kind}" data-count="{count}" x="{x:.1f}" '
                f'y="{y + 4}" width="{size:.1f}" height="{row - 10}" fill="{colour}">'
                f"<title>{escape(label)}: {count} {kind}</title></rect>"
                f'<text class="value" x="{text_x:.1f}" y="{y + 18}" text-anchor="{anchor}">'
                f"{count}</text>"
            )
    description = "; ".join(f"{label}: {up} up, {down} down" for label, up, down in items)
    return _svg("votes", height, "Votes by entry", description, "".join(parts))


def donut(parts: Sequence[tuple[str, int, str]]) -> str:
    """A ring cut into the parts' shares, with a legend of counts and percentages beside it."""
    total = sum(count for _, count, _ in parts) or 1
    radius, cx, cy = 70, 110, 110
    circumference = 2 * math.pi * radius
    pieces, legend = [], []
    offset = 0.0
    for index, (label, count, colour) in enumerate(parts):
        length = circumference * count / total
        pieces.append(
            f'<circle class="slice" data-count="{count}" cx="{cx}" cy="{cy}" r="{radius}" '
            f'fill="none" stroke="{colour}" stroke-width="38" '
            f'stroke-dasharray="{length:.2f} {circumference - length:.2f}" '
            f'stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 {cx} {cy})">'
            f"<title>{escape(label)}: {count} ({count / total:.0%})</title></circle>"
        )
        offset += length
        y = 40 + index * 28
        legend.append(
            f'<rect x="260" y="{y - 13}" width="16" height="16" fill="{colour}"/>'
            f'<text class="label" x="284" y="{y}">{escape(label)}: {count} '
            f"({count / total:.0%})</text>"
        )
    centre = f'<text class="total" x="{cx}" y="{cy + 8}" text-anchor="middle">{total}</text>'
    description = "; ".join(f"{label}: {count}" for label, count, _ in parts)
    body = "".join(pieces) + centre + "".join(legend)
    height = max(230, 40 + len(parts) * 28)
    return _svg("verdicts", height, "Verdict mix", description, body)


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>conduct-bot report: the last {days} days</title>
<style>
  :root {{ color-scheme: light; font-family: system-ui, sans-serif; color: #1d2733; }}
  body {{ margin: 0; background: #f3f5f8; }}
  main {{ max-width: 960px; margin: 0 auto; padding: 1rem; }}
  h1 {{ font-size: 1.5rem; margin: .5rem 0 0; }}
  .meta {{ color: #4a5766; margin: .25rem 0 1rem; }}
  section {{ background: #fff; border-radius: 12px; padding: 1rem 1.25rem; margin: 0 0 1rem;
            box-shadow: 0 1px 3px rgba(0,0,0,.08); }}
  h2 {{ font-size: 1.1rem; margin: 0 0 .75rem; }}
  .facts {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr));
           gap: .75rem; margin-bottom: 1rem; }}
  .fact {{ background: #fff; border-radius: 12px; padding: .75rem 1rem;
          box-shadow: 0 1px 3px rgba(0,0,0,.08); }}
  .fact strong {{ display: block; font-size: 1.6rem; }}
  svg.chart {{ width: 100%; height: auto; display: block; }}
  svg .tick, svg .value {{ font-size: 12px; fill: #4a5766; }}
  svg .label {{ font-size: 13px; fill: #1d2733; }}
  svg .total {{ font-size: 26px; font-weight: 600; fill: #1d2733; }}
  svg .grid {{ stroke: #e3e8ee; }}
  svg .axis {{ stroke: #9aa7b5; }}
  .legend {{ list-style: none; display: flex; flex-wrap: wrap; gap: 1rem; padding: 0;
            margin: 0 0 .5rem; }}
  .key {{ display: inline-block; width: .9rem; height: .9rem; border-radius: 3px;
         margin-right: .35rem; vertical-align: -2px; }}
  table {{ border-collapse: collapse; width: 100%; margin-top: .5rem; }}
  th, td {{ text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e3e8ee;
           vertical-align: top; }}
  details {{ margin-top: .5rem; }}
  summary {{ cursor: pointer; color: #1f5f99; }}
  .variants {{ margin: .25rem 0 0; padding-left: 1.2rem; color: #4a5766; font-size: .9rem; }}
  .empty, .note {{ color: #4a5766; }}
</style>
</head>
<body>
<main>
<h1>What officers asked: the last {days} days</h1>
<p class="meta">Generated {generated} from {source}.</p>
{summary}
{sections}
</main>
</body>
</html>
"""
