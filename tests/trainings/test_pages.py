"""Training pages: list by scope and filters, create (a county may not organise for the
province), the tick list, the leaders offered, materials, the sign-in sheets, the compliance
page worst first, the workbench card, the checklist line and the bulletin paragraph."""

from __future__ import annotations

import io
import re
import warnings
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from openpyxl import load_workbook

from qingxie.ledger.models import ChecklistEntry
from qingxie.trainings.models import Attendee, Training, TrainingMaterial
from tests.generic import ScopedDetailViewTests

from .conftest import D, attend, make_training

pytestmark = pytest.mark.django_db


class TestTrainingDetailView(ScopedDetailViewTests):
    model_label = "trainings.Training"
    role = "county_admin"
    grant_code = "440105"
    expected_text = "海珠区志愿服务骨干培训"

    @pytest.fixture(autouse=True)
    def _data(self, gd_world):
        self.url_in_scope = make_training(
            gd_world.hz, title="海珠区志愿服务骨干培训"
        ).get_absolute_url()
        self.url_out_of_scope = make_training(gd_world.th, title="天河培训").get_absolute_url()


def test_list_is_scoped_and_filtered(gd_world, client_for):
    w = gd_world
    make_training(w.gz, title="广州市2021年负责人培训", start=D(2021, 3, 1))
    make_training(w.gz, title="广州市2020年骨干培训", start=D(2020, 9, 1), kind="backbone")
    make_training(w.sz, title="深圳市2021年培训", start=D(2021, 3, 1))
    city = client_for("city_admin", "440100")
    page = city.get("/trainings/").content.decode()
    assert "广州市2021年负责人培训" in page and "深圳市2021年培训" not in page
    page = city.get("/trainings/", {"year": 2020}).content.decode()
    assert "广州市2020年骨干培训" in page and "广州市2021年负责人培训" not in page
    page = city.get("/trainings/", {"kind": "leaders"}).content.decode()
    assert "广州市2020年骨干培训" not in page
    page = client_for("province_admin", "440000").get("/trainings/", {"region": "440300"})
    assert "深圳市2021年培训" in page.content.decode()
    # The region box takes a name as the ledger's does, and offers the autocomplete.
    page = client_for("province_admin", "440000").get("/trainings/", {"region": "深圳"})
    page = page.content.decode()
    assert "深圳市2021年培训" in page and "广州市2021年负责人培训" not in page
    assert "data-region-picker" in page
    page = client_for("province_admin", "440000").get("/trainings/", {"region": "无此地"})
    assert "深圳市2021年培训" not in page.content.decode()


def test_create_and_the_county_cannot_pick_the_province(gd_world, client_for):
    county = client_for("county_admin", "440105")
    page = county.get("/trainings/new/").content.decode()
    assert "海珠区青年志愿者协会" in page and "广东省青年志愿者协会" not in page
    form = {
        "organiser": gd_world.gd.number,
        "status": "held",
        "title": "越权培训",
        "kind": "leaders",
        "audience": ["leaders"],
        "mode": "offline",
        "start_date": "2021-04-01",
        "end_date": "2021-04-01",
        "class_hours": "8",
    }
    response = county.post("/trainings/new/", form)
    assert response.status_code == 200  # the choice is not offered: a form error
    assert not Training.objects.exists()
    response = county.post(
        "/trainings/new/",
        {**form, "organiser": gd_world.hz.number, "end_date": "2021-03-31", "title": "海珠培训"},
    )
    assert "不能早于开始日期" in response.content.decode()
    assert not Training.objects.exists()
    response = county.post("/trainings/new/", {**form, "organiser": gd_world.hz.number})
    assert response.status_code == 302
    assert Training.objects.get().organiser == gd_world.hz


