"""The conduct-bot command line, run as an admin runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import EVAL_DIR


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The real program in a child process, as a console user sees it."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_ask_prints_the_answer_verdict_first(capsys):
    assert main(["ask", "Can I post a reel from my official vehicle?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(("⛔ Not allowed", "⚠️ Allowed, with care"))
    assert "Official" in out.splitlines()[0]
    assert "Source" in out


def test_ask_json_has_the_documented_shape(capsys):
    question = "What are the ethical concerns about social media for officers?"
    assert main(["ask", "--json", question]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["answer"] == "overview-concerns"
    assert result["confident"] is True
    assert isinstance(result["score"], float)
    assert result["candidates"][0] == {"id": "overview-concerns", "score": result["score"]}


def test_ask_json_without_an_answer(capsys):
    assert main(["ask", "--json", "qwertyuiop"]) == 0
    nothing = {
        "answer": None,
        "confident": False,
        "band": "none",
        "score": 0.0,
        "verdict": None,
        "service": None,
        "language": "en",
        "candidates": [],
    }
    assert json.loads(capsys.readouterr().out) == {
        **nothing,
        "answers": [{"question": "qwertyuiop", **nothing}],
    }


def test_eval_prints_the_four_figures_and_json(tmp_path, capsys):
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "cases:\n"
        "  - q: Can I post a reel from my official vehicle?\n"
        "    expect: [official-vehicle-premises]\n"
        "  - q: Can I post a reel from my official vehicle!\n"
        "    expect: [training]\n"
        "  - q: qwertyuiop\n"
        "    expect: []\n",
        encoding="utf-8",
    )
    assert main(["eval", str(cases)]) == 0
    out = capsys.readouterr().out
    assert "confident and correct:   50.0%" in out
    assert "confident but wrong:     50.0%" in out
    assert "no confident answer:    100.0%" in out
    assert main(["eval", "--json", str(cases)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["in_scope"] == 2
    assert report["cases"][2] == {
        "q": "qwertyuiop",
        "expect": [],
        "answer": None,
        "topic": None,
        "confident": False,
        "score": 0.0,
        "candidates": [],
        "service": None,
        "verdict": None,
        "language": "en",
        "accept": [],
        "mislead": [],
        "expect_each": [],
        "answers": [],
        "best": None,
        "best_right": False,
    }


def test_eval_of_the_shared_dev_set_runs():
    result = run("eval", str(EVAL_DIR / "dev.yaml"))
    assert result.returncode == 0, result.stderr
    assert "confident and correct" in result.stdout


def test_chat_answers_until_end_of_input():
    result = run("chat", stdin="Can I post a reel from my official vehicle?\n\nqwertyuiop\n")
    assert result.returncode == 0
    assert "Official vehicles" in result.stdout or "official vehicle" in result.stdout.lower()
    assert "I don't know" in result.stdout


def test_chat_greets_helps_and_takes_a_number_for_a_choice():
    result = run("chat", stdin="namaste\nemblem on my car\n2\n9\n/help\n")
    assert result.returncode == 0
    out = result.stdout
    assert out.count("/help shows this") == 2, "a greeting and /help get the help"
    offered = out.index("Did you mean")
    second = out[offered:].splitlines()[2]  # the line "2. <title>  (<id>)"
    title = second.split(". ", 1)[1].rsplit("  (", 1)[0]
    assert title in out[offered:].split("you> ")[1], "typing 2 opens the second choice"
    assert "Type a number from 1 to 3" in out


def test_ask_piped_into_head_prints_no_traceback():
    command = f"{sys.executable} -m bot eval {EVAL_DIR / 'own.yaml'} --json | head -n 1"
    result = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "{"
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "--knowledge", "/no/such/folder", "hi"], "knowledge folder not found"),
        (["eval", "/no/such/file.yaml"], "cannot read"),
        (["frobnicate"], "invalid choice"),
        ([], "usage"),
    ],
)
def test_user_mistakes_exit_2_without_a_traceback(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_knowledge_exits_1_with_the_problems(knowledge_copy: Path):
    (knowledge_copy / "extra.yaml").write_text("entries:\n  - id: x\n", encoding="utf-8")
    result = run("ask", "--knowledge", str(knowledge_copy), "anything")
    assert result.returncode == 1
    assert f"{knowledge_copy / 'extra.yaml'}:2 [x]: missing field 'title'" in result.stderr
    assert "Traceback" not in result.stderr


def test_console_script_is_installed():
    script = shutil.which("conduct-bot", path=str(Path(sys.executable).parent))
    assert script, "pip install -e . provides the conduct-bot command"
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert "validate" in result.stdout


PROFILE = "can I keep a photo in uniform as my profile picture?"


def test_ask_answers_for_the_service_given_and_says_which(capsys):
    verdicts = {}
    for service in ("up-police", "central", "maharashtra", None):
        args = ["ask", "--json", PROFILE] + (["--service", service] if service else [])
        assert main(args) == 0
        result = json.loads(capsys.readouterr().out)
        assert result["answer"] == "uniform-profile-picture"
        assert result["service"] == service
        verdicts[service] = result["verdict"]
    assert verdicts == {
        "up-police": "depends",
        "central": "allowed with care",
        "maharashtra": "not allowed",
        None: "depends",
    }


def test_ask_json_of_a_question_that_names_no_topic_is_not_confident(capsys):
    assert main(["ask", "--json", "can I post?"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["confident"], result["band"], result["verdict"]) == (False, "vague", None)


def test_an_unknown_service_is_a_usage_error():
    result = run("ask", "--service", "navy", "can I post in uniform?")
    assert result.returncode == 2
    assert "unknown service 'navy'; one of: central, ais" in result.stderr


def test_eval_reports_acceptable_and_misleading_headlines(tmp_path, capsys):
    cases = tmp_path / "verdicts.yaml"
    cases.write_text(
        "cases:\n"
        f"  - q: {PROFILE}\n"
        "    service: maharashtra\n"
        "    expect: [uniform-profile-picture]\n"
        "    accept: [not allowed]\n"
        "    mislead: [allowed, allowed with care]\n"
        "  - q: can I post?\n"
        "    expect: []\n"
        "    accept: [none]\n"
        "    mislead: [allowed, not allowed]\n"
        f"  - q: {PROFILE}\n"
        "    expect: [uniform-profile-picture]\n"
        "    accept: [allowed with care]\n"
        "    mislead: [depends]\n",
        encoding="utf-8",
    )
    assert main(["eval", str(cases)]) == 0
    out = capsys.readouterr().out
    assert "verdicts:      3 questions" in out
    assert "acceptable headline:     66.7%" in out
    assert "misleading headline:     33.3%" in out
    assert main(["eval", "--json", str(cases)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [c["verdict"] for c in report["cases"]] == ["not allowed", None, "depends"]
    assert report["summary"]["misleading_headlines"] == 0.3333


def test_a_message_asking_two_things_gets_two_answers_each_with_its_verdict(capsys):
    message = (
        "can I make reels in uniform? and can I accept a free phone from a brand for a review?"
    )
    assert main(["ask", "--json", "--service", "up-police", message]) == 0
    result = json.loads(capsys.readouterr().out)
    got = [(a["answer"], a["verdict"]) for a in result["answers"]]
    assert got == [
        ("uniform-and-insignia", "not allowed"),
        ("gifts-and-sponsorships", "not allowed"),
    ]
    assert main(["ask", message]) == 0
    out = capsys.readouterr().out
    assert "[1/2]" in out and "[2/2]" in out


def test_eval_bands_show_how_often_the_best_entry_is_right_by_score(capsys):
    assert main(["eval", str(EVAL_DIR / "dev.yaml"), str(EVAL_DIR / "own.yaml"), "--bands"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("best score") :].splitlines()
    assert table[0].startswith("best score   questions  best is right")
    rows = [line.split() for line in table[1:]]
    assert sum(int(row[1]) for row in rows) > 250
    assert rows[-1][0] == "0.90-1.00" and int(rows[-1][2].rstrip("%")) >= 98


def test_eval_check_measures_the_folder_it_is_given_and_names_a_missed_bar(knowledge_copy):
    bars = EVAL_DIR / "bars.yaml"
    good = run("eval", "--check", str(bars), "--knowledge", str(knowledge_copy))
    assert "dev.yaml: confident_correct" in good.stdout
    for words in ("synonyms.yaml", "words-hindi.yaml"):  # no shorthand, Hinglish or Hindi words
        (knowledge_copy / words).write_text("synonyms: {}\n", encoding="utf-8")
    broken = run("eval", "--check", str(bars), "--knowledge", str(knowledge_copy))
    assert broken.returncode == 1
    assert "FAIL own.yaml: confident_correct" in broken.stdout
