"""The `conduct-bot` command line: a thin layer over the knowledge base, matcher and renderer.

User mistakes (a bad path, an invalid knowledge base, a malformed evaluation file) end with a
one-line message on stderr and a non-zero exit, never a traceback. Exit codes: 0 success,
1 the thing checked is not right (invalid knowledge base), 2 usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.answering import Answer, Answerer
from bot.asker import Asker
from bot.built import build
from bot.config import ConfigError, Settings
from bot.evaluation import (
    EvalFileError,
    bands_text,
    check_bars,
    evaluate,
    load_cases,
    report_json,
    report_text,
)
from bot.knowledge import KnowledgeBase, KnowledgeError, json_schema, load_knowledge
from bot.matcher import Band, Matcher, Pull
from bot.render import render_answer_text, render_text
from bot.text import is_greeting
from bot.wording import LANGUAGES

if TYPE_CHECKING:
    from bot.reports import Report

PROMPT = "you> "


class UsageError(Exception):
    """Reported as `conduct-bot: <message>` with exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.handler(args) or 0)
    except KnowledgeError as error:
        print(error.report(), file=sys.stderr)
        return 1
    except (UsageError, ConfigError, EvalFileError) as error:
        print(f"conduct-bot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (| head): nothing left to say, no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conduct-bot",
        description="Answers public servants' questions about social-media conduct.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--knowledge", type=Path, metavar="DIR", help="knowledge base folder (default: bundled)"
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(
        name: str, handler: Callable[[argparse.Namespace], int], help: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, parents=[common], help=help, description=help)
        sub.set_defaults(handler=handler)
        return sub

    run = command("run", _run, "start the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    run.add_argument("--webhook", action="store_true", help="receive updates on WEBHOOK_URL")
    run.add_argument("--watch", action="store_true", help="reload when knowledge files change")
    ask = command("ask", _ask, "answer one question")
    ask.add_argument("question", nargs="+", help="the question, quoted or not")
    ask.add_argument("--json", action="store_true", help="print the match as JSON")
    chat = command("chat", _chat, "try the bot in the terminal (Ctrl-D to leave)")
    for sub in (ask, chat):
        sub.add_argument(
            "--service", metavar="NAME", help="answer for this service (central, ais, ...)"
        )
        sub.add_argument(
            "--lang",
            choices=LANGUAGES,
            help="answer in this language (default: the question's script)",
        )
    validate = command("validate", _validate, "check the knowledge base, listing every problem")
    validate.add_argument("directory", nargs="?", type=Path, help="folder to check")
    ev = command("eval", _eval, "measure matching on evaluation files, or check their bars")
    ev.add_argument("files", nargs="*", type=Path, metavar="FILE", help="YAML with cases")
    ev.add_argument(
        "--check",
        type=Path,
        metavar="BARS",
        help="check every set a bars file names against its bars; exit 1 if one is missed",
    )
    ev.add_argument("--json", action="store_true", help="print every case and the summary")
    ev.add_argument(
        "--bands", action="store_true", help="also show how often answers are right, by score"
    )
    report = command("report", _report, "statistics, unanswered questions and feedback")
    report.add_argument("--days", type=int, default=30, help="period to report (default 30)")
    report.add_argument("--format", choices=("text", "json", "csv", "html"), default="text")
    report.add_argument("--out", type=Path, metavar="FILE", help="write to FILE, not stdout")
    playground = command(
        "playground", _playground, "try the whole bot in a browser page (no token, no internet)"
    )
    playground.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    playground.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: loopback only)"
    )
    playground.add_argument(
        "--watch", action="store_true", help="reload when knowledge files change"
    )
    command("schema", _schema, "print the knowledge files' JSON Schema (knowledge/schema.json)")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(knowledge_dir=getattr(args, "knowledge", None))


def _answerer(args: argparse.Namespace) -> Answerer:
    settings = _settings(args)
    if not settings.knowledge_dir.exists():
        raise UsageError(f"knowledge folder not found: {settings.knowledge_dir}")
    return build(settings.knowledge_dir, (), settings.match, settings.cache_dir)


def _asker(args: argparse.Namespace, answerer: Answerer) -> Asker:
    service = getattr(args, "service", None)
    if service is not None and answerer.kb.service(service) is None:
        known = ", ".join(s.id for s in answerer.kb.services)
        raise UsageError(f"unknown service {service!r}; one of: {known}")
    return Asker(service=service, language=getattr(args, "lang", None))


def _load(directory: Path, extra_files: Sequence[Path] = ()) -> KnowledgeBase:
    if not directory.exists():
        raise UsageError(f"knowledge folder not found: {directory}")
    return load_knowledge(directory, extra_files)


def _run(args: argparse.Namespace) -> int:
    from bot.runner import run  # Telegram is imported only by the command that needs it

    return run(_settings(args), webhook=args.webhook, watch=args.watch)


def _ask(args: argparse.Namespace) -> int:
    answerer = _answerer(args)
    replies = answerer.ask_all(" ".join(args.question), _asker(args, answerer))
    if args.json:
        result = _answer_json(replies[0])
        result["answers"] = [{"question": a.question, **_answer_json(a)} for a in replies]
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(_answers_text(replies, answerer))
    return 0


def _answer_json(answer: Answer) -> dict[str, object]:
    match = answer.match
    return {
        "answer": answer.entry.id if answer.entry else None,
        "confident": match.confident,
        "band": match.band.value,
        "score": match.score,
        "verdict": answer.verdict,
        "service": answer.service.id if answer.service else None,
        "language": answer.language,
        "candidates": [{"id": c.entry.id, "score": c.score} for c in match.candidates],
    }


