"""The layout a newcomer can read: small modules and classes, packages that say what they
hold and may import, and a README module map that names every module."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

BOT = ROOT / "bot"
MODULES = sorted(BOT.rglob("*.py"))


def test_no_module_over_400_lines_and_no_class_over_250() -> None:
    long_modules = [
        f"{p.relative_to(ROOT)}: {n}" for p in MODULES if (n := len(p.read_text().splitlines())) > 400
    ]
    long_classes = [
        f"{p.relative_to(ROOT)}: {node.name} {size}"
        for p in MODULES
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.ClassDef) and (size := (node.end_lineno or 0) - node.lineno + 1) > 250
    ]
    assert long_modules == [] and long_classes == []


def test_every_package_says_what_it_holds_and_may_import() -> None:
    for init in sorted(BOT.rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert doc and "import" in doc, init.relative_to(ROOT)


def test_the_readme_module_map_names_every_module() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    unnamed = [
        str(p.relative_to(BOT))
        for p in MODULES
        if p.name not in ("__init__.py", "__main__.py") and f"`{p.name}`" not in readme
    ]
    assert unnamed == []


LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """import-linter over the package at `root`, with the contracts of pyproject.toml."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=120
    )


def test_the_layers_hold() -> None:
    """Each layer of bot/ imports only the layers below it; only the transports and the
    interfaces import discord.py or aiohttp ([tool.importlinter] in pyproject.toml)."""
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("text.py", "import bot.store\n", "bot.text is not allowed to import bot.store"),
        (
            "judge/cluster.py",
            "import bot.delivery\n",
            "bot.judge.cluster -> bot.delivery",
        ),
        ("delivery/drain.py", "import discord\n", "bot.delivery.drain is not allowed to import discord"),
    ],
)
def test_the_contract_fails_when_a_lower_layer_imports_a_higher_one(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    shutil.copytree(BOT, tmp_path / "bot")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / "bot" / module
    target.write_text(target.read_text(encoding="utf-8") + line, encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode != 0 and broken in result.stdout, result.stdout[-3000:]
