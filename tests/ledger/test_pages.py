"""Ledger pages: list, detail, forms, status, checklist workflow, evidence, queue, coverage."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qingxie.ledger import services
from qingxie.ledger.choices import AssociationStatus, ChecklistState
from qingxie.ledger.models import Association, ChecklistEntry, ChecklistItem, GroupMember
from qingxie.regions.models import Region
from tests.generic import ScopedDetailViewTests

pytestmark = pytest.mark.django_db

VALID_USCC = "91440101MA59ABCDEM"  # check character computed by python-stdnum
BAD_USCC = "91440101MA59ABCDE0"


def make_association(code: str, name: str | None = None, **kwargs) -> Association:
    region = Region.objects.get(code=code)
    return services.association_create(
        actor=None,
        region=region,
        name=name or f"{region.name}青年志愿者协会",
        form=kwargs.pop("form", "youth_volunteer_association"),
        established_on=kwargs.pop("established_on", datetime.date(2021, 3, 1)),
        **kwargs,
    )


def page(response) -> str:
    return response.content.decode()


def field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


@pytest.fixture
def haizhu():
    return make_association("440105", president_phone="13812345678")


@pytest.fixture
def liwan():
    return make_association("440103")


@pytest.fixture
def tianhe():
    return make_association("440106")


class TestAssociationDetailView(ScopedDetailViewTests):
    """A county admin of 440105 sees its association and gets 404 on 440106's."""

    model_label = "ledger.Association"
    role = "county_admin"
    grant_code = "440105"
    expected_text = "海珠区青年志愿者协会"

    @pytest.fixture(autouse=True)
    def _data(self, db):
        self.url_in_scope = make_association("440105").get_absolute_url()
        self.url_out_of_scope = make_association("440106").get_absolute_url()


# ------------------------------------------------------------------------------ list


def test_list_shows_only_associations_in_scope(client_for, haizhu, tianhe):
    response = client_for("county_admin", "440105").get("/associations/")
    text = page(response)
    assert haizhu.number in text and "海珠区青年志愿者协会" in text
    assert tianhe.number not in text and "天河区" not in text
    for column in ("统一编号", "名称", "区划", "层级", "组织形式", "成立日期", "登记", "状态"):
        assert column in text
    assert "规范化认定日期" in text


def test_list_filters_by_region_subtree_status_and_search(client_for, haizhu, tianhe):
    shenzhen = make_association("440303")
    services.association_suspend(actor=None, association=tianhe, on=datetime.date(2022, 1, 1))
    client = client_for("province_admin", "440000")

    def numbers(query: str) -> set[str]:
        return {a.number for a in client.get("/associations/" + query).context["object_list"]}

    assert numbers("?region=440100") == {haizhu.number, tianhe.number}
    assert numbers("?region=440300") == {shenzhen.number}
    assert numbers("?status=suspended") == {tianhe.number}
    assert numbers("?q=海珠") == {haizhu.number}
    assert numbers("?q=" + haizhu.number.replace("-", "")) == {haizhu.number}
    assert numbers("?standardized=true") == set()
    assert numbers("?registered=false&region=440100") == {haizhu.number, tianhe.number}


def test_list_total_follows_each_write_at_once(client_for):
    """The total under the ledger is kept between requests, per scope and filter; an
    association created or suspended through a service counts on the next request."""
    make_association("440105")
    client = client_for("city_admin", "440100")

    def total(query: str = "") -> str:
        text = page(client.get("/associations/" + query))
        return text[text.index("共 ") : text.index(" 条", text.index("共 "))]

    assert total() == "共 1"
    assert total("?status=active") == "共 1"
    tianhe = make_association("440106")
    assert total() == "共 2"
    assert total("?status=active") == "共 2"
    services.association_suspend(actor=None, association=tianhe, on=datetime.date(2022, 1, 1))
    assert total("?status=active") == "共 1"
    assert total("?status=suspended") == "共 1"
    assert total() == "共 2"