def _answers_text(replies: Sequence[Answer], answerer: Answerer) -> str:
    """One answer, or one per question (numbered) when the message asked several things."""
    if len(replies) == 1:
        return render_answer_text(replies[0], answerer.kb)
    return "\n\n".join(
        f"[{number}/{len(replies)}] \u201c{a.question.strip()}\u201d\n"
        + render_answer_text(a, answerer.kb)
        for number, a in enumerate(replies, 1)
    )


CHAT_HELP = """\
Type a question in your own words (English, Hinglish or Hindi). When I offer choices, type
the number of the one you mean. /help shows this; quit, exit or Ctrl-D leaves."""


def _chat(args: argparse.Namespace) -> int:
    """A terminal chat: line editing and history (readline), numbered choices, /help."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (importing it gives input() editing and history)
    answerer = _answerer(args)
    asker = _asker(args, answerer)
    print("Ask a question about social-media conduct. /help for help; Ctrl-D to leave.")
    offered: list[Answer] = []  # the last answer that offered choices, to pick by number
    while True:
        try:
            line = input(PROMPT).strip()
        except EOFError:
            print()
            return 0
        if line.lower() in {"quit", "exit"}:
            return 0
        if not line:
            continue
        if line.lower() in {"/help", "help", "/start"} or is_greeting(line):
            print(CHAT_HELP, end="\n\n")
            continue
        chosen = _choice(line, offered, answerer)
        if chosen is not None:
            print(chosen, end="\n\n")
            continue
        replies = answerer.ask_all(line, asker)
        offered = [a for a in replies if a.match.band is Band.SUGGEST][:1]
        print(_answers_text(replies, answerer), end="\n\n")


def _choice(line: str, offered: Sequence[Answer], answerer: Answerer) -> str | None:
    """The answer for "1", "2" ... after "did you mean", for the service asked about."""
    if not offered or not line.isdigit():
        return None
    answer = offered[0]
    choices = answer.match.candidates
    number = int(line)
    if not 1 <= number <= len(choices):
        return f"Type a number from 1 to {len(choices)}, or a new question."
    entry = choices[number - 1].entry
    ruling = answerer.rule(entry, answer.service.id if answer.service else None)
    return render_text(entry, answerer.kb, ruling, answer.language)


def _validate(args: argparse.Namespace) -> int:
    """Valid or not (exit 1 with every problem); then warnings, which do not stop the bot."""
    settings = _settings(args)
    directory = args.directory or settings.knowledge_dir
    kb = _load(directory, (settings.learned_phrasings,))
    rules = len(kb.of_kind("rule"))
    print(f"{directory}: valid, {len(kb.entries)} entries ({rules} rules)")
    pulls = Matcher(kb, settings.match).pulls()
    warnings = [*map(str, kb.warnings), *map(_pull_warning, pulls)]
    if warnings:
        print(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}:")
        print("\n".join(f"  {w}" for w in warnings))
    return 0


def _pull_warning(pull: Pull) -> str:
    where = f"{pull.entry.file}:{pull.entry.line} [{pull.entry.id}]"
    return (
        f"{where}: question \u201c{pull.question}\u201d is closer to '{pull.towards.id}'"
        f" ({pull.other:.2f}) than to the rest of its own entry ({pull.own:.2f})"
    )


def _report(args: argparse.Namespace) -> int:
    from bot import reports
    from bot.store import Store

    settings = _settings(args)
    if not settings.database.exists():
        raise UsageError(f"no database at {settings.database} (set DATABASE_PATH or DATA_DIR)")
    kb = None  # titles for entry ids, where the format shows them
    if args.format in ("text", "html") and settings.knowledge_dir.exists():
        kb = load_knowledge(settings.knowledge_dir)
    key = settings.user_hash_key.encode() if settings.user_hash_key else None
    store = Store(settings.database, key=key, retention_days=settings.retention_days)
    try:
        if args.format == "html":
            from bot.report_html import build_figures, render_report_html

            figures = build_figures(store, kb, args.days)
            text = render_report_html(figures, kb, source=settings.database.name)
        else:
            report = reports.build_report(store, args.days)
            text = _report_as(args.format, report, kb)
    finally:
        store.close()
    if args.out is None:
        print(text, end="" if text.endswith("\n") else "\n")
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {args.out}: {error.strerror}") from None
    return 0


def _report_as(form: str, report: Report, kb: KnowledgeBase | None) -> str:
    from bot import reports

    if form == "json":
        return reports.report_json(report)
    if form == "csv":
        return reports.report_csv(report)
    return reports.report_text(report, kb)


def _playground(args: argparse.Namespace) -> int:
    from bot.playground.server import run_playground  # aiohttp and Telegram, only when asked

    return run_playground(_settings(args), host=args.host, port=args.port, watch=args.watch)


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2))
    return 0


def _eval(args: argparse.Namespace) -> int:
    answerer = _answerer(args)
    if args.check is not None:
        bars = check_bars(answerer, args.check)
        print("\n".join(map(str, bars)))
        missed = [b for b in bars if not b.kept]
        print(f"{len(bars) - len(missed)} of {len(bars)} bars kept")
        return 1 if missed else 0
    if not args.files:
        raise UsageError("eval needs evaluation FILEs, or --check BARS")
    outcomes = [o for path in args.files for o in evaluate(answerer, load_cases(path))]
    if args.json:
        print(json.dumps(report_json(outcomes), ensure_ascii=False, indent=2))
    else:
        print(report_text(outcomes))
    if args.bands:
        print("\n" + bands_text(outcomes))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
