"""What ships is what runs: the wheel, installed as README says (`pip install .`) into a fresh
virtual environment, imports every one of its modules and answers a question.

Slow-ish (it builds the wheel and installs its dependencies, from pip's cache when it can), so
it is one test that checks everything a release would break.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT

IMPORT_EVERY_MODULE = """
import importlib, pkgutil, bot
names = [m.name for m in pkgutil.walk_packages(bot.__path__, "bot.")]
for name in names:
    importlib.import_module(name)
print(len(names))
"""


def test_the_built_wheel_installs_alone_and_every_module_imports(tmp_path: Path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("conduct_bot-*.whl")
    shipped = zipfile.ZipFile(wheel).namelist()
    assert "bot/knowledge/format.py" in shipped and "bot/playground/static/index.html" in shipped
    assert any(name.startswith("bot/bundled_knowledge/") for name in shipped) or any(
        name.endswith("knowledge/rules-accounts.yaml") for name in shipped
    ), "the knowledge base ships with the code"
    assert not [n for n in shipped if n.startswith("tests/")], "tests stay out of the wheel"

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python)]  # this pip, into that venv
    subprocess.run(  # not byte-compiling what is installed saves a second
        [*pip, "install", "-q", "--no-compile", str(wheel)],
        check=True,
        capture_output=True,
    )
    outside = tmp_path / "elsewhere"  # not the repository: only the installed package counts
    outside.mkdir()
    imported = subprocess.run(
        [str(python), "-c", IMPORT_EVERY_MODULE],
        cwd=outside,
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    assert int(imported.stdout) >= 40, "every module of the package was walked"

    asked = subprocess.run(
        [str(venv / "bin" / "conduct-bot"), "ask", "Can I post a reel from my official vehicle?"],
        cwd=outside,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.startswith("⛔ Not allowed: Official vehicles")
