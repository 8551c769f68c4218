"""Hostile spreadsheets (issue 18, items 1 and 2): each is generated here, read in a fresh
process as a worker reads it, and must be refused with a clear message, in bounded memory,
with the process still alive; through the page, the job ends and nothing is written."""

from __future__ import annotations

import time

import pytest

from qingxie.teams.models import Team
from qingxie.teams.sheets import TEAM_KIND
from tests.security.hostile import (
    baseline_rss_mb,
    corner_cell_xlsx,
    import_in_child,
    inline_row,
    raw_xlsx,
    zip_bomb_xlsx,
)

HEADERS = TEAM_KIND.headers(for_import=True)
SHEET = TEAM_KIND.sheet_name
#: What reading a hostile file may add to a fresh process's peak RSS.
ROOM_MB = 120


@pytest.fixture(scope="module")
def floor_mb():
    return baseline_rss_mb()


@pytest.mark.parametrize("dimension", [True, False], ids=["declared", "undeclared"])
def test_the_corner_cell_xlsx_is_refused_before_its_cells_in_bounded_memory(
    tmp_path, floor_mb, dimension
):
    """The 4.8 KB file of issue 18 (one cell at XFD1048576) asked for 512 GB and aborted the
    worker; declared or not, the column past the limit refuses it at once."""
    path = corner_cell_xlsx(
        tmp_path / "corner.xlsx", SHEET, HEADERS, "XFD1048576", dimension=dimension
    )
    assert path.stat().st_size < 6000
    started = time.monotonic()
    out = import_in_child("teams", path)
    assert time.monotonic() - started < 60
    assert "escaped" not in out, out
    assert len(out["problems"]) == 1
    message = out["problems"][0]
    assert "超过了本表的上限" in message and "不予读取" in message
    if dimension:  # the declared corner, before the first row
        assert "XFD1048576" in message and f"{TEAM_KIND.max_columns} 列" in message
    else:  # the row, before its cell
        assert "第 1048576 行" in message and f"{TEAM_KIND.max_rows + 1} 行" in message
    assert out["rss_mb"] < floor_mb + ROOM_MB


@pytest.mark.parametrize("corner", ["CV1048576", "Z1000000"])
def test_far_corners_within_or_past_the_rows_never_build_a_grid(tmp_path, floor_mb, corner):
    """CV1048576 took a worker to 3.5 GB, Z1000000 to 940 MB: rows are streamed, so memory
    holds one row, whatever the distance to the last cell."""
    path = corner_cell_xlsx(tmp_path / "far.xlsx", SHEET, HEADERS, corner, dimension=False)
    out = import_in_child("teams", path, mode="read")
    assert "escaped" not in out, out
    assert out["rss_mb"] < floor_mb + ROOM_MB
    if corner == "Z1000000":  # within the rows and columns: read, and the stray cell named
        assert out["rows"] == 1
        assert out["problems"] == ["第1000000行：第Z列没有列名却填了内容，请删除或补上列名。"]
    else:  # column CV (100) is past the teams kind's columns
        assert "超过了本表的上限" in out["problems"][0]


def test_a_zip_bomb_is_refused_from_its_sizes_before_it_is_inflated(tmp_path, floor_mb):
    """A few-MB xlsx whose sheet inflates to 1.2 GB grew a worker to 9.8 GB; its declared
    ratio refuses it before one byte of the sheet is inflated."""
    path = zip_bomb_xlsx(tmp_path / "bomb.xlsx", SHEET, HEADERS, inflated_mb=1200)
    assert path.stat().st_size < 8 * 1024 * 1024
    started = time.monotonic()
    out = import_in_child("teams", path)
    assert time.monotonic() - started < 30
    assert "escaped" not in out, out
    assert len(out["problems"]) == 1 and "解压后过大" in out["problems"][0]
    assert "压缩比" in out["problems"][0]
    assert out["rss_mb"] < floor_mb + ROOM_MB


