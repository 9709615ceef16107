"""The layout a newcomer can read: small modules and classes, packages that say what they
hold and may import, and a README module map that names every module."""

from __future__ import annotations

import ast

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
