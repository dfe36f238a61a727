"""Loading and validating the knowledge base, as an admin editing YAML meets it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.cli import main
from bot.knowledge import SCHEMA_FILE, KnowledgeError, json_schema, load_knowledge
from tests.conftest import EVAL_DIR, KNOWLEDGE_DIR

CONCERN = """\
  - id: {id}
    kind: concern
    title: A concern
    answer: Why this matters.
    questions: ["{question}"]
    sources: [CCS (Conduct) Rules 1964, rule 3]
"""
RULE = """\
  - id: {id}
    kind: rule
    title: A rule
    verdict: allowed with care
    answer: The rule.
    why: Why it matters here.
    concerns: [{why}]
    related: [{related}]
    questions: ["{question}"]
    sources: [CCS (Conduct) Rules 1964, rule 3]
"""


def write(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(folder)
    return [str(p) for p in caught.value.problems]


def test_bundled_knowledge_base_is_valid(kb):
    assert len(kb.entries) >= 13
    assert kb.synonyms["gaadi"] == "vehicle"


def test_every_id_the_evaluation_sets_name_exists(kb):
    listed = (EVAL_DIR / "required-ids.txt").read_text(encoding="utf-8")
    ids = [line for line in listed.splitlines() if line and not line.startswith("#")]
    assert len(ids) >= 40
    assert [i for i in ids if kb.get(i) is None] == []


def test_a_valid_minimal_base_loads_with_links_and_aliases(tmp_path):
    write(
        tmp_path,
        "a.yaml",
        "entries:\n"
        + CONCERN.format(id="c-one", question="what is c one")
        + RULE.format(id="r-one", why="c-one", related="c-one", question="can i r one")
        + "    aliases: [old-r-one]\n",
    )
    kb = load_knowledge(tmp_path)
    assert kb.get("old-r-one") is kb.get("r-one")
    assert kb.rules_under("c-one") == (kb.get("r-one"),)


def test_every_problem_is_reported_at_once_with_file_line_and_entry(tmp_path):
    write(
        tmp_path,
        "a.yaml",
        "entries:\n"
        + CONCERN.format(id="dup", question="same words here")
        + CONCERN.format(id="dup", question="another question")
        + RULE.format(
            id="r-two", why="no-such-concern", related="nowhere", question="Same words here!"
        )
        + "    verdic: allowed\n"
        + "  - id: no-answer\n    kind: guideline\n    title: T\n    questions: [q]\n"
        + "    sources: [s]\n    verdict: allowed\n",
    )
    found = problems_of(tmp_path)
    a = str(tmp_path / "a.yaml")
    expected = [
        f"{a}:8 [dup]: id 'dup' is already used at {a}:2; give this entry a new id",
        f"{a}:14 [r-two]: 'concerns' links to 'no-such-concern', which does not exist; "
        "it must be a concern",
        f"{a}:14 [r-two]: 'related' links to unknown id 'nowhere'",
        f"{a}:24 [r-two]: unknown field 'verdic' (did you mean 'verdict'?)",
        f"{a}:25 [no-answer]: missing field 'answer'",
        f"{a}:25 [no-answer]: only rules have 'verdict', not a guideline",
    ]
    for line in expected:
        assert line in found, f"{line!r} not in {found}"
    assert any("question 'Same words here!' is also a question of 'dup'" in p for p in found)


def test_yaml_syntax_errors_name_the_file_and_line_and_other_files_still_checked(tmp_path):
    write(tmp_path, "broken.yaml", "entries:\n  - id: x\n    title: [unclosed\n")
    write(
        tmp_path,
        "other.yaml",
        "entries:\n" + RULE.format(id="r", why="c", related="c", question="q"),
    )
    found = problems_of(tmp_path)
    assert any(
        p.startswith(f"{tmp_path / 'broken.yaml'}:4: the file does not parse") for p in found
    )
    assert not any("links to" in p for p in found), "no knock-on problems from a broken file"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "file is empty"),
        ("- just a list\n", "the file must be a mapping"),
        ("entrys: []\n", "unknown top-level key 'entrys' (did you mean 'entries'?)"),
        ("entries:\n  - id: Bad_Id\n", "id 'Bad_Id' must be lowercase words joined by hyphens"),
        ("entries:\n  - id: " + "a" * 49 + "\n", "at most 48 fit in a Telegram button"),
        ("entries:\n  - id: x\n    kind: rumour\n", "'kind' is 'rumour'; it must be one of"),
        ("entries:\n  - id: x\n    id: y\n", "'id' is given twice"),
        ("entries:\n  - id: x\n    questions: not a list\n", "'questions' must be a list"),
        ("ignore: [yes, maybe]\n", "'ignore': write 'yes' in quotes"),
        ("entries:\n  - id: x\n    kind: rule\n", "a rule needs 'verdict'"),
        ("entries:\n  - id: x\n    kind: rule\n    verdict: maybe\n", "it must be one of: allowed"),
        ("entries:\n  - id: x\n    keywords: [5000]\n", "write '5000' in quotes"),
        (
            "entries:\n  - id: x\n    services: {up-police: {verdict: allowed}}\n",
            "missing field 'note'",
        ),
        (
            "synonyms:\n  car: [gaadi]\n  bike: [gaadi]\n",
            "synonym 'gaadi' means 'bike' here but 'car'",
        ),
    ],
)
def test_each_kind_of_problem_has_a_clear_message(tmp_path, body, message):
    write(tmp_path, "k.yaml", body)
    assert any(message in p for p in problems_of(tmp_path)), problems_of(tmp_path)


def test_validate_command_lists_every_problem_and_exits_1(knowledge_copy, capsys):
    target = next(knowledge_copy.glob("rules-*.yaml"))
    # the entries' own titles, not the titles of their `hi:` blocks (indented deeper)
    text = target.read_text(encoding="utf-8")
    text = re.sub(r"^    title:", "    titel:", text, count=2, flags=re.MULTILINE)
    target.write_text(text, encoding="utf-8")
    assert main(["validate", str(knowledge_copy)]) == 1
    err = capsys.readouterr().err
    assert err.count("unknown field 'titel'") == 2
    assert err.count("missing field 'title'") == 2
    assert f"{target}:" in err


def test_validate_command_passes_on_the_bundled_base(capsys):
    assert main(["validate"]) == 0
    assert "valid" in capsys.readouterr().out


def test_published_schema_matches_the_code():
    published = json.loads((KNOWLEDGE_DIR / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert published == json_schema(), "run: conduct-bot schema > knowledge/schema.json"


@pytest.mark.parametrize("path", sorted(KNOWLEDGE_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_knowledge_file_passes_the_published_schema(path):
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), json_schema())


def test_schema_rejects_what_the_loader_rejects(tmp_path):
    bad = {
        "entries": [
            {
                "id": "x",
                "kind": "concern",
                "title": "t",
                "answer": "a",
                "questions": ["q"],
                "sources": ["s"],
                "verdict": "allowed",
            }
        ]
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json_schema())
    write(tmp_path, "k.yaml", yaml.safe_dump(bad))
    assert any("only rules have 'verdict'" in p for p in problems_of(tmp_path))


def test_diff_reports_added_removed_and_changed(tmp_path):
    write(
        tmp_path,
        "a.yaml",
        "entries:\n"
        + CONCERN.format(id="a", question="qa")
        + CONCERN.format(id="b", question="qb"),
    )
    old = load_knowledge(tmp_path)
    write(
        tmp_path,
        "a.yaml",
        "entries:\n"
        + CONCERN.format(id="a", question="qa changed")
        + CONCERN.format(id="c", question="qc"),
    )
    diff = old.diff(load_knowledge(tmp_path))
    assert (diff.added, diff.removed, diff.changed) == (("c",), ("b",), ("a",))


def test_schema_file_is_referenced_by_every_knowledge_file():
    for path in KNOWLEDGE_DIR.glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema={SCHEMA_FILE}", path.name


def test_rule_entries_are_complete(kb):
    for entry in kb.of_kind("rule"):
        assert entry.verdict and entry.why and entry.concerns, entry.id
        assert entry.examples and entry.do_instead, entry.id
        assert len(entry.questions) >= 8, entry.id
        assert entry.sources, entry.id


def test_an_id_given_twice_is_blamed_on_the_copy_in_the_file_edited_last(tmp_path):
    import os

    older = write(tmp_path, "b-old.yaml", "entries:\n" + CONCERN.format(id="dup", question="q1"))
    newer = write(tmp_path, "a-new.yaml", "entries:\n" + CONCERN.format(id="dup", question="q2"))
    os.utime(older, (1_000_000, 1_000_000))
    os.utime(newer, (2_000_000, 2_000_000))
    found = [p for p in problems_of(tmp_path) if "already used" in p]
    assert found == [
        f"{newer}:2 [dup]: id 'dup' is already used at {older}:2; give this entry a new id"
    ]


@pytest.mark.parametrize(
    ("indent", "words"),
    [("      ", "indented more than the one above"), ("   ", "indented differently")],
)
def test_one_misindented_line_is_one_problem_in_plain_words(knowledge_copy, indent, words):
    accounts = knowledge_copy / "rules-accounts.yaml"
    text = accounts.read_text(encoding="utf-8")
    broken = "    title: Running official handles and pages\n"
    accounts.write_text(text.replace(broken, indent + broken.lstrip(), 1), encoding="utf-8")
    found = problems_of(knowledge_copy)
    assert len(found) == 1, found
    assert found[0].startswith(f"{accounts}:") and words in found[0]
    assert "expected <block end>" not in found[0] and "mapping values" not in found[0]
