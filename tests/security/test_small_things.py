"""Smaller hostile-input findings (issue 18, item 10): times in messages in Asia/Shanghai, no
Server header naming the software, and an encoding the reader cannot recognise named."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from qingxie.core.models import ObjectChange
from qingxie.core.tabular import FileRefused
from qingxie.core.tabular.reading import open_table
from qingxie.teams.sheets import TEAM_KIND
from tests.ledger.test_api import make_association


@pytest.mark.django_db
def test_the_conflict_message_gives_the_time_in_shanghai(client_for):
    hz = make_association("440105")
    saved = ObjectChange.objects.filter(object_id=str(hz.pk)).latest("id").time
    shanghai = saved.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    utc = saved.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M")
    client = client_for("county_admin", "440105")
    response = client.patch(
        f"/api/associations/{hz.number}",
        {"address": "广州市海珠区", "version": hz.version + 5},
        content_type="application/json",
    )
    assert response.status_code == 409
    message = response.json()["error"]["message"]
    assert f"于{shanghai}修改" in message and utc not in message
    assert timezone.get_current_timezone() == ZoneInfo("Asia/Shanghai")


def test_gunicorn_sends_no_server_header():
    from gunicorn.http.wsgi import Response

    from qingxie.wsgi import hide_server_header

    hide_server_header()
    response = Response.__new__(Response)
    response.version = "gunicorn"
    response.status = "200 OK"
    response.upgrade = False
    response.must_close = True
    response.chunked = False
    response.req = SimpleNamespace(version=(1, 1), should_close=lambda: True)
    headers = response.default_headers()
    assert headers[0].startswith("HTTP/1.1 200")
    assert not [h for h in headers if h.lower().startswith("server:")]
    assert any(h.startswith("Date:") for h in headers)


def test_a_shift_jis_csv_is_named_as_an_unrecognised_encoding(tmp_path):
    path = tmp_path / "チーム.csv"
    path.write_bytes(
        "チーム名,カテゴリ,設立日\n東京ボランティア,学校,2021-03-05\n".encode("shift_jis")
    )
    with pytest.raises(FileRefused) as refused:
        open_table(path, filename="teams.csv", kind=TEAM_KIND)
    (message,) = [str(p) for p in refused.value.problems.sorted()]
    assert "编码无法识别" in message and "Shift-JIS" in message


def test_a_gb18030_csv_with_a_wrong_column_still_names_the_column(tmp_path):
    headers = [*TEAM_KIND.headers(for_import=True), "多余列"]
    path = tmp_path / "t.csv"
    path.write_bytes((",".join(headers) + "\n").encode("gb18030"))
    with pytest.raises(FileRefused) as refused:
        open_table(path, filename="t.csv", kind=TEAM_KIND)
    assert "“多余列”不是" in str(refused.value)