def test_a_bomb_under_the_ratio_stops_at_the_inflated_size_while_streaming(tmp_path, floor_mb):
    """With the ratio raised out of the way, the running count of inflated bytes stops the
    same file at the inflated-size limit, part way through."""
    path = zip_bomb_xlsx(tmp_path / "bomb.xlsx", SHEET, HEADERS, inflated_mb=300)
    out = import_in_child(
        "teams",
        path,
        settings={
            "QINGXIE_IMPORT_MAX_RATIO": 100_000,
            "QINGXIE_IMPORT_MAX_INFLATED_BYTES": 64 * 1024 * 1024,
        },
    )
    assert "escaped" not in out, out
    assert len(out["problems"]) == 1 and "解压后过大" in out["problems"][0]
    assert out["rss_mb"] < floor_mb + ROOM_MB


def test_rows_past_the_kinds_limit_are_refused_while_streaming(tmp_path, floor_mb):
    """A bomb under every size limit still stops at the kind's row limit."""
    path = zip_bomb_xlsx(tmp_path / "rows.xlsx", SHEET, HEADERS, inflated_mb=40)
    out = import_in_child(
        "teams", path, settings={"QINGXIE_IMPORT_MAX_RATIO": 100_000}, mode="read"
    )
    # 40 MB of two-cell rows is about 480,000 rows: within the teams kind's million, read
    # and counted in constant memory (cells past the header's columns are named).
    assert out["rows"] > 400_000
    assert out["rss_mb"] < floor_mb + ROOM_MB + 60  # the problems' first thousand are kept


def test_the_memory_ceiling_fails_the_import_and_the_process_lives(tmp_path, floor_mb):
    """An import that needs more than the ceiling (100 MB of distinct shared strings against a
    64 MB ceiling) is refused with that reason; the process then allocates again."""
    path = raw_xlsx(tmp_path / "strings.xlsx", SHEET, inline_row(1, HEADERS), shared_strings_mb=100)
    out = import_in_child(
        "teams", path, settings={"QINGXIE_IMPORT_MAX_MEMORY_BYTES": 64 * 1024 * 1024}
    )
    assert "escaped" not in out, out
    assert out["problems"] == [
        "读取该文件所需的内存超过了单次导入的上限（64 MB），未写入任何数据。"
        "请拆分成几个较小的文件分别导入。"
    ]
    assert out["rss_mb"] < floor_mb + 64 + 60


@pytest.mark.django_db
def test_the_corner_cell_upload_through_the_page_ends_its_job_and_writes_nothing(
    client_for, tmp_path, settings
):
    """As a cadre uploads it: the web process only stores it; the job refuses it, ends as
    done with the reason on the page, and writes nothing."""
    from qingxie.core.jobs import Job

    settings.QINGXIE_JOBS_SYNC = True
    settings.MEDIA_ROOT = tmp_path / "storage"
    client = client_for("city_admin", "440100")
    path = corner_cell_xlsx(tmp_path / "corner.xlsx", SHEET, HEADERS, "XFD1048576")
    with open(path, "rb") as fh:
        response = client.post("/sheets/teams/import/", {"file": fh}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "超过了本表的上限" in page
    job = Job.objects.get()
    assert job.state == Job.State.DONE and not job.result["ok"]
    assert not Team.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("hostile", ["corner", "bomb"])
def test_the_command_line_refuses_them_with_the_same_limits(tmp_path, make_user, hostile):
    """`qingxie import` exited 134 on the corner-cell file: now it exits 1 naming the limit."""
    import io

    from django.core.management import CommandError, call_command

    make_user("city_admin", "440100", username="gz-cadre")
    if hostile == "corner":
        path = corner_cell_xlsx(tmp_path / "corner.xlsx", SHEET, HEADERS, "XFD1048576")
        expected = "超过了本表的上限"
    else:
        path = zip_bomb_xlsx(tmp_path / "bomb.xlsx", SHEET, HEADERS, inflated_mb=300)
        expected = "解压后过大"
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import", "teams", str(path), "--user", "gz-cadre", stdout=out, stderr=io.StringIO()
        )
    assert expected in out.getvalue()
    assert not Team.objects.exists()
