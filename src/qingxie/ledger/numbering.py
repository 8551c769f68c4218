"""The unified number (统一编号) of an association: region, level, sequence and a check character.

Format ``RRRRRR-L-SS-C``: the six-digit region code and the level (0 national … 3 county) at
the moment the number is assigned, a two-digit sequence for successive associations on that
region and level, and an ISO 7064 MOD 11-2 check character (0–9 or X, the scheme of the
resident ID number) over the nine digits before it. See docs/numbering.md.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext
from stdnum.iso7064 import mod_11_2

from qingxie.core.errors import QingxieError

_PATTERN = re.compile(r"^(\d{6})(\d)(\d{2})([0-9X])$")


def number_format(region_code: str, level: int, sequence: int) -> str:
    """The unified number for `sequence` on a region and level, check character included."""
    if not 1 <= sequence <= 99:
        raise QingxieError(
            gettext("同一区划同一层级的协会编号序号已用尽（最多 99 个）。"), field="number"
        )
    body = f"{region_code}{level}{sequence:02d}"
    return f"{region_code}-{level}-{sequence:02d}-{mod_11_2.calc_check_digit(body)}"


def number_normalize(raw: str) -> str:
    """Canonical form of a number typed with or without hyphens/spaces, or a clear error."""
    compact = re.sub(r"[\s\-－—]", "", str(raw or "")).upper()
    match = _PATTERN.match(compact)
    if not match:
        raise QingxieError(
            gettext(
                "统一编号“%(raw)s”格式不对，应为“6位区划代码-层级-序号-校验位”，如 440105-3-01-4。"
            )
            % {"raw": raw},
            field="number",
        )
    if not mod_11_2.is_valid(compact):
        raise QingxieError(
            gettext("统一编号“%(raw)s”的校验位不对，请核对。") % {"raw": raw}, field="number"
        )
    code, level, seq, check = match.groups()
    return f"{code}-{level}-{seq}-{check}"


def number_prefix(region_code: str, level: int) -> str:
    """The part of the number shared by every association ever numbered on a region and level."""
    return f"{region_code}-{level}-"