def test_list_sorts_by_a_column_header(client_for, haizhu, liwan, tianhe):
    client = client_for("city_admin", "440100")
    response = client.get("/associations/?ordering=-region")
    codes = [a.region.code for a in response.context["object_list"]]
    assert codes == sorted(codes, reverse=True)
    assert "?ordering=region" in page(response)  # clicking again flips the order


# ------------------------------------------------------------------------- create


def test_create_assigns_a_number_and_redirects_with_a_message(client_for):
    client = client_for("county_admin", "440105")
    form = client.get("/associations/new/?region=440105")
    assert form.context["form"].initial["region"] == "440105"
    response = client.post(
        "/associations/new/",
        {
            "region": "440105",
            "name": "海珠区青年志愿者协会",
            "form": "youth_volunteer_association",
            "established_on": "2021-03-01",
            "registered": "on",
            "uscc": VALID_USCC,
            "registered_on": "2021-04-01",
            "president_name": "张三",
            "president_phone": "13812345678",
        },
        follow=True,
    )
    association = Association.objects.get(region__code="440105")
    assert response.redirect_chain[-1][0] == association.get_absolute_url()
    text = page(response)
    assert f"已新增协会“海珠区青年志愿者协会”，统一编号 {association.number}" in text
    assert association.number.startswith("440105-3-")
    # The phone number is masked on screen.
    assert "138****5678" in text and "13812345678" not in text


def test_create_with_bad_input_names_every_field_and_saves_nothing(client_for):
    client = client_for("county_admin", "440105")
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        "/associations/new/",
        {
            "region": "440105",
            "name": "",
            "form": "youth_volunteer_association",
            "established_on": future,
            "registered": "on",
            "uscc": BAD_USCC,
            "president_phone": "12345",
        },
    )
    assert response.status_code == 200
    assert any("校验位错误" in m for m in field_errors(response, "uscc"))
    assert any("不能晚于今天" in m for m in field_errors(response, "established_on"))
    assert field_errors(response, "name") == ["请填写协会名称。"]
    assert any("会长电话" in m for m in field_errors(response, "president_phone"))
    text = page(response)
    assert "校验位错误" in text and "不能晚于今天" in text
    assert not Association.objects.filter(region__code="440105").exists()


def test_create_on_a_township_or_a_second_time_is_refused_on_the_region_field(client_for, haizhu):
    client = client_for("county_admin", "440105")
    data = {"name": "某协会", "form": "youth_volunteer_association", "established_on": "2022-01-01"}
    township = Region.objects.filter(parent__code="440105").first()
    response = client.post("/associations/new/", {**data, "region": township.code})
    assert any("乡级区划" in m for m in field_errors(response, "region"))
    response = client.post("/associations/new/", {**data, "region": "440105"})
    assert any("同一区划同一时间只能有一个" in m for m in field_errors(response, "region"))
    response = client.post("/associations/new/", {**data, "region": "999999"})
    assert field_errors(response, "region") == ["没有代码为 999999 的行政区划。"]
    in_haizhu = Association.objects.filter(region__path__startswith=haizhu.region.path)
    assert list(in_haizhu) == [haizhu]


def test_create_outside_scope_is_forbidden_and_saves_nothing(client_for):
    client = client_for("county_admin", "440105")
    response = client.post(
        "/associations/new/",
        {
            "region": "440106",
            "name": "天河区青协",
            "form": "youth_volunteer_association",
            "established_on": "2021-01-01",
        },
    )
    assert response.status_code == 403
    assert not Association.objects.filter(region__code="440106").exists()
    assert client_for("viewer", "440105").get("/associations/new/").status_code == 403


# --------------------------------------------------------------------- detail, edit


def test_detail_accepts_a_number_without_hyphens_and_404s_in_chinese(client_for, haizhu):
    client = client_for("county_admin", "440105")
    assert client.get(f"/associations/{haizhu.number.replace('-', '')}/").status_code == 200
    response = client.get("/associations/440105-3-99-0/")
    assert response.status_code == 404
    assert "未找到该协会" in page(response)


