"""English complete: every message the code and templates of the apps on this branch mark for
translation has an English translation in the committed catalogue (none missing, none fuzzy).

The strings are extracted afresh (Django's makemessages, on a copy of the source), so a new
`{% translate %}` or `gettext()` without its English fails here, whichever app it is in.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import qingxie

SOURCE = Path(qingxie.__file__).parent


def _entries(po: Path) -> list[tuple[str, bool, list[str]]]:
    """(msgid, fuzzy, msgstrs) for every entry but the header."""
    found = []
    for block in po.read_text("utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if m:
                key = m.group(1)
                fields[key] = m.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            found.append((fields["msgid"], "#, fuzzy" in block, strs))
    return found


def test_every_marked_string_has_its_english(tmp_path):
    copy = tmp_path / "qingxie"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("static", "__pycache__"))
    env = {**os.environ, "QINGXIE_DATA_DIR": str(tmp_path / "data")}
    subprocess.run(
        [sys.executable, "-m", "qingxie", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    entries = _entries(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 150
    missing = [msgid for msgid, fuzzy, strs in entries if fuzzy or not all(strs)]
    assert not missing, "No English for (add it to src/qingxie/locale/en, docs/i18n.md):\n" + (
        "\n".join(missing)
    )