def test_the_tick_list_and_the_offered_leaders(gd_world, client_for):
    w = gd_world
    training = make_training(w.gz, class_hours=6)
    city = client_for("city_admin", "440100")
    page = city.get(training.get_absolute_url()).content.decode()
    assert "陈海（会长，海珠区青年志愿者协会）" in page and "林秘（秘书长" in page
    response = city.post(
        f"/trainings/{training.pk}/attendees/",
        {"association": w.hz.number, "name": "陈海", "role": "president"},
    )
    assert response.status_code == 302
    response = city.post(
        f"/trainings/{training.pk}/attendees/",
        {"association": w.lh.number, "name": "周罗", "role": "president"},
    )
    assert Attendee.objects.count() == 1  # 罗湖 is outside 广州
    a = Attendee.objects.get()
    response = city.post(
        f"/trainings/{training.pk}/attendance/",
        {"attendee": [a.pk], "attended": [a.pk], f"hours-{a.pk}": "7"},
        follow=True,
    )
    assert "不能超过培训课时" in response.content.decode()
    assert not Attendee.objects.get().attended
    city.post(
        f"/trainings/{training.pk}/attendance/",
        {"attendee": [a.pk], "attended": [a.pk], f"hours-{a.pk}": "6"},
    )
    assert Attendee.objects.get().attended
    page = city.get(training.get_absolute_url()).content.decode()
    assert 'id="attended-count">1<' in page


