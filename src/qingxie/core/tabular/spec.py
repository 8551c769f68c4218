"""How a spreadsheet kind is declared once: its columns, their parsers, choices and help.

The template, the importer, the exporter and docs/import.md all read the same declaration,
so they cannot drift apart. Nothing here knows about associations or teams.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.utils import translation
from django.utils.translation import gettext

from qingxie.core.errors import QingxieError


class CellError(ValueError):
    """One cell's value is not acceptable; the message is shown to the cadre as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_blank(raw) -> bool:
    """An empty cell: nothing, or only spaces."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _as_text(raw) -> str:
    """A cell as text; whole numbers that Excel stored as floats lose their '.0'."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, datetime.datetime):
        return raw.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    return unicodedata.normalize("NFC", str(raw)).strip()


#: A cell whose column declares no length (no column of qingxie needs more).
CELL_TEXT_MAX = 2000


def text(max_length: int | None = None) -> Callable[[object], str]:
    """Free text, stripped; longer than `max_length` (else CELL_TEXT_MAX) characters is refused."""
    max_length = max_length or CELL_TEXT_MAX

    def parse(raw) -> str:
        value = _as_text(raw)
        if len(value) > max_length:
            raise CellError(
                gettext("不能超过%(max_length)s个字（现为%(count)s个字）。")
                % {"max_length": max_length, "count": len(value)}
            )
        return value

    parse.kind = "文本"
    return parse


def code(*lengths: int) -> Callable[[object], str]:
    """A numeric code kept as text (region codes: 6 or 9 digits); Excel's 440105.0 is 440105."""

    def parse(raw) -> str:
        value = re.sub(r"\s", "", _as_text(raw))
        if not value.isdigit() or not value.isascii() or (lengths and len(value) not in lengths):
            wanted = gettext("或").join(str(n) for n in lengths)
            raise CellError(
                gettext("“%(value)s”不是%(wanted)s位数字代码。")
                % {"value": value, "wanted": wanted}
            )
        return value

    parse.kind = "代码"
    return parse


def checked_by(check: Callable[[str], object], kind: str) -> Callable[[object], object]:
    """A cell read by a service-layer function (a number's check character …): its
    QingxieError becomes the cell's error, with the same message as on the pages."""

    def parse(raw):
        try:
            return check(str(raw).strip())
        except QingxieError as exc:
            raise CellError(exc.message) from exc

    parse.kind = kind
    return parse


def integer(minimum: int | None = 0, maximum: int | None = None) -> Callable[[object], int]:
    """A whole number (a float like 25.0 from Excel counts as 25)."""

    def parse(raw) -> int:
        if isinstance(raw, float) and raw.is_integer():
            value = int(raw)
        elif isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        else:
            text_value = _as_text(raw).replace(",", "")
            if not re.fullmatch(r"[+-]?\d+", text_value):
                raise CellError(gettext("“%(as_text)s”不是整数。") % {"as_text": _as_text(raw)})
            value = int(text_value)
        if minimum is not None and value < minimum:
            raise CellError(
                gettext("不能小于%(minimum)s（现为%(value)s）。")
                % {"minimum": minimum, "value": value}
            )
        if maximum is not None and value > maximum:
            raise CellError(
                gettext("不能大于%(maximum)s（现为%(value)s）。")
                % {"maximum": maximum, "value": value}
            )
        return value

    parse.kind = "整数"
    return parse


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def date(*, allow_future: bool = False, today: Callable[[], datetime.date] | None = None):
    """A calendar date: an Excel date cell, or text such as 2021-05-06, 2021/5/6, 2021年5月6日.

    A date in the future is refused unless `allow_future`: the ledger records what happened.
    """

    def parse(raw) -> datetime.date:
        if isinstance(raw, datetime.datetime):
            value = raw.date()
        elif isinstance(raw, datetime.date):
            value = raw
        else:
            text_value = re.sub(r"\s", "", _as_text(raw))
            if text_value.endswith("00:00:00"):
                text_value = text_value[: -len("00:00:00")]
            value = None
            for pattern in _DATE_PATTERNS:
                if match := pattern.match(text_value):
                    year, month, day = (int(g) for g in match.groups())
                    try:
                        value = datetime.date(year, month, day)
                    except ValueError:
                        raise CellError(
                            gettext("“%(text_value)s”不是有效日期。") % {"text_value": text_value}
                        ) from None
                    break
            if value is None:
                raise CellError(
                    gettext("“%(text_value)s”不是日期，请写成 2021-05-06 的格式。")
                    % {"text_value": text_value}
                )
        if value.year < 1949:
            raise CellError(
                gettext("%(value)s 早于1949年，请核对。") % {"value": format(value, "%Y-%m-%d")}
            )
        now = (today or _local_today)()
        if not allow_future and value > now:
            raise CellError(
                gettext("%(value)s 晚于今天（%(now)s），不能填写将来的日期。")
                % {"value": format(value, "%Y-%m-%d"), "now": format(now, "%Y-%m-%d")}
            )
        return value

    parse.kind = "日期"
    return parse


_today_cache: list = [0.0, None]


def _local_today() -> datetime.date:
    """Today in the site's time zone, looked up at most once a second (a 50,000-row file has
    100,000 date cells, and the zone conversion is the slow part of checking each)."""
    import time

    from django.utils import timezone

    now = time.monotonic()
    if _today_cache[1] is None or now - _today_cache[0] > 1.0:
        _today_cache[:] = [now, timezone.localdate()]
    return _today_cache[1]


