"""docs/import.md is what the kinds' declarations say (regenerate it when they change)."""

from __future__ import annotations

from pathlib import Path

from qingxie.sheets.docs import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "import.md"


def test_import_doc_matches_the_declarations():
    assert DOC.read_text("utf-8") == render(), (
        "docs/import.md is out of date: .venv/bin/python -m qingxie.sheets.docs > docs/import.md"
    )


def test_every_importable_column_is_documented_with_its_choices():
    from qingxie.sheets.kinds import KINDS

    text = DOC.read_text("utf-8")
    for kind in KINDS.values():
        assert f"## {kind.title}（`{kind.name}`" in text
        for column in kind.columns:
            assert f"| {column.header} |" in text
            for label in column.labels:
                assert label in text
