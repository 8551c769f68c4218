"""The bulletin in English: the page in the request's language, the Word and PDF files in the
language of the cadre who asked for them, kept apart from the Chinese ones (an English file is
never served to a Chinese reader, nor the other way round); the command line writes Chinese."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import translation

from qingxie.core.jobs import Job, job_run
from qingxie.ledger.models import Association
from qingxie.regions.models import Region
from qingxie.reports import jobs
from tests.reports.conftest import AS_OF

pytestmark = pytest.mark.django_db

URL = "/reports/bulletin/440100/"
CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
#: The bulletin's own words in Chinese (the chrome): none may be left in an English file.
CHROME = (
    "志愿服务工作信息",
    "总体情况",
    "分地区情况",
    "目标完成情况",
    "团属志愿服务组织",
    "覆盖率",
    "截至",
    "合计",
    "县级单位",
    "秘书处编",
    "工作信息",
)


@pytest.fixture
def english(client_for):
    """A logged-in client that chose English (as the footer's switch does)."""

    def make(role, code):
        client = client_for(role, code)
        client.cookies["django_language"] = "en"
        return client

    yield make
    translation.deactivate()  # the middleware leaves the language active in this thread


def docx_text(content: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def data_names() -> set[str]:
    """What the database holds that a bulletin may name: regions and associations."""
    return set(Region.objects.values_list("name", flat=True)) | set(
        Association.objects.values_list("name", flat=True)
    )


def only_data_is_chinese(text: str) -> list[str]:
    """The Chinese runs of `text` that are no region's or association's name (or part of one:
    the bulletin shortens 广州市 to 广州)."""
    names = data_names()
    return [run for run in CJK_RUN.findall(text) if not any(run in name for name in names)]


def download(client, fmt="docx"):
    return client.get(URL, {"as_of": AS_OF.isoformat(), "format": fmt})


def test_an_english_bulletin_is_kept_apart_from_the_chinese_one(guangzhou, client_for, english):
    chinese = download(client_for("city_admin", "440100"))
    in_english = download(english("city_admin", "440100"))
    assert chinese.status_code == 200 and in_english.status_code == 200
    assert chinese.content != in_english.content
    kept = sorted(default_storage.listdir("bulletins/440100")[1])
    assert len(kept) == 2
    assert "_en_" in kept[0] and "_zh-hans_" in kept[1], kept

    zh, en = docx_text(chinese.content), docx_text(in_english.content)
    assert "广州志愿服务工作信息" in zh and "总体情况" in zh and "团属志愿服务组织" in zh
    assert [word for word in CHROME if word in en] == []
    assert only_data_is_chinese(en) == []
    assert "Guangzhou" not in en  # names are data: they stay as recorded
    assert "广州 Volunteer Work Bulletin" in en
    assert "As of 6 May 2021, 4 of the 11 county-level units in the city have set up" in en
    assert "Overview" in en and "Total" in en
    # The names of the downloads follow the language too.
    assert "work%20bulletin" in in_english["Content-Disposition"]
    assert "work%20bulletin" not in chinese["Content-Disposition"]

    # Asked again, each reader gets the kept file of their own language.
    assert download(client_for("province_admin", "440000")).content == chinese.content
    assert download(english("province_admin", "440000")).content == in_english.content


def test_the_job_writes_in_the_language_of_the_cadre_who_asked(
    guangzhou, english, settings, client_for
):
    settings.QINGXIE_JOBS_SYNC = False
    client = english("city_admin", "440100")
    queued = download(client)
    assert queued.status_code == 302
    job = Job.objects.get(kind=jobs.JOB_KIND)
    assert job.payload["_language"] == "en"
    page = client.get(queued["Location"]).content.decode()
    assert "Waiting in the queue" in page and "排队等待" not in page
    with translation.override("zh-hans"):  # the worker's own language does not matter
        job_run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert job.result["language"] == "en" and "_en_" in job.result["name"]
    assert job.result["filename"] == "广州市 work bulletin (2021-05-06).docx"
    text = docx_text(jobs.open_result(job))
    assert "Overview" in text and "总体情况" not in text
    # A Chinese reader of the same region and date is not served that file.
    chinese = download(client_for("city_admin", "440100"))
    assert chinese.status_code == 302 and chinese["Location"] != queued["Location"]


def test_the_preview_page_reads_in_english(guangzhou, english):
    page = english("city_admin", "440100").get(URL, {"as_of": AS_OF.isoformat()})
    html = page.content.decode()
    assert page.status_code == 200
    assert '<article class="bulletin-sheet" id="bulletin-preview" lang="en">' in html
    assert "1. Overview" in html and "Download Word" in html
    assert "总体情况" not in html and "统计日期" not in html


def test_a_refusal_of_the_bulletin_page_reads_in_english(guangzhou, english):
    bad = english("city_admin", "440100").get(URL, {"as_of": AS_OF.isoformat(), "issue": "x"})
    assert bad.status_code == 400
    assert "The issue number “x” must be a whole number from 1 to 999." in bad.content.decode()


def test_the_command_line_writes_chinese_whatever_the_active_language(guangzhou, tmp_path):
    out = tmp_path / "b.docx"
    with translation.override("en"):
        call_command(
            "report", "bulletin", "--region", "440100", "--as-of", "2021-05-06", "-o", str(out)
        )
    text = docx_text(out.read_bytes())
    assert "总体情况" in text and "Overview" not in text


def test_the_bulletin_counts_in_english_with_plurals(guangzhou):
    """One unit and several units read differently ("1 county-level unit has …")."""
    from qingxie.reports.bulletin import bulletin_build

    with translation.override("en"):
        text = bulletin_build(region=Region.objects.get(code="440100"), as_of=AS_OF).text()
    assert "1 county-level unit has built its League volunteer organisation" in text
    assert "11 county-level units" in text
    assert only_data_is_chinese(text) == []


def test_an_english_pdf_is_written_with_english_words(guangzhou, english):
    import pypdfium2 as pdfium

    response = download(english("city_admin", "440100"), fmt="pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdf = pdfium.PdfDocument(response.content)
    # Justified lines spread their letters; read the words without the spaces between them.
    text = re.sub(r"\s+", "", "".join(p.get_textpage().get_text_range() for p in pdf))
    assert "广州VolunteerWorkBulletin" in text and "1.Overview" in text
    assert "总体情况" not in text and "覆盖率" not in text


def test_the_job_page_shows_the_stored_stage_and_message_in_english(
    guangzhou, english, settings, client_for
):
    """The job stores its stage and message in Chinese; each reader reads them in their own
    language (an English cadre does not see "统计数据" or "生成失败：任务执行…")."""
    from qingxie.core.jobs import GAVE_UP_MESSAGE

    settings.QINGXIE_JOBS_SYNC = False
    client = english("city_admin", "440100")
    queued = download(client)
    job = Job.objects.get(kind=jobs.JOB_KIND)
    status = queued["Location"]

    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, stage="统计数据", total=4)
    page = client.get(status).content.decode()
    assert "Counting the figures" in page and "统计数据" not in page

    Job.objects.filter(pk=job.pk).update(stage="保存")
    page = client.get(status).content.decode()
    assert "Saving" in page and "保存" not in page

    Job.objects.filter(pk=job.pk).update(stage="等待重新执行", state=Job.State.QUEUED)
    page = client.get(status).content.decode()
    assert "等待重新执行" not in page

    Job.objects.filter(pk=job.pk).update(
        state=Job.State.FAILED, message=GAVE_UP_MESSAGE % {"tries": 3}
    )
    page = client.get(status).content.decode()
    assert "3 attempts" in page or "3 times" in page or "3 tries" in page, page
    assert "已尝试" not in page
    # Stored data stays Chinese: the Chinese reader sees the same row as written.
    translation.deactivate()
    job.refresh_from_db()
    assert job.message.startswith("任务执行期间")


def test_the_bulletin_job_stores_its_stages_in_chinese(guangzhou, english, settings):
    """Run in the English cadre's language, the job still stores Chinese stages."""
    settings.QINGXIE_JOBS_SYNC = False
    download(english("city_admin", "440100"))
    job = Job.objects.get(kind=jobs.JOB_KIND)
    stages = []
    real = jobs.bulletin_write

    def spy(place, as_of, fmt, issue, progress=None):
        def record(stage, done, total=None):
            stages.append(stage)
            if progress:
                progress(stage, done, total)

        return real(place, as_of, fmt, issue, record)

    jobs.bulletin_write = spy
    try:
        job_run(job.pk)
    finally:
        jobs.bulletin_write = real
    assert stages == ["统计数据", "绘制地图和趋势图", "排版", "保存"]


def test_the_english_pdf_tables_break_headings_between_words(guangzhou, english):
    """A narrow column's English heading wraps at a space, never inside a word."""
    import pypdfium2 as pdfium

    from qingxie.reports.bulletin import Table, bulletin_build

    with translation.override("en"):
        bulletin = bulletin_build(region=Region.objects.get(code="440100"), as_of=AS_OF)
    tables = [b for s in bulletin.sections for b in s.blocks if isinstance(b, Table)]
    headings = {w for t in tables for h in t.header for w in str(h).split()}
    assert headings
    response = download(english("city_admin", "440100"), fmt="pdf")
    pdf = pdfium.PdfDocument(response.content)
    text = "\n".join(p.get_textpage().get_text_range() for p in pdf)
    words = set(re.findall(r"[^\s]+", text))
    broken = sorted(w for w in headings if w.isascii() and w not in words)
    assert not broken, broken
