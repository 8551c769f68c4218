"""`core` is the bottom layer: it imports no app above it, inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

import qingxie

SRC = Path(qingxie.__file__).parent
CORE = SRC / "core"
#: Every qingxie package that is not core: accounts, regions and the domain apps and shell.
ABOVE_CORE = sorted(
    p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p != CORE
)


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):  # walks function bodies too: lazy imports count
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from qingxie import accounts` names the app in the imported names.
            if node.module == "qingxie":
                found += [(node.lineno, f"qingxie.{a.name}") for a in node.names]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", "") == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.append((node.lineno, str(node.args[0].value)))
    return found


def test_there_are_apps_above_core():
    assert {"accounts", "regions", "ledger", "teams"} <= set(ABOVE_CORE)


def test_core_imports_nothing_from_accounts_regions_or_any_app():
    offences = []
    for path in sorted(CORE.rglob("*.py")):
        for line, module in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            parts = module.split(".")
            if parts[0] == "qingxie" and len(parts) > 1 and parts[1] in ABOVE_CORE:
                offences.append(f"{path.relative_to(SRC)}:{line} imports {module}")
    assert not offences, "core must not import the apps above it:\n" + "\n".join(offences)


def test_the_check_sees_an_import_inside_a_function():
    tree = ast.parse("def f():\n    from qingxie.accounts.permissions import scope_paths\n")
    assert _imported_modules(tree) == [(2, "qingxie.accounts.permissions")]