#: What a spreadsheet program may take as the start of a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_guard(value):
    """Text that a spreadsheet would run, prefixed with ' so that it is shown as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unguard(value):
    """The reverse of `csv_guard` for a cell read back from a file."""
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value[1:2]
        and (value[1:].startswith(FORMULA_STARTS))
    ):
        return value[1:]
    return value


def normalize_header(value) -> str:
    """A header as compared: full-width folded, spaces and required-markers (*) removed."""
    text_value = unicodedata.normalize("NFKC", _as_text(value) if value is not None else "")
    text_value = re.sub(r"\s", "", text_value).strip("*")
    for suffix in ("(必填)", "(选填)"):
        text_value = text_value.removesuffix(suffix)
    return text_value


_plain_text = text()


@dataclass(frozen=True)
class Column:
    """One column of a kind: its Chinese header, the field it fills, and how a cell is read.

    `required`: the column must be present and every row must fill it. `choices`: (value,
    label) pairs; a cell holds the label (or the value) and becomes the value, and the
    template offers the labels in a dropdown. `parser` turns a non-empty cell into a value
    or raises CellError. `importable` False marks a column written by exports for reading
    only (a region's name next to its code): imports accept and ignore it.
    """

    header: str
    field: str
    required: bool = False
    choices: tuple[tuple[object, str], ...] = ()
    parser: Callable[[object], object] | None = None
    help: str = ""
    example: str = ""
    width: int = 16
    importable: bool = True
    aliases: tuple[str, ...] = ()

    @property
    def labels(self) -> list[str]:
        return [label for _, label in self.choices]

    @cached_property
    def _choice_map(self) -> dict[object, tuple[object]]:
        """Each choice by its label and value, as typed and as compared (built once)."""
        found: dict[object, tuple[object]] = {}
        for value, label in self.choices:
            for key in (label, str(value), normalize_header(label), normalize_header(str(value))):
                found.setdefault(key, (value,))
        return found

    @property
    def value_kind(self) -> str:
        if self.choices:
            return "下拉选择"
        return getattr(self.parser, "kind", "文本")

    def parse(self, raw):
        """The cell's value; None for an empty cell; CellError for a bad one."""
        if is_blank(raw):
            if self.required:
                raise CellError(gettext("必填，不能为空。"))
            return None
        if self.choices:
            found = self._choice_map.get(raw)
            if found is None:
                found = self._choice_map.get(normalize_header(raw))
            if found is None:
                raise CellError(
                    gettext("“%(as_text)s”不是可选值，可选：%(join)s。")
                    % {"as_text": _as_text(raw), "join": gettext("、").join(self.labels)}
                )
            return found[0]
        if self.parser is None:
            return _plain_text(raw)
        return self.parser(raw)

    def label_of(self, value) -> str:
        """How an exported value is written: a choice's label, else the value itself."""
        for choice, label in self.choices:
            if choice == value:
                return label
        return value


@dataclass
class SheetKind:
    """One kind of spreadsheet (协会台账, 基层队伍 …): columns plus what imports and exports it.

    `importer` is the Importer class that plans and writes the rows (a new one per import, see
    qingxie.core.tabular.runner.Importer); `exporter`
    yields one dict per row for a user, region and date. Either may be None (the coverage
    table is export-only).
    """

    name: str
    title: str
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = ()
    importer: type | None = None
    exporter: Callable | None = None
    #: The model whose permissions gate this kind's pages (imports need "add" or "change").
    model: type | None = None
    #: Rows carry personal data (names, phones): every export is recorded in the change log.
    personal_data: bool = False
    #: Service error fields that are not columns, shown under this column's header.
    field_headers: dict[str, str] = field(default_factory=dict)
    #: Data rows an import may hold; a sheet declaring or reaching more is refused unread.
    max_rows: int = 1_000_000
    #: Columns an import may reach (None: twice the kind's columns plus room for notes, at
    #: least 32); a cell further right (XFD1048576 …) refuses the file before it is read.
    column_limit: int | None = None
    #: `lookups(user) -> [(sheet title, headers, rows)]`: reference sheets the template adds
    #: for the user who downloads it (e.g. the townships and their codes in their patch).
    lookups: Callable | None = None

    @property
    def max_columns(self) -> int:
        if self.column_limit is not None:
            return self.column_limit
        return max(32, 2 * len(self.columns) + 10)

    @property
    def import_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.importable)

    @property
    def sheet_name(self) -> str:
        return self.title

    def header_for(self, field_name: str) -> str | None:
        """The Chinese header a service error on `field_name` belongs under."""
        for column in self.columns:
            if column.field == field_name:
                return column.header
        return self.field_headers.get(field_name)

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)

    def headers(self, *, for_import: bool = False) -> list[str]:
        return [c.header for c in (self.import_columns if for_import else self.columns)]


def choice_pairs(choices: Iterable[tuple[object, str]]) -> tuple[tuple[object, str], ...]:
    """Django `TextChoices.choices` as the (value, label) pairs a Column takes, in Chinese
    whatever language the request is in: the labels are the spreadsheet's format."""
    with translation.override("zh-hans"):
        return tuple((value, str(label)) for value, label in choices)