def test_edit_saves_and_records_the_change(client_for, haizhu):
    client = client_for("county_admin", "440105")
    url = f"/associations/{haizhu.number}/edit/"
    form = client.get(url)
    assert form.context["form"].initial["name"] == haizhu.name
    data = {
        "name": "广州市海珠区青年志愿者协会",
        "form": "volunteer_federation",
        "established_on": "2021-03-01",
        "president_phone": "13812345678",
    }
    response = client.post(url, data, follow=True)
    assert "协会信息已保存" in page(response)
    haizhu.refresh_from_db()
    assert haizhu.name == "广州市海珠区青年志愿者协会"
    assert haizhu.form == "volunteer_federation"
    assert "变更记录" in page(response) and "form" in page(response)


def test_edit_with_an_invalid_uscc_keeps_the_old_values(client_for, haizhu):
    client = client_for("county_admin", "440105")
    response = client.post(
        f"/associations/{haizhu.number}/edit/",
        {"name": "新名字", "form": "other", "established_on": "2021-03-01", "uscc": BAD_USCC},
    )
    assert any("校验位错误" in m for m in field_errors(response, "uscc"))
    haizhu.refresh_from_db()
    assert haizhu.name == "海珠区青年志愿者协会"


def test_viewer_sees_no_edit_link_and_cannot_edit(client_for, haizhu):
    client = client_for("viewer", "440105")
    assert "修改信息" not in page(client.get(haizhu.get_absolute_url()))
    assert client.get(f"/associations/{haizhu.number}/edit/").status_code == 403
    response = client.post(
        f"/associations/{haizhu.number}/edit/",
        {"name": "x", "form": "other", "established_on": "2021-03-01"},
    )
    assert response.status_code == 403
    haizhu.refresh_from_db()
    assert haizhu.name == "海珠区青年志愿者协会"


def test_status_change_suspends_and_a_bad_date_is_shown_on_its_field(client_for, haizhu):
    client = client_for("county_admin", "440105")
    url = f"/associations/{haizhu.number}/status/"
    response = client.post(url, {"change": "suspend", "on": "2020-01-01", "note": ""})
    assert any("不能早于成立日期" in m for m in field_errors(response, "on"))
    response = client.post(
        url, {"change": "suspend", "on": "2023-05-01", "note": "换届"}, follow=True
    )
    assert "协会状态已变更为“暂停活动”" in page(response)
    haizhu.refresh_from_db()
    assert haizhu.status == AssociationStatus.SUSPENDED
    assert str(haizhu.status_since) == "2023-05-01"


def test_merge_needs_a_known_number(client_for, haizhu, liwan):
    client = client_for("city_admin", "440100")
    url = f"/associations/{haizhu.number}/status/"
    response = client.post(url, {"change": "merge", "on": "2023-05-01", "into": ""})
    assert field_errors(response, "into") == ["合并时请填写合并入的协会的统一编号。"]
    client.post(url, {"change": "merge", "on": "2023-05-01", "into": liwan.number})
    haizhu.refresh_from_db()
    assert haizhu.status == AssociationStatus.MERGED and haizhu.merged_into == liwan


# ----------------------------------------------------------------- checklist workflow


def _submit(client, association, item, note="已完成", **files):
    return client.post(
        f"/associations/{association.number}/checklist/{item.code}/",
        {"note": note, **files},
        follow=True,
    )


def test_checklist_submit_then_city_verifies_all_and_county_is_standardized(client_for, haizhu):
    county = client_for("county_admin", "440105")
    city = client_for("city_admin", "440100")
    items = list(ChecklistItem.objects.filter(active=True, required=True))
    assert items
    for item in items:
        response = _submit(county, haizhu, item)
        assert "材料已提交" in page(response)
    queue = city.get("/verification/")
    assert len(queue.context["pending"]) == len(items)
    assert "海珠区青年志愿者协会" in page(queue)
    # The county admin has nothing to verify (its own items are not for it).
    assert county.get("/verification/").context["pending"] == []
    for entry in ChecklistEntry.objects.filter(association=haizhu):
        response = city.post(
            f"/checklist/{entry.pk}/verify/", {"next": "/verification/"}, follow=True
        )
        assert response.redirect_chain[-1][0] == "/verification/"
    haizhu.refresh_from_db()
    assert haizhu.standardized_since == timezone.localdate()
    assert "认定为规范化建设" in page(response)
    detail = page(county.get(haizhu.get_absolute_url()))
    assert 'id="standardized-badge"' in detail
    assert f"已核验 {len(items)} / " in detail