def test_materials_are_stored_and_only_seen_in_scope(gd_world, client_for, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    training = make_training(gd_world.hz)
    county = client_for("county_admin", "440105")
    county.post(
        f"/trainings/{training.pk}/materials/",
        {"title": "课件", "file": SimpleUploadedFile("课件.pdf", b"%PDF-1.4 x", "application/pdf")},
    )
    material = TrainingMaterial.objects.get()
    assert county.get(f"/trainings/materials/{material.pk}/").status_code == 200
    assert (
        client_for("county_admin", "440106").get(f"/trainings/materials/{material.pk}/").status_code
        == 404
    )
    response = county.post(
        f"/trainings/{training.pk}/materials/",
        {"file": SimpleUploadedFile("a.exe", b"MZ", "application/octet-stream")},
        follow=True,
    )
    assert "只接受" in response.content.decode()
    assert TrainingMaterial.objects.count() == 1


def test_sign_in_sheets(gd_world, client_for):
    training = make_training(gd_world.gz, title="广州市负责人培训班", place="广州青年之家")
    attend(training, gd_world.hz, "陈海")
    attend(training, gd_world.th, "赵天", attended=False)
    city = client_for("city_admin", "440100")
    response = city.get(f"/trainings/{training.pk}/sign-in.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "广州市负责人培训班 签到表"
    assert rows[2][:5] == ["序号", "姓名", "所在协会", "职务", "签到"]
    assert rows[3][1:4] == ["陈海", "海珠区青年志愿者协会", "会长"] and rows[3][4] is None
    response = city.get(f"/trainings/{training.pk}/sign-in.docx")
    doc = Document(io.BytesIO(response.content))
    table = doc.tables[0]
    assert [c.text for c in table.rows[1].cells][:4] == [
        "1",
        "陈海",
        "海珠区青年志愿者协会",
        "会长",
    ]
    assert "广州青年之家" in doc.paragraphs[1].text
    assert (
        client_for("county_admin", "440303")
        .get(f"/trainings/{training.pk}/sign-in.xlsx")
        .status_code
        == 404
    )


def test_compliance_page_lists_children_worst_first(gd_world, client_for):
    w = gd_world
    t = make_training(w.gz, start=D(2021, 3, 1))
    attend(t, w.hz, "陈海")
    page = (
        client_for("province_admin", "440000")
        .get("/trainings/compliance/", {"region": "440000", "year": 2021})
        .content.decode()
    )
    assert page.index('data-region="440300"') < page.index('data-region="440100"')
    assert "天河区青年志愿者协会" in page and "深圳市义工联合会" in page
    assert 'id="counties-trained">1<' in page


def test_workbench_card_and_attention(gd_world, client_for):
    from django.utils import timezone

    today = timezone.localdate()
    w = gd_world
    t = make_training(w.gz, start=today)
    attend(t, w.hz, "陈海")
    page = client_for("city_admin", "440100").get("/").content.decode()
    assert 'id="panel-trainings"' in page
    assert "今年已举办负责人培训" in page
    assert "天河区青年志愿者协会" in page  # a county whose leaders have not attended
    page = client_for("province_admin", "440000").get("/").content.decode()
    assert "今年尚未举办负责人培训" in page and "深圳市义工联合会" in page


def test_the_workbench_card_shows_an_attendance_on_the_next_visit(gd_world, client_for):
    # The card's lists are cached per data version: recording an attendance must reach them.
    from django.utils import timezone

    w = gd_world
    t = make_training(w.gz, start=timezone.localdate())
    client = client_for("city_admin", "440100")
    assert "天河区青年志愿者协会" in client.get("/").content.decode()
    attend(t, w.th, "赵天")
    page = client.get("/").content.decode()
    assert 'id="wb-late-counties"' in page and "天河区青年志愿者协会" not in page


def test_the_checklist_line_follows_attendance(gd_world, client_for):
    from django.utils import timezone

    today = timezone.localdate()
    t = make_training(gd_world.gz, start=today)
    attend(t, gd_world.hz, "陈海")
    page = client_for("county_admin", "440105").get(gd_world.hz.get_absolute_url()).content
    assert f"会长陈海已于{today:%Y-%m-%d}参加" in page.decode()
    assert ChecklistEntry.objects.filter(association=gd_world.hz).count() == 0


def test_the_bulletin_says_it_in_the_seeds_words(gd_world):
    from qingxie.trainings.bulletin import sections

    w = gd_world
    topics = "志愿服务组织战略和能力建设、品牌管理与传播沟通、志愿服务项目设计与运营"
    one = make_training(
        w.gd, title="全省志愿服务骨干人才班（第一期）", start=D(2020, 11, 10), topics=topics
    )
    two = make_training(
        w.gd, title="全省志愿服务骨干人才班（第二期）", start=D(2021, 4, 12), topics=topics
    )
    for n in range(12):
        attend(one, w.hz if n % 2 else w.th, f"甲{n}")
        attend(two, w.sz, f"乙{n}")
    attend(two, w.gz, "王市")
    text = sections(w.gd.region, D(2021, 5, 6))[0].paragraphs[0]
    assert text.startswith(
        "广东省青年志愿者协会于2020年11月和2021年4月分别举办两期全省志愿服务骨干人才班"
    )
    assert "面向20多名市县两级义工联、青年志愿者协会负责人" in text
    assert text.endswith(f"围绕{topics}等开展专题培训。")
    assert sections(w.gd.region, D(2019, 5, 6)) == []


def test_the_bulletin_carries_the_trainings_section_before_the_targets(gd_world):
    from qingxie.reports.bulletin import bulletin_build

    w = gd_world
    make_training(
        w.gd,
        title="全省志愿服务骨干人才班（第一期）",
        start=D(2020, 11, 16),
        end=D(2020, 11, 20),
        topics="品牌管理与传播沟通",
    )
    bulletin = bulletin_build(region=w.gd.region, as_of=D(2021, 5, 6))
    titles = [s.title for s in bulletin.sections]
    assert titles.index("骨干培训") < titles.index("目标完成情况")
    text = bulletin.sections[titles.index("骨干培训")].blocks[0]
    assert text.startswith("广东省青年志愿者协会于2020年11月举办一期全省志愿服务骨干人才班")


def test_class_hours_take_english_plurals(gd_world, client_for):
    """A one-hour training reads "1.0 hour", a longer one "6.0 hours" (not "1.0 hours")."""
    w = gd_world
    city = client_for("city_admin", "440100")
    city.cookies["django_language"] = "en"
    short = make_training(w.gz, title="一小时培训", class_hours=1)
    long = make_training(w.gz, title="六小时培训", class_hours=6)
    page = city.get(short.get_absolute_url()).content.decode()
    assert "<dd>1.0 hour<" in page, re.findall(r"<dd>[^<]*hour[^<]*<", page)
    assert "<dd>6.0 hours<" in city.get(long.get_absolute_url()).content.decode()


def test_fractional_class_hours_read_as_a_fraction_without_a_fraction_reaching_the_plural(
    gd_world, client_for
):
    """1.5 class hours read "1.5 hours" in English, and the plural form is picked by a whole
    number: gettext deprecates a fraction there (a DeprecationWarning), which this page must
    never cause."""
    w = gd_world
    city = client_for("city_admin", "440100")
    city.cookies["django_language"] = "en"
    training = make_training(w.gz, title="一个半小时培训", class_hours=Decimal("1.5"))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Plural value must be an integer")
        page = city.get(training.get_absolute_url()).content.decode()
    assert "<dd>1.5 hours<" in page, re.findall(r"<dd>[^<]*hour[^<]*<", page)
