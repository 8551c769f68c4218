"""The bulletin as a file: Word or PDF bytes, its download names and Content-Disposition."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import quote

from django.utils.translation import gettext

from qingxie.core.errors import QingxieError
from qingxie.regions.models import Region
from qingxie.reports.bulletin import Bulletin, bulletin_build, bulletin_filename, place_name

#: format → (media type, what the cadre calls it)
FORMATS = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
    "pdf": ("application/pdf", "PDF"),
}


@dataclass
class BulletinFile:
    """A written bulletin: the bytes, the bulletin they were written from, and its format."""

    content: bytes
    bulletin: Bulletin
    fmt: str

    @property
    def content_type(self) -> str:
        return FORMATS[self.fmt][0]

    @property
    def filename(self) -> str:
        return f"{self.bulletin.filename}.{self.fmt}"

    @property
    def content_disposition(self) -> str:
        """An attachment with an ASCII fallback name and the Chinese one (RFC 6266 / 5987)."""
        return attachment(f"{self.bulletin.ascii_filename}.{self.fmt}", self.filename)


def attachment(fallback: str, filename: str) -> str:
    """Content-Disposition of a download: an ASCII fallback name and the Chinese one."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def kept_names(region: Region, as_of: datetime.date, fmt: str) -> tuple[str, str]:
    """(ASCII fallback, name in the active language) of a kept bulletin file, as `Bulletin`
    names it, without writing the bulletin again."""
    return (
        f"qingxie-bulletin-{region.code}-{as_of.isoformat()}.{fmt}",
        f"{bulletin_filename(place_name(region), as_of)}.{fmt}",
    )


def check_format(fmt: str) -> str:
    """The format named by `fmt`, or an error naming the ones there are."""
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in FORMATS:
        raise QingxieError(
            gettext("格式“%(format)s”不支持，请选择 Word（docx）或 PDF（pdf）。") % {"format": fmt},
            field="format",
        )
    return fmt


def bulletin_file(
    *, region: Region, as_of: datetime.date, fmt: str, issue: int | None = None
) -> BulletinFile:
    """Write the bulletin of `region` on `as_of` as Word or PDF.

    The caller has checked that the user may see `region`. Raises FontsMissingError for a PDF
    on a machine without the Chinese fonts.
    """
    fmt = check_format(fmt)
    if region.level >= Region.Level.TOWNSHIP:
        raise QingxieError(
            gettext("工作信息按县级及以上区划编写，请选择县级及以上区划。"), field="region"
        )
    if issue is not None and not 1 <= issue <= 999:
        raise QingxieError(
            gettext("期号“%(issue)s”应为 1 到 999 之间的整数。") % {"issue": issue}, field="issue"
        )
    bulletin = bulletin_build(region=region, as_of=as_of, issue=issue)
    if fmt == "pdf":
        from qingxie.reports.pdf import bulletin_pdf

        content = bulletin_pdf(bulletin)
    else:
        from qingxie.reports.word import bulletin_docx

        content = bulletin_docx(bulletin)
    return BulletinFile(content=content, bulletin=bulletin, fmt=fmt)