def test_return_with_a_reason_shows_it_to_the_county(client_for, haizhu):
    county = client_for("county_admin", "440105")
    city = client_for("city_admin", "440100")
    item = ChecklistItem.objects.filter(active=True).first()
    _submit(county, haizhu, item)
    entry = ChecklistEntry.objects.get(association=haizhu, item=item)
    response = city.post(f"/checklist/{entry.pk}/return/", {"reason": ""})
    assert field_errors(response, "reason") == ["请填写退回原因。"]
    city.post(f"/checklist/{entry.pk}/return/", {"reason": "章程未盖章"})
    entry.refresh_from_db()
    assert entry.state == ChecklistState.RETURNED
    assert "章程未盖章" in page(county.get(haizhu.get_absolute_url()))
    returned = county.get("/verification/?tab=returned")
    assert "章程未盖章" in page(returned)


def test_county_admin_cannot_verify_its_own_items(client_for, haizhu):
    county = client_for("county_admin", "440105")
    item = ChecklistItem.objects.filter(active=True).first()
    _submit(county, haizhu, item)
    entry = ChecklistEntry.objects.get(association=haizhu, item=item)
    detail = page(county.get(haizhu.get_absolute_url()))
    assert "核验通过" not in detail and f"/checklist/{entry.pk}/verify/" not in detail
    assert county.post(f"/checklist/{entry.pk}/verify/").status_code in (403, 404)
    assert county.post(f"/checklist/{entry.pk}/return/", {"reason": "x"}).status_code in (403, 404)
    entry.refresh_from_db()
    assert entry.state == ChecklistState.SUBMITTED
    # The city admin sees the buttons.
    city_detail = page(client_for("city_admin", "440100").get(haizhu.get_absolute_url()))
    assert f"/checklist/{entry.pk}/verify/" in city_detail


def test_revoke_withdraws_standardization(client_for, haizhu):
    services.association_standardize(actor=None, association=haizhu, on=datetime.date(2022, 6, 1))
    city = client_for("city_admin", "440100")
    entry = ChecklistEntry.objects.filter(association=haizhu).first()
    response = city.post(f"/checklist/{entry.pk}/revoke/", {"reason": "材料失效"}, follow=True)
    assert "已撤销核验" in page(response)
    haizhu.refresh_from_db()
    assert haizhu.standardized_since is None


def test_bad_evidence_file_is_refused_on_its_field(client_for, haizhu):
    county = client_for("county_admin", "440105")
    item = ChecklistItem.objects.filter(active=True).first()
    response = county.post(
        f"/associations/{haizhu.number}/checklist/{item.code}/",
        {"note": "x", "evidence": SimpleUploadedFile("run.exe", b"MZ")},
    )
    assert any("佐证材料只接受" in m for m in field_errors(response, "evidence"))
    assert not ChecklistEntry.objects.filter(association=haizhu, state="submitted").exists()


