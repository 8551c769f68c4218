"""The audit page: auditors read their own patch's change log, searchable; nobody else does."""

from __future__ import annotations

import datetime

import pytest

from qingxie.core.changelog import log_access
from qingxie.core.context import change_context
from qingxie.core.models import ObjectChange
from qingxie.ledger import services
from qingxie.ledger.choices import AssociationForm

pytestmark = pytest.mark.django_db


def _found(region, name, actor=None):
    with change_context(channel="web", user=actor):
        return services.association_create(
            actor=actor,
            region=region,
            name=name,
            form=AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION,
            established_on=datetime.date(2020, 1, 1),
        )


@pytest.fixture
def ledger(region):
    return {
        "haizhu": _found(region("440105"), "海珠区青年志愿者协会"),
        "futian": _found(region("440304"), "福田区青年志愿者协会"),
    }


def test_changes_carry_the_region_path_of_what_they_touched(ledger):
    entry = ObjectChange.objects.filter(object_repr__contains="海珠区青年").latest("id")
    assert entry.scope_path == ledger["haizhu"].region.path


def test_an_auditor_reads_their_own_patch_only(client_for, ledger):
    page = client_for("auditor", "440100").get("/audit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "海珠区青年志愿者协会" in text
    assert "福田区青年志愿者协会" not in text


def test_national_entries_are_for_national_readers_only(client_for, make_user, ledger):
    make_user("viewer", "440105", username="someone-new")  # a user: no region of its own
    national = client_for("auditor", "000000").get("/audit/?kind=user").content.decode()
    assert "someone-new" in national
    province = client_for("auditor", "440000").get("/audit/?kind=user").content.decode()
    assert "someone-new" not in province


@pytest.mark.parametrize(("role", "code"), [("county_admin", "440105"), ("viewer", "440000")])
def test_other_roles_are_refused(client_for, role, code):
    assert client_for(role, code).get("/audit/").status_code == 403


def test_filters_narrow_the_log_and_bad_ones_are_named(client_for, ledger):
    client = client_for("auditor", "440000")
    text = client.get("/audit/?q=福田&action=create").content.decode()
    assert "福田区青年志愿者协会" in text and "海珠区青年志愿者协会" not in text
    request_id = (
        ObjectChange.objects.filter(object_repr__contains="海珠区青年").latest("id").request_id
    )
    by_request = client.get(f"/audit/?request={request_id}").content.decode()
    assert "海珠区青年志愿者协会" in by_request and "福田区青年志愿者协会" not in by_request
    bad = client.get("/audit/?start=2026-13-01&ip=not-an-ip").content.decode()
    assert "日期“2026-13-01”格式不对" in bad and "客户端地址“not-an-ip”格式不对" in bad


def test_an_export_is_logged_and_scoped_like_its_region(client_for, make_user, region, ledger):
    exporter = make_user("city_admin", "440100", username="exporter")
    with change_context(channel="web", user=exporter):
        log_access(
            None,
            ObjectChange.Action.EXPORT,
            what="协会台账导出 440100",
            scope_path=region("440100").path,
        )
    text = client_for("auditor", "440000").get("/audit/?action=export").content.decode()
    assert "协会台账导出 440100" in text and "exporter" in text
    assert "协会台账导出" not in client_for("auditor", "440300").get("/audit/").content.decode()


def test_the_nav_shows_the_audit_page_to_auditors_only(client_for):
    assert 'id="nav-audit"' in client_for("auditor", "440000").get("/").content.decode()
    assert 'id="nav-audit"' not in client_for("county_admin", "440105").get("/").content.decode()


def test_the_region_filter_takes_a_name_or_a_code_within_the_auditors_patch(client_for, ledger):
    national = client_for("auditor", "000000")

    def listed(query: str) -> str:
        return national.get("/audit/" + query).content.decode()

    for query in ("?region=海珠区", "?region=440105", "?region=广州"):
        text = listed(query)
        assert "海珠区青年志愿者协会" in text and "福田区青年志愿者协会" not in text, query
    text = listed("?region=没有这个地方")
    assert "没有名称或代码为“没有这个地方”的行政区划。" in text and "海珠区青年" not in text
    assert "data-region-picker" in text
    # An auditor of 广州 asking for 深圳 sees nothing of it: the filter only narrows.
    city = client_for("auditor", "440100").get("/audit/?region=深圳").content.decode()
    assert "福田区青年志愿者协会" not in city


def test_notes_read_as_words_and_updates_as_old_to_new(client_for, ledger):
    haizhu = ledger["haizhu"]
    sha = "ab12cd34" + "0" * 56
    with change_context(channel="web", note=f"导入文件“台账.xlsx”（SHA-256 {sha}）"):
        services.association_update(actor=None, association=haizhu, name="海珠区青年志愿服务联合会")
    with change_context(channel="cli", note="演示数据批量载入（bulk_create，未逐条记录变更）"):
        services.association_update(actor=None, association=haizhu, address="新港中路")
    text = client_for("auditor", "000000").get("/audit/").content.decode()
    assert "文件校验码 ab12cd34" in text
    assert ">导入文件“台账.xlsx”（文件校验码 ab12cd34）<" in text
    assert "海珠区青年志愿者协会 → 海珠区青年志愿服务联合会" in text
    assert ">演示数据批量载入（未逐条记录变更）<" in text
