"""Meta-tests of the layers: every module of src/qingxie is parsed with `ast` (imports inside
functions included) and an import that points the wrong way fails the test.

    web, sheets, reports        the shell: may import anything below
    ledger, teams, …            domain apps: each alone; another domain app only for data
    regions, accounts           divisions; users, roles and policies
    core                        imports no app above it
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import qingxie

ROOT = Path(qingxie.__file__).parent

CORE = "core"
DIVISIONS = {"regions", "accounts"}
#: Domain apps, each alone. New apps of the wave join this set as they land.
DOMAIN = {
    "ledger",
    "teams",
    "trainings",
    "plans",
    "assessment",
    "projects",
    "competitions",
    "volunteers",
    "stats",
}
SHELL = {"web", "sheets", "reports"}
#: A domain app's UI: never borrowed by another domain app (shared helpers belong in core).
UI_MODULES = {"views", "api", "forms", "serializers", "filtersets", "sheets", "tables", "urls"}


def _imports(path: Path, root: Path):
    """(line, dotted name) of every qingxie module `path` imports, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(("qingxie", *path.relative_to(root).with_suffix("").parts[:-1]))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module.count(".") == 1:  # `from qingxie.ledger import api` names the module
                for alias in node.names:
                    yield node.lineno, f"{module}.{alias.name}"
            else:
                yield node.lineno, module


def _violations(rule, root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(root).parts
        app = parts[0] if len(parts) > 1 else ""
        for line, name in _imports(path, root):
            parts = name.split(".")
            if parts[0] != "qingxie" or len(parts) < 2:
                continue
            why = rule(app, parts[1], parts[2] if len(parts) > 2 else "")
            if why:
                found.append(f"{path.relative_to(root)}:{line} imports {name}: {why}")
    return sorted(set(found))


#: Known imports against the layers, each to be replaced by a registry filled in the domain
#: app's AppConfig.ready() (issue 11, item 1). The list may only shrink: an entry that is
#: gone must be removed here (see test_known_exceptions_still_exist).
KNOWN = {
    # The region page counts associations, and retiring a county moves its associations.
    "regions/views.py imports qingxie.ledger.models",
    "regions/management/commands/regions.py imports qingxie.ledger.services",
}


def _unknown(found: list[str]) -> list[str]:
    return [f for f in found if _known_key(f) not in KNOWN]


def _known_key(found: str) -> str:
    where, rest = found.split(" imports ", 1)
    return f"{where.rsplit(':', 1)[0]} imports {rest.split(':', 1)[0]}"


def _core_imports_nothing_above(app: str, target: str, module: str) -> str | None:
    if app == CORE and target in DIVISIONS | DOMAIN | SHELL:
        return "core imports no app above it"
    return None


def _divisions_import_no_domain_or_shell(app: str, target: str, module: str) -> str | None:
    if app in DIVISIONS and target in DOMAIN | SHELL:
        return f"{app} lies below the domain apps and the shell"
    return None


def _domain_apps_stand_alone(app: str, target: str, module: str) -> str | None:
    if app not in DOMAIN or target == app:
        return None
    if target in SHELL:
        return "a domain app does not import the shell"
    if target in DOMAIN and module in UI_MODULES:
        return (
            f"{app} borrows {target}'s {module}: read its data through {target}.selectors, "
            "or move the shared helper into core"
        )
    return None


@pytest.mark.parametrize(
    "rule",
    [_core_imports_nothing_above, _divisions_import_no_domain_or_shell, _domain_apps_stand_alone],
    ids=["core", "divisions", "domain"],
)
def test_imports_point_down_the_layers(rule):
    bad = _unknown(_violations(rule))
    assert not bad, "Imports against the layers:\n" + "\n".join(bad)


def test_known_exceptions_still_exist():
    """Once an exception is fixed it leaves KNOWN, so it cannot come back unnoticed."""
    everything = [
        _known_key(found)
        for rule in (_core_imports_nothing_above, _divisions_import_no_domain_or_shell)
        for found in _violations(rule)
    ]
    assert set(everything) >= KNOWN, f"Fixed; remove from KNOWN: {KNOWN - set(everything)}"


def test_the_layer_check_sees_imports_inside_functions(tmp_path):
    """The rule catches a borrowed helper even when it is imported lazily or relatively."""
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "probe.py").write_text(
        "def f():\n    from qingxie.ledger.views import X\n    from ..ledger import api\n",
        encoding="utf-8",
    )
    bad = _violations(_domain_apps_stand_alone, root=tmp_path)
    assert [b.split(" ")[0] for b in bad] == ["teams/probe.py:2", "teams/probe.py:3"]
    assert "qingxie.ledger.views" in bad[0] and "qingxie.ledger.api" in bad[1]
