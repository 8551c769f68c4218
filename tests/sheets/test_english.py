"""In English, the import pages explain the kinds in English (the file's headers and choices
stay Chinese), and an import's problems, stored in Chinese by the job, read as English
sentences with the file's data as written; a job's stored message is shown in English too."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from qingxie.core import jobs
from qingxie.core.stored import stored_text
from qingxie.ledger.models import Association
from tests.sheets.files import LEDGER_HEADERS, ledger_row, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def gz(client_for, settings):
    client = client_for("city_admin", "440100")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _cell(page: str, row: int, column: str) -> str:
    found = re.search(rf'data-row="{row}" data-column="{column}">.*?</tr>', page, re.S)
    assert found, (row, column)
    return re.sub(r"<[^>]+>", " ", found.group(0))


def test_the_import_page_explains_the_columns_in_english(gz):
    page = gz.get("/sheets/teams/import/").content.decode()
    assert "The 9-digit township code, inside the association&#x27;s region" in page
    assert "One grassroots team per row." in page
    # The header and the choices are the file format: Chinese, marked so.
    assert '<td lang="zh-Hans"><strong>所属协会统一编号</strong></td>' in page
    assert "每行一支基层队伍" not in page
    # Only what is still Chinese is marked so (an empty help is not).
    assert '<td lang="zh-Hans"></td><td lang="zh-Hans">' not in page  # help, choices
    index = gz.get("/sheets/").content.decode()
    assert "One League volunteer organisation (county level or higher) per row." in index
    assert "Group members" in index


def test_import_problems_read_in_english(gz, tmp_path):
    rows = [
        ledger_row(region="440105", name="甲", form="青年志愿者协会", established_on="2019-03-05"),
        ledger_row(region="440105001", name="乙", form="协会", established_on="2020-01-01"),
        ledger_row(
            region="440305", name="南山区青协", form="青年志愿者协会", established_on="2019-01-01"
        ),
    ]
    path = xlsx(tmp_path / "台账.xlsx", LEDGER_HEADERS, rows)
    with open(path, "rb") as fh:
        page = gz.post("/sheets/ledger/import/", {"file": fh}, follow=True).content.decode()
    township = _cell(page, 3, "行政区划代码")
    assert "Row 3" in township
    assert "“440105001” is a township (赤岗街道); this column needs the 6-digit code" in township
    assert "南山区 (440305) is outside your scope and cannot be imported." in _cell(
        page, 4, "行政区划代码"
    )
    assert "problems; nothing was written" in page
    assert "不能导入" not in page and "是乡级区划" not in page
    assert not Association.objects.exists()


def test_a_job_message_is_stored_in_chinese_and_shown_in_english():
    message = jobs._gave_up_message(3)
    assert message.startswith("任务执行期间服务器重启或中断，已尝试 3 次")
    with translation.override("en"):
        assert stored_text(message).startswith(
            "The server restarted or was interrupted while the job ran; it was tried 3 times"
        )
        assert stored_text(jobs.UNEXPECTED_MESSAGE).startswith("The job met an unexpected error")
        assert stored_text("完成", "job stage") == "Done"
        # Data that is no sentence of the catalogue stays as written.
        assert stored_text("海珠区青年志愿者协会") == "海珠区青年志愿者协会"
    with translation.override("zh-hans"):
        assert stored_text(message) == message


def test_counts_of_one_are_singular():
    from qingxie.core.tabular.runner import ngettext

    with translation.override("en"):
        assert ngettext("%(t)s 个乡级单位", "%(t)s 个乡级单位", 1) % {"t": 1} == (
            "1 township-level unit"
        )
        assert ngettext("%(c)s 个县级单位", "%(c)s 个县级单位", 2) % {"c": 2} == (
            "2 county-level units"
        )


def test_a_problem_reads_row_column_reason():
    from qingxie.core.tabular.problems import Problem

    problem = Problem(3, "名称", "队伍不能通过导入改属其他协会。")
    with translation.override("zh-hans"):
        stored = str(problem)
    assert stored == "第3行“名称”：队伍不能通过导入改属其他协会。"
    with translation.override("en"):
        english = "Row 3, “名称”: A team cannot move to another association by import."
        assert stored_text(stored) == english
        assert str(Problem(3, "名称", "A team cannot move to another association by import.")) == (
            english
        )
        assert str(Problem(None, "名称", "x")) == "“名称”: x"