def test_evidence_download_is_permission_checked(client_for, haizhu, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    county = client_for("county_admin", "440105")
    item = ChecklistItem.objects.filter(active=True).first()
    upload = SimpleUploadedFile("章程.pdf", b"%PDF-1.4 charter", content_type="application/pdf")
    _submit(county, haizhu, item, evidence=upload)
    entry = ChecklistEntry.objects.get(association=haizhu, item=item)
    url = f"/checklist/{entry.pk}/evidence/"
    assert url in page(county.get(haizhu.get_absolute_url()))
    response = county.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 charter"
    assert client_for("city_admin", "440100").get(url).status_code == 200
    assert client_for("county_admin", "440106").get(url).status_code == 404
    assert client_for().get(url).status_code == 404


# ------------------------------------------------------------------- seats, members


def test_city_page_lists_seats_and_representative_is_editable(client_for, haizhu, tianhe):
    city_association = make_association("440100", name="广州市青年志愿者协会")
    client = client_for("city_admin", "440100")
    text = page(client.get(city_association.get_absolute_url()))
    assert "海珠区青年志愿者协会" in text and "天河区青年志愿者协会" in text
    seat = city_association.seats.get(member=haizhu)
    client.post(f"/seats/{seat.pk}/edit/", {"representative": "李四"})
    seat.refresh_from_db()
    assert seat.representative == "李四"
    # On the county's page the city admin sees the seat it occupies above.
    assert "广州市青年志愿者协会" in page(client.get(haizhu.get_absolute_url()))


def test_group_member_add_edit_and_withdraw(client_for, haizhu):
    client = client_for("county_admin", "440105")
    url = f"/associations/{haizhu.number}/members/new/"
    response = client.post(
        url, {"name": "", "kind": "school", "admitted_on": "2022-01-01", "uscc": BAD_USCC}
    )
    assert field_errors(response, "name") == ["请填写团体会员名称。"]
    assert any("校验位错误" in m for m in field_errors(response, "uscc"))
    assert not GroupMember.objects.exists()
    client.post(url, {"name": "海珠中学团委", "kind": "school", "admitted_on": "2022-01-01"})
    member = GroupMember.objects.get()
    assert "海珠中学团委" in page(client.get(haizhu.get_absolute_url()))
    client.post(
        f"/members/{member.pk}/edit/",
        {"name": "海珠区第一中学团委", "kind": "school", "admitted_on": "2022-01-01"},
    )
    client.post(f"/members/{member.pk}/withdraw/", {"on": "2023-01-01"})
    member.refresh_from_db()
    assert member.name == "海珠区第一中学团委" and member.status == "withdrawn"
    other = client_for("county_admin", "440106")
    assert other.get(f"/members/{member.pk}/edit/").status_code == 404


# ---------------------------------------------------------------------- coverage


def test_coverage_page_shows_the_figures_of_a_city(client_for, haizhu, liwan):
    services.association_standardize(actor=None, association=haizhu, on=datetime.date(2022, 6, 1))
    client = client_for("city_admin", "440100")
    response = client.get("/coverage/440100/?as_of=2022-12-31")
    node = response.context["node"]
    counties = Region.objects.get(code="440100").county_count
    assert (node.counties, node.established, node.standardized) == (counties, 2, 1)
    text = page(response)
    assert f"{counties}个县级单位中共有2个成立团属志愿服务组织" in text
    assert f"{round(200 / counties, 1):.1f}%" in text
    children = response.context["children"]
    assert children[-1].code in {"440103", "440105"}  # worst first: covered ones last
    assert children[0].coverage_rate == 0.0
    assert 'href="/coverage/440105/?as_of=2022-12-31"' in text
    assert '<script id="coverage-data" type="application/json">' in text
    assert "ledger/coverage-chart.js" in text
    # Before the associations were founded the figure is zero.
    earlier = client.get("/coverage/440100/?as_of=2021-01-01").context["node"]
    assert earlier.established == 0


def test_coverage_targets_and_scope(client_for, haizhu):
    client = client_for("county_admin", "440105")
    response = client.get("/coverage/440105/?as_of=2021-06-30")
    assert response.context["node"].established == 1
    assert "目标完成情况" in page(response)
    assert client.get("/coverage/440106/").status_code == 404
    assert client.get("/coverage/").url == "/coverage/440105/"
    bad = client.get("/coverage/440105/?as_of=2099-01-01", follow=True)
    assert "不能晚于今天" in page(bad)
    dongguan = client_for("province_admin", "440000").get("/coverage/441900/")
    assert "下没有县级单位" in page(dongguan)
    assert "已实现县级全覆盖" not in page(dongguan)


def test_create_reports_a_bad_date_with_the_service_refusals_in_one_pass(client_for):
    """A date the form cannot read used to hide the name, credit-code and phone problems
    until it was fixed; now they all come back at once, each on its field."""
    client = client_for("county_admin", "440105")
    response = client.post(
        "/associations/new/",
        {
            "region": "440105",
            "name": "",
            "form": "youth_volunteer_association",
            "established_on": "2021-13-45",
            "registered": "on",
            "uscc": BAD_USCC,
            "president_phone": "12345",
        },
    )
    assert field_errors(response, "established_on")
    assert field_errors(response, "name") == ["请填写协会名称。"]
    assert any("校验位错误" in m for m in field_errors(response, "uscc"))
    assert any("会长电话" in m for m in field_errors(response, "president_phone"))
    assert not Association.objects.filter(region__code="440105").exists()


def test_member_and_merge_forms_report_every_error_at_once(client_for, haizhu):
    client = client_for("county_admin", "440105")
    response = client.post(
        f"/associations/{haizhu.number}/members/new/",
        {"name": "", "kind": "enterprise", "admitted_on": "", "contact_phone": "123"},
    )
    assert field_errors(response, "name") == ["请填写团体会员名称。"]
    assert field_errors(response, "admitted_on") == ["请填写入会日期。"]
    assert field_errors(response, "contact_phone")
    assert not GroupMember.objects.exists()
    response = client.post(
        f"/associations/{haizhu.number}/status/", {"change": "merge", "on": "", "into": ""}
    )
    assert field_errors(response, "on") == ["请填写变更日期。"]
    assert field_errors(response, "into") == ["合并时请填写合并入的协会的统一编号。"]
    haizhu.refresh_from_db()
    assert haizhu.status == AssociationStatus.ACTIVE


def test_the_coverage_page_region_picker_goes_to_the_region_named(client_for, haizhu):
    client = client_for("city_admin", "440100")
    page_text = client.get("/coverage/440100/").content.decode()
    assert 'id="region-jump"' in page_text and "data-region-picker" in page_text
    for typed in ("海珠区", "440105", "海珠"):
        response = client.get("/coverage/", {"region": typed, "as_of": "2024-01-01"})
        assert response.status_code == 302, typed
        assert response["Location"] == "/coverage/440105/?as_of=2024-01-01"
    township = Region.objects.filter(parent__code="440105").order_by("code").first()
    assert client.get("/coverage/", {"region": township.code})["Location"] == "/coverage/440105/"
    response = client.get("/coverage/", {"region": "没有这个地方"}, follow=True)
    assert "没有名称或代码为“没有这个地方”的行政区划" in response.content.decode()
    # Outside the user's patch the picker leads to the page's own 404.
    assert client.get("/coverage/", {"region": "深圳"}, follow=True).status_code == 404


def test_the_level_history_shows_a_colleagues_decision_and_an_image_preview(
    client_for, haizhu, settings, tmp_path
):
    """Two admins of 广州: what one verified today is in the other's 本级核验记录, with who
    decided and the same-day undo; an image of evidence is previewed in the queue."""
    settings.MEDIA_ROOT = tmp_path
    county = client_for("county_admin", "440105")
    items = list(ChecklistItem.objects.filter(active=True)[:2])
    png = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png")
    _submit(county, haizhu, items[0], evidence=png)
    _submit(county, haizhu, items[1])
    colleague, me = client_for("city_admin", "440100"), client_for("city_admin", "440100")
    queue = page(me.get("/verification/"))
    first = ChecklistEntry.objects.get(association=haizhu, item=items[0])
    assert f'<img src="/checklist/{first.pk}/evidence/?inline=1"' in queue
    colleague.post(f"/checklist/{first.pk}/verify/", {})
    first.refresh_from_db()
    assert first.state == ChecklistState.VERIFIED
    decided = page(me.get("/verification/?tab=decided"))
    assert f'data-entry="{first.pk}"' in decided and first.decided_by.username in decided
    assert "undo-form" in decided
    response = me.post(
        f"/checklist/{first.pk}/revoke/",
        {"reason": "当天撤回误核验", "on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state != ChecklistState.VERIFIED
