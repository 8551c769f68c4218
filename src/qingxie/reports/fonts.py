"""The Chinese fonts the bulletin embeds: Noto Serif/Sans CJK SC from Debian's fonts-noto-cjk.

Fonts are found on the machine at run time (`./run install` installs the Debian package), never
committed. The files are OpenType collections (.ttc) holding the JP, KR, SC, TC and HK faces;
the Simplified Chinese face is picked by its family name, not by position, since the order
differs between releases.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext

from qingxie.core.errors import QingxieError

#: Where distributions put the Noto CJK collections; QINGXIE_FONT_DIR is searched first.
SEARCH_DIRS = (
    "/usr/share/fonts/opentype/noto",  # Debian, Ubuntu: fonts-noto-cjk
    "/usr/share/fonts/noto-cjk",  # Arch: noto-fonts-cjk
    "/usr/share/fonts/google-noto-cjk",  # Fedora, RHEL: google-noto-*-cjk-fonts
)

#: role → (file name, family name of the face to use)
FACES = {
    "serif": ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    "serif_bold": ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),
    "sans": ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    "sans_bold": ("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
}


class FontsMissingError(QingxieError):
    """No Chinese font to embed: the PDF cannot be written (Word still can)."""


@dataclass(frozen=True)
class Face:
    """One face of a font file: the file and, for a collection, the face's index in it."""

    path: Path
    index: int
    family: str


@dataclass(frozen=True)
class CjkFonts:
    """The four faces the bulletin uses: body (serif), masthead (serif bold), headings and
    figures (sans, sans bold)."""

    serif: Face
    serif_bold: Face
    sans: Face
    sans_bold: Face


def _search_dirs() -> list[Path]:
    extra = os.environ.get("QINGXIE_FONT_DIR")
    return [Path(d) for d in ((extra,) if extra else ()) + SEARCH_DIRS]


def _face_index(path: Path, family: str) -> int:
    from fontTools.ttLib import TTCollection

    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    # lazy: only the table directory and the name tables are read, not the 20 MB of outlines.
    collection = TTCollection(str(path), lazy=True)
    for index, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == family:
            return index
    raise FontsMissingError(
        gettext("字体文件 %(path)s 中没有“%(family)s”字形。") % {"path": path, "family": family}
    )


@functools.cache
def cjk_fonts() -> CjkFonts:
    """Locate the faces once per process, or raise FontsMissingError saying how to install them."""
    found = {}
    for role, (filename, family) in FACES.items():
        path = next((d / filename for d in _search_dirs() if (d / filename).is_file()), None)
        if path is None:
            raise FontsMissingError(
                gettext(
                    "未找到中文字体文件 %(file)s，无法生成 PDF（Word 版不受影响）。"
                    "请运行 ./run install（将安装 Debian 软件包 fonts-noto-cjk），"
                    "或将环境变量 QINGXIE_FONT_DIR 指向存放 Noto CJK 字体的目录。"
                )
                % {"file": filename},
                code="fonts_missing",
            )
        found[role] = Face(path, _face_index(path, family), family)
    return CjkFonts(**found)
