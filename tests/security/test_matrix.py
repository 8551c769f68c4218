"""The attack matrix: every URL pattern and every API operation, tried by four callers.

For each page and API operation the table below says how to reach one real object (built
through the services) and what each caller must get:

- anonymous: the login page (pages) or 401 with the API's error shape;
- a cadre of another region: 404 for an object outside their patch (never a 403 that would
  confirm it exists); on a list or search page, 200 without the object in it;
- a viewer (read-only) of the object's own region: 403 on every write, and nothing written;
- the cadre whose patch it is: success (2xx, or a redirect after a form post), and a write is
  recorded in the change log.

The table is checked against the URL resolver and the OpenAPI schema: a pattern or operation
missing from it, or an entry naming one that no longer exists, fails the build, so an endpoint
cannot be added without saying who may reach it. Public endpoints are listed as such.

API throttling (if configured) is switched off per test (see `_no_throttling`): this matrix
sends a few hundred requests from the same callers and tests scope, not rate limits.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from qingxie.accounts.models import User
from qingxie.accounts.services import role_grant_create, user_create
from qingxie.core.models import ObjectChange
from qingxie.ledger import services as ledger
from qingxie.ledger.models import Association, ChecklistEntry, ChecklistItem, Seat
from qingxie.regions.models import Region
from qingxie.teams.services import team_create

FOUNDED = datetime.date(2020, 1, 1)
VALID_USCC = "91440105MA59A1B2C0"

#: Names the other region's user must never see on a list or search page.
HZ_NAME = "海珠区青年志愿者协会"
HZ_TEAM = "赤岗街道志愿服务队"
HZ_MEMBER = "海珠区蓝天救援队"


def association(code: str, name: str, **fields) -> Association:
    return ledger.association_create(
        actor=None,
        region=Region.objects.get(code=code),
        name=name,
        form=fields.pop("form", "youth_volunteer_association"),
        established_on=FOUNDED,
        **fields,
    )


def ledger_csv(region_code: str = "440105") -> bytes:
    """A ledger import file with one bad row (a problems list exists after the preview)."""
    header = "区划代码,名称,组织形式,成立日期\n"
    return (header + f"{region_code},,青年志愿者协会,2099-01-01\n").encode("utf-8-sig")


@dataclass
class World:
    """The objects under attack; `user(role, code)` gives the same user on every call."""

    tmp_path: object
    users: dict = field(default_factory=dict)

    def user(self, role: str | None, code: str | None) -> User:
        key = (role, code)
        if key not in self.users:
            user = user_create(
                username=f"sec-{role or 'none'}-{code or 'none'}", password="x", validate=False
            )
            if role:
                role_grant_create(
                    actor=None, user=user, role=role, region=Region.objects.get(code=code)
                )
            self.users[key] = User.objects.get(pk=user.pk)
        return self.users[key]

    def client(self, role: str | None, code: str | None) -> Client:
        client = Client()
        client.force_login(self.user(role, code))
        return client

    def build(self) -> World:
        self.gd = association("440000", "广东省青年志愿者协会")
        self.gz = association("440100", "广州市青年志愿者协会")
        self.hz = association("440105", HZ_NAME, president_name="陈海")
        self.th = association("440106", "天河区青年志愿者协会")
        self.sz = association("440300", "深圳市义工联合会", form="yigong_federation")
        self.lh = association("440303", "罗湖区青年志愿者协会")
        self.gx = association("450000", "广西壮族自治区青年志愿者协会")

        registration = ChecklistItem.objects.get(code="registration")
        governance = ChecklistItem.objects.exclude(code__in=["registration", "charter"]).first()
        evidence = SimpleUploadedFile("登记证书.pdf", b"%PDF-1.4 hz", "application/pdf")
        # Submitted (to verify or return), verified (to revoke), and one in another city.
        self.hz_entry = ledger.checklist_entry_submit(
            actor=None, association=self.hz, item=registration, note="已登记", evidence=evidence
        )
        self.hz_verified = ledger.checklist_entry_submit(
            actor=None, association=self.hz, item=governance, note="已完成"
        )
        ledger.checklist_entry_verify(actor=None, entry=self.hz_verified, on=FOUNDED)
        self.lh_entry = ledger.checklist_entry_submit(
            actor=None,
            association=self.lh,
            item=registration,
            note="已登记",
            evidence=SimpleUploadedFile("lh.pdf", b"%PDF-1.4 lh", "application/pdf"),
        )
        self.hz_seat = Seat.objects.get(holder=self.gz, member=self.hz, until__isnull=True)
        self.lh_seat = Seat.objects.get(holder=self.sz, member=self.lh, until__isnull=True)

        def member(a, name):
            return ledger.group_member_create(
                actor=None,
                association=a,
                name=name,
                kind="volunteer_organisation",
                admitted_on=datetime.date(2021, 3, 1),
            )

        self.hz_member = member(self.hz, HZ_MEMBER)
        self.lh_member = member(self.lh, "罗湖区义工队")

        def team(a, township, name):
            return team_create(
                actor=None,
                association=a,
                name=name,
                category="township",
                township=Region.objects.get(code=township),
                founded_on=datetime.date(2021, 1, 1),
            )

        self.hz_team = team(self.hz, "440105001", HZ_TEAM)
        self.lh_team = team(self.lh, "440303001", "罗湖街道志愿服务队")

        def target(code):
            return ledger.coverage_target_set(
                actor=None,
                region=Region.objects.get(code=code),
                measure="established",
                due_on=datetime.date(2021, 12, 31),
                rate=80,
            )

        self.gd_target, self.gx_target = target("440000"), target("450000")
        self.sha = self.upload("county_admin", "440105")
        return self

    def upload(self, role: str, code: str) -> str:
        """An import file kept for that user, previewed (it has problems): its SHA-256."""
        from qingxie.sheets import jobs
        from qingxie.sheets.kinds import get_kind

        kind = get_kind("ledger", for_import=True)
        uploaded = SimpleUploadedFile("台账.csv", ledger_csv(), "text/csv")
        job = jobs.check_upload(self.user(role, code), uploaded, kind=kind)
        self.import_id = job.pk
        return job.payload["sha"]

    def entry(self, pk) -> ChecklistEntry:
        return ChecklistEntry.objects.get(pk=pk)


def csv_file(name: str = "台账.csv") -> io.BytesIO:
    handle = io.BytesIO(ledger_csv())
    handle.name = name
    return handle


# ------------------------------------------------------------------------------ the table


@dataclass(frozen=True)
class Probe:
    """One request to one endpoint and what each caller must get back.

    `who` is the cadre whose patch the object is in; `other` a cadre of the same kind elsewhere
    (None only with `why`, for endpoints that hold nothing region-scoped); `hidden` turns the
    other's expectation into "200 without this text" for lists and searches (and the right
    cadre must see that text, so the check can fail). `viewer_status` defaults to 403 for a
    write and 200 for a read; the viewer holds its grant on `viewer_code` (default: who's region).
    """

    method: str
    url: Callable[[World], str]
    who: tuple[str, str]
    ok: tuple[int, ...]
    data: Callable[[World], dict] | None = None
    fmt: str = "form"
    other: tuple[str, str] | None = None
    other_status: int = 404
    hidden: Callable[[World], str] | None = None
    viewer_status: int | None = None
    viewer_code: str | None = None
    setup: Callable[[World], object] | None = None
    records: bool = True
    #: A success that lands on the login page (signing out).
    to_login: bool = False
    why: str = ""

    @property
    def writes(self) -> bool:
        return self.method != "get"

    @property
    def expected_for_viewer(self) -> int:
        if self.viewer_status is not None:
            return self.viewer_status
        return 403 if self.writes else 200


COUNTY = ("county_admin", "440105")
COUNTY_ELSEWHERE = ("county_admin", "440303")
CITY = ("city_admin", "440100")
CITY_ELSEWHERE = ("city_admin", "440300")
PROVINCE = ("province_admin", "440000")
PROVINCE_ELSEWHERE = ("province_admin", "450000")
NATIONAL = ("national_admin", "000000")
OK, REDIRECT = (200,), (302,)
REGIONS_ARE_PUBLIC = (
    "行政区划是公开的参考资料：对所辖范围以外的区划新增或导出答 403 并说明原因，"
    "不涉及任何已有对象的存在与否"
)
NOT_SCOPED = "不含任何按区划划分的数据"


def hz_page(suffix: str = "") -> Callable[[World], str]:
    return lambda w: f"/associations/{w.hz.number}/{suffix}"


def hz_api(suffix: str = "") -> Callable[[World], str]:
    return lambda w: f"/api/associations/{w.hz.number}/{suffix}"


def today() -> str:
    return timezone.localdate().isoformat()


def _name(w) -> str:
    return HZ_NAME


ASSOCIATION_FORM = {
    "name": HZ_NAME,
    "form": "youth_volunteer_association",
    "established_on": "2020-01-01",
    "address": "广州市海珠区宝岗大道1号",
}
NEW_ASSOCIATION = {
    "region": "440111",
    "name": "白云区青年志愿者协会",
    "form": "youth_volunteer_association",
    "established_on": "2020-05-04",
}
TEAM_FORM = {
    "name": "新港街道志愿服务队",
    "category": "township",
    "township": "440105002",
    "founded_on": "2021-03-05",
    "member_count": "30",
}
MEMBER_FORM = {"name": "海珠中学团委", "kind": "school", "admitted_on": "2022-01-01"}
ITEM_FORM = {"title": "制定并公开协会章程", "required": "on", "active": "on", "position": "20"}


def _suspend_hz(w):
    ledger.association_suspend(
        actor=None, association=w.hz, on=datetime.date(2021, 2, 1), note="换届"
    )


#: Endpoints that need no sign-in.
PUBLIC: dict[str, list[Probe]] = {
    "healthz": [Probe("get", lambda w: "/healthz", COUNTY, OK, why=NOT_SCOPED)],
    "login": [
        Probe("get", lambda w: "/accounts/login/", COUNTY, OK, why=NOT_SCOPED),
        # A wrong password: the form again with its error, nobody signed in.
        Probe(
            "post",
            lambda w: "/accounts/login/",
            COUNTY,
            OK,
            data=lambda w: {"username": "nobody", "password": "wrong"},
            records=False,
            why=NOT_SCOPED,
        ),
    ],
    # An administrator's second sign-in step (accounts/login.py): with no password given a
    # moment ago there is nobody to verify, so the page sends everyone back to the sign-in.
    "otp_verify": [
        Probe("get", lambda w: "/accounts/login/code/", COUNTY, REDIRECT, why=NOT_SCOPED),
        Probe(
            "post",
            lambda w: "/accounts/login/code/",
            COUNTY,
            REDIRECT,
            data=lambda w: {"code": "123456"},
            records=False,
            why=NOT_SCOPED,
        ),
    ],
    "otp_enrol": [
        Probe("get", lambda w: "/accounts/login/enrol/", COUNTY, REDIRECT, why=NOT_SCOPED),
        Probe(
            "post",
            lambda w: "/accounts/login/enrol/",
            COUNTY,
            REDIRECT,
            data=lambda w: {"code": "123456"},
            records=False,
            why=NOT_SCOPED,
        ),
    ],
    "set_language": [
        Probe(
            "post",
            lambda w: "/i18n/setlang/",
            COUNTY,
            REDIRECT,
            data=lambda w: {"language": "en", "next": "/"},
            records=False,
            why=NOT_SCOPED,
        )
    ],
}

#: Every page (URL name → the requests that try it).
PAGES: dict[str, list[Probe]] = {
    "logout": [
        Probe(
            "post",
            lambda w: "/accounts/logout/",
            COUNTY,
            REDIRECT,
            viewer_status=302,
            records=False,
            to_login=True,
            why="退出登录不涉及数据",
        )
    ],
    "home": [Probe("get", lambda w: "/", COUNTY, OK, other=COUNTY_ELSEWHERE, hidden=_name)],
    "search": [
        Probe(
            "get",
            lambda w: "/search/?q=海珠区青年",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            hidden=_name,
        )
    ],
    "audit": [
        Probe(
            "get",
            lambda w: "/audit/",
            ("auditor", "440100"),
            OK,
            other=("auditor", "440300"),
            hidden=_name,
            viewer_status=403,
        )
    ],
    "map_home": [
        Probe("get", lambda w: "/map/", COUNTY, REDIRECT, viewer_status=302, why="跳转到本人区划")
    ],
    "coverage_map": [
        Probe("get", lambda w: "/regions/440105/map/", COUNTY, OK, other=COUNTY_ELSEWHERE)
    ],
    "regions:index": [
        Probe(
            "get", lambda w: "/regions/", COUNTY, REDIRECT, viewer_status=302, why="跳转到本人区划"
        )
    ],
    "regions:detail": [
        Probe("get", lambda w: "/regions/440105/", COUNTY, OK, other=COUNTY_ELSEWHERE)
    ],
    # The shell's region pages with coverage figures, on the same paths as the two above.
    "region_index_page": [
        Probe(
            "get", lambda w: "/regions/", COUNTY, REDIRECT, viewer_status=302, why="跳转到本人区划"
        )
    ],
    "region_page": [Probe("get", lambda w: "/regions/440105/", COUNTY, OK, other=COUNTY_ELSEWHERE)],
    "ledger:association_list": [
        Probe("get", lambda w: "/associations/", COUNTY, OK, other=COUNTY_ELSEWHERE, hidden=_name)
    ],
    "ledger:association_create": [
        Probe(
            "get",
            lambda w: "/associations/new/",
            CITY,
            OK,
            viewer_status=403,
            why="空白表单，不涉及已有对象",
        ),
        Probe(
            "post",
            lambda w: "/associations/new/",
            CITY,
            REDIRECT,
            data=lambda w: NEW_ASSOCIATION,
            other=CITY_ELSEWHERE,
            other_status=403,
            why=REGIONS_ARE_PUBLIC,
        ),
    ],
    "ledger:association_detail": [
        Probe("get", hz_page(), COUNTY, OK, other=COUNTY_ELSEWHERE),
        # 显示完整号码: the page again with phone numbers in clear, each reveal recorded.
        Probe("post", hz_page(), COUNTY, OK, data=lambda w: {}, other=COUNTY_ELSEWHERE),
    ],
    "ledger:association_edit": [
        Probe("get", hz_page("edit/"), COUNTY, OK, other=COUNTY_ELSEWHERE, viewer_status=403),
        Probe(
            "post",
            hz_page("edit/"),
            COUNTY,
            REDIRECT,
            data=lambda w: ASSOCIATION_FORM,
            other=COUNTY_ELSEWHERE,
        ),
    ],
    "ledger:association_status": [
        Probe("get", hz_page("status/"), COUNTY, OK, other=COUNTY_ELSEWHERE, viewer_status=403),
        Probe(
            "post",
            hz_page("status/"),
            COUNTY,
            REDIRECT,
            data=lambda w: {"change": "suspend", "on": "2021-02-01", "note": "换届"},
            other=COUNTY_ELSEWHERE,
        ),
    ],
    "ledger:checklist_submit": [
        Probe(
            "get",
            hz_page("checklist/charter/"),
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=403,
        ),
        Probe(
            "post",
            hz_page("checklist/charter/"),
            COUNTY,
            REDIRECT,
            data=lambda w: {"note": "章程经会员代表大会通过"},
            other=COUNTY_ELSEWHERE,
        ),
    ],
    "ledger:member_create": [
        Probe(
            "get", hz_page("members/new/"), COUNTY, OK, other=COUNTY_ELSEWHERE, viewer_status=403
        ),
        Probe(
            "post",
            hz_page("members/new/"),
            COUNTY,
            REDIRECT,
            data=lambda w: MEMBER_FORM,
            other=COUNTY_ELSEWHERE,
        ),
    ],
    # The verifying level looks an entry up with "view"; the service refuses the viewer's post.
    "ledger:entry_verify": [
        Probe(
            "get", lambda w: f"/checklist/{w.hz_entry.pk}/verify/", CITY, OK, other=CITY_ELSEWHERE
        ),
        Probe(
            "post",
            lambda w: f"/checklist/{w.hz_entry.pk}/verify/",
            CITY,
            REDIRECT,
            data=lambda w: {"on": today()},
            other=CITY_ELSEWHERE,
        ),
    ],
    "ledger:entry_return": [
        Probe(
            "get", lambda w: f"/checklist/{w.hz_entry.pk}/return/", CITY, OK, other=CITY_ELSEWHERE
        ),
        Probe(
            "post",
            lambda w: f"/checklist/{w.hz_entry.pk}/return/",
            CITY,
            REDIRECT,
            data=lambda w: {"reason": "章程未盖章"},
            other=CITY_ELSEWHERE,
        ),
    ],
    "ledger:entry_revoke": [
        Probe(
            "get",
            lambda w: f"/checklist/{w.hz_verified.pk}/revoke/",
            CITY,
            OK,
            other=CITY_ELSEWHERE,
        ),
        Probe(
            "post",
            lambda w: f"/checklist/{w.hz_verified.pk}/revoke/",
            CITY,
            REDIRECT,
            data=lambda w: {"reason": "材料失效"},
            other=CITY_ELSEWHERE,
        ),
    ],
    "ledger:entry_evidence": [
        Probe(
            "get",
            lambda w: f"/checklist/{w.hz_entry.pk}/evidence/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
        )
    ],
    "ledger:seat_edit": [
        Probe(
            "get",
            lambda w: f"/seats/{w.hz_seat.pk}/edit/",
            CITY,
            OK,
            other=CITY_ELSEWHERE,
            viewer_status=403,
        ),
        Probe(
            "post",
            lambda w: f"/seats/{w.hz_seat.pk}/edit/",
            CITY,
            REDIRECT,
            data=lambda w: {"representative": "李四"},
            other=CITY_ELSEWHERE,
        ),
    ],
    "ledger:member_edit": [
        Probe(
            "get",
            lambda w: f"/members/{w.hz_member.pk}/edit/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=403,
        ),
        Probe(
            "post",
            lambda w: f"/members/{w.hz_member.pk}/edit/",
            COUNTY,
            REDIRECT,
            data=lambda w: {**MEMBER_FORM, "name": "海珠区蓝天救援大队"},
            other=COUNTY_ELSEWHERE,
        ),
    ],
    "ledger:member_withdraw": [
        Probe(
            "get",
            lambda w: f"/members/{w.hz_member.pk}/withdraw/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=403,
        ),
        Probe(
            "post",
            lambda w: f"/members/{w.hz_member.pk}/withdraw/",
            COUNTY,
            REDIRECT,
            data=lambda w: {"on": "2023-01-01"},
            other=COUNTY_ELSEWHERE,
        ),
    ],
    # Batch verify: each entry through the verify service; an entry outside the caller's
    # scope is not found and nothing is written (the page says so, hence a redirect).
    "ledger:verification_batch": [
        Probe(
            "post",
            lambda w: "/verification/batch/",
            CITY,
            REDIRECT,
            data=lambda w: {"entry": [w.hz_entry.pk]},
            other=CITY_ELSEWHERE,
            other_status=302,
            viewer_status=302,
            why="批量核验在本页报告每一项的结果：范围外或无权核验的材料不写入，只提示",
        )
    ],
    "ledger:verification_queue": [
        Probe("get", lambda w: "/verification/", CITY, OK, other=CITY_ELSEWHERE, hidden=_name)
    ],
    "ledger:coverage_index": [
        Probe(
            "get", lambda w: "/coverage/", COUNTY, REDIRECT, viewer_status=302, why="跳转到本人区划"
        )
    ],
    "ledger:coverage": [
        Probe("get", lambda w: "/coverage/440105/", COUNTY, OK, other=COUNTY_ELSEWHERE)
    ],
    "ledger:targets": [
        Probe("get", lambda w: "/targets/?region=440000", PROVINCE, OK, other=PROVINCE_ELSEWHERE),
        Probe(
            "post",
            lambda w: "/targets/?region=440000",
            PROVINCE,
            REDIRECT,
            data=lambda w: {
                "region": "440000",
                "measure": "standardized",
                "due_on": "2022-06-30",
                "rate": "60",
            },
            other=PROVINCE_ELSEWHERE,
        ),
    ],
    "ledger:target_delete": [
        Probe(
            "post",
            lambda w: f"/targets/{w.gd_target.pk}/delete/",
            PROVINCE,
            REDIRECT,
            other=PROVINCE_ELSEWHERE,
        )
    ],
    "ledger:checklist_items": [
        Probe("get", lambda w: "/checklist-items/", COUNTY, OK, why="全国统一的清单，人人可读")
    ],
    "ledger:checklist_item_create": [
        Probe(
            "get",
            lambda w: "/checklist-items/new/",
            NATIONAL,
            OK,
            other=PROVINCE,
            other_status=403,
            viewer_status=403,
            why="全国统一的清单：只有全国管理员可改",
        ),
        Probe(
            "post",
            lambda w: "/checklist-items/new/",
            NATIONAL,
            REDIRECT,
            data=lambda w: {**ITEM_FORM, "code": "registry", "title": "志愿者注册管理"},
            other=PROVINCE,
            other_status=403,
            why="全国统一的清单：只有全国管理员可改",
        ),
    ],
    "ledger:checklist_item_edit": [
        Probe(
            "get",
            lambda w: "/checklist-items/charter/edit/",
            NATIONAL,
            OK,
            other=PROVINCE,
            other_status=403,
            viewer_status=403,
            why="全国统一的清单：只有全国管理员可改",
        ),
        Probe(
            "post",
            lambda w: "/checklist-items/charter/edit/",
            NATIONAL,
            REDIRECT,
            data=lambda w: ITEM_FORM,
            other=PROVINCE,
            other_status=403,
            why="全国统一的清单：只有全国管理员可改",
        ),
    ],
    "teams:team_list": [
        Probe(
            "get", lambda w: "/teams/", COUNTY, OK, other=COUNTY_ELSEWHERE, hidden=lambda w: HZ_TEAM
        )
    ],
    "teams:team_create": [
        Probe(
            "get",
            lambda w: f"/teams/new/?association={w.hz.number}",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=403,
        ),
        Probe(
            "post",
            lambda w: f"/teams/new/?association={w.hz.number}",
            COUNTY,
            REDIRECT,
            data=lambda w: TEAM_FORM,
            other=COUNTY_ELSEWHERE,
        ),
    ],
    "teams:team_detail": [
        Probe("get", lambda w: f"/teams/{w.hz_team.pk}/", COUNTY, OK, other=COUNTY_ELSEWHERE),
        Probe(
            "post",
            lambda w: f"/teams/{w.hz_team.pk}/",
            COUNTY,
            OK,
            data=lambda w: {},
            other=COUNTY_ELSEWHERE,
        ),
    ],
    "teams:team_edit": [
        Probe(
            "get",
            lambda w: f"/teams/{w.hz_team.pk}/edit/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=403,
        ),
        Probe(
            "post",
            lambda w: f"/teams/{w.hz_team.pk}/edit/",
            COUNTY,
            REDIRECT,
            data=lambda w: {**TEAM_FORM, "name": "赤岗街道青年志愿服务队", "township": "440105001"},
            other=COUNTY_ELSEWHERE,
        ),
    ],
    "teams:team_dissolve": [
        Probe(
            "get",
            lambda w: f"/teams/{w.hz_team.pk}/dissolve/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=403,
        ),
        Probe(
            "post",
            lambda w: f"/teams/{w.hz_team.pk}/dissolve/",
            COUNTY,
            REDIRECT,
            data=lambda w: {"on": "2023-01-01"},
            other=COUNTY_ELSEWHERE,
        ),
    ],
    "sheets:index": [Probe("get", lambda w: "/sheets/", COUNTY, OK, why=NOT_SCOPED)],
    "sheets:template": [
        Probe("get", lambda w: "/sheets/ledger/template/", COUNTY, OK, why="空白模板，不含数据")
    ],
    "sheets:import": [
        Probe(
            "get",
            lambda w: "/sheets/ledger/import/",
            COUNTY,
            OK,
            viewer_status=403,
            why="空白上传表单；上传的文件归上传者所有（见 import_job）",
        ),
        # The upload is only checked (a dry run): nothing is written until confirmed.
        Probe(
            "post",
            lambda w: "/sheets/ledger/import/",
            COUNTY,
            REDIRECT,
            data=lambda w: {"file": csv_file()},
            records=False,
            why="新上传，不涉及已有对象；上传的文件归上传者所有（见 import_job）",
        ),
    ],
    # Uploads belong to their uploader: another cadre's request for the same file is a 404.
    # A viewer may not import at all, which is said (403) before any file is looked up.
    "sheets:import_job": [
        Probe(
            "get",
            lambda w: f"/sheets/ledger/import/{w.sha}/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=403,
        ),
        # The file has problems, so confirming it imports nothing: a redirect back, no write.
        Probe(
            "post",
            lambda w: f"/sheets/ledger/import/{w.sha}/",
            COUNTY,
            REDIRECT,
            other=COUNTY_ELSEWHERE,
            records=False,
        ),
    ],
    "sheets:import_status": [
        Probe(
            "get",
            lambda w: f"/sheets/ledger/import/{w.sha}/status/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=403,
        )
    ],
    "sheets:import_problems": [
        Probe(
            "get",
            lambda w: f"/sheets/ledger/import/{w.sha}/problems/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=403,
        )
    ],
    "sheets:export": [
        Probe(
            "get",
            lambda w: "/sheets/ledger/export/?region=440105&format=csv",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            other_status=403,
            why=REGIONS_ARE_PUBLIC,
        )
    ],
    "reports:bulletin": [
        Probe("get", lambda w: "/reports/bulletin/440100/", CITY, OK, other=CITY_ELSEWHERE)
    ],
    "reports:bulletin_figure": [
        Probe("get", lambda w: "/reports/bulletin/440100/trend.png", CITY, OK, other=CITY_ELSEWHERE)
    ],
}


def api_probe(method, url, who, ok, **kwargs) -> Probe:
    kwargs.setdefault("fmt", "json")
    return Probe(method, url, who, ok, **kwargs)


def _hz_number(w) -> str:
    return w.hz.number


def _entry_url(suffix=""):
    return lambda w: f"/api/checklist-entries/{w.hz_entry.pk}/{suffix}"


#: Every operation of the OpenAPI schema: (METHOD, schema path) → the request that tries it.
API: dict[tuple[str, str], Probe] = {
    ("GET", "/api/associations/"): api_probe(
        "get", lambda w: "/api/associations/", COUNTY, OK, other=COUNTY_ELSEWHERE, hidden=_hz_number
    ),
    ("POST", "/api/associations/"): api_probe(
        "post",
        lambda w: "/api/associations/",
        CITY,
        (201,),
        data=lambda w: {**NEW_ASSOCIATION, "level": "county"},
        other=CITY_ELSEWHERE,
        other_status=403,
        why=REGIONS_ARE_PUBLIC,
    ),
    ("GET", "/api/associations/{number}/"): api_probe(
        "get", hz_api(), COUNTY, OK, other=COUNTY_ELSEWHERE
    ),
    ("PATCH", "/api/associations/{number}/"): api_probe(
        "patch",
        hz_api(),
        COUNTY,
        OK,
        data=lambda w: {"address": "广州市海珠区宝岗大道1号"},
        other=COUNTY_ELSEWHERE,
    ),
    ("GET", "/api/associations/{number}/checklist/"): api_probe(
        "get", hz_api("checklist/"), COUNTY, OK, other=COUNTY_ELSEWHERE
    ),
    ("GET", "/api/associations/{number}/group-members/"): api_probe(
        "get", hz_api("group-members/"), COUNTY, OK, other=COUNTY_ELSEWHERE
    ),
    ("GET", "/api/associations/{number}/seats/"): api_probe(
        "get", lambda w: f"/api/associations/{w.gz.number}/seats/", CITY, OK, other=CITY_ELSEWHERE
    ),
    ("POST", "/api/associations/{number}/suspend/"): api_probe(
        "post",
        hz_api("suspend/"),
        COUNTY,
        OK,
        data=lambda w: {"on": "2021-02-01", "note": "换届"},
        other=COUNTY_ELSEWHERE,
    ),
    ("POST", "/api/associations/{number}/resume/"): api_probe(
        "post",
        hz_api("resume/"),
        COUNTY,
        OK,
        data=lambda w: {"on": "2021-03-01"},
        other=COUNTY_ELSEWHERE,
        setup=_suspend_hz,
    ),
    ("POST", "/api/associations/{number}/dissolve/"): api_probe(
        "post",
        hz_api("dissolve/"),
        COUNTY,
        OK,
        data=lambda w: {"on": "2021-06-01"},
        other=COUNTY_ELSEWHERE,
    ),
    ("POST", "/api/associations/{number}/merge/"): api_probe(
        "post",
        hz_api("merge/"),
        CITY,
        OK,
        data=lambda w: {"on": "2021-06-01", "into": w.th.number},
        other=CITY_ELSEWHERE,
    ),
    ("GET", "/api/checklist-entries/"): api_probe(
        "get",
        lambda w: "/api/checklist-entries/",
        COUNTY,
        OK,
        other=COUNTY_ELSEWHERE,
        hidden=_hz_number,
    ),
    # The association named in the body is looked up through the gate: another's is a 404.
    ("POST", "/api/checklist-entries/"): api_probe(
        "post",
        lambda w: "/api/checklist-entries/",
        COUNTY,
        (201,),
        fmt="multipart",
        data=lambda w: {
            "association": w.hz.number,
            "item": "charter",
            "note": "章程经会员代表大会通过",
            "evidence": SimpleUploadedFile("charter.pdf", b"%PDF-1.4 c", "application/pdf"),
        },
        other=COUNTY_ELSEWHERE,
    ),
    ("GET", "/api/checklist-entries/{id}/"): api_probe(
        "get", _entry_url(), COUNTY, OK, other=COUNTY_ELSEWHERE
    ),
    ("POST", "/api/checklist-entries/{id}/verify/"): api_probe(
        "post", _entry_url("verify/"), CITY, OK, data=lambda w: {}, other=CITY_ELSEWHERE
    ),
    ("POST", "/api/checklist-entries/{id}/return/"): api_probe(
        "post",
        _entry_url("return/"),
        CITY,
        OK,
        data=lambda w: {"reason": "章程未盖章"},
        other=CITY_ELSEWHERE,
    ),
    ("POST", "/api/checklist-entries/{id}/revoke/"): api_probe(
        "post",
        lambda w: f"/api/checklist-entries/{w.hz_verified.pk}/revoke/",
        CITY,
        OK,
        data=lambda w: {"reason": "材料失效"},
        other=CITY_ELSEWHERE,
    ),
    ("GET", "/api/checklist-items/"): api_probe(
        "get", lambda w: "/api/checklist-items/", COUNTY, OK, why="全国统一的清单，人人可读"
    ),
    ("POST", "/api/checklist-items/"): api_probe(
        "post",
        lambda w: "/api/checklist-items/",
        NATIONAL,
        (201,),
        data=lambda w: {"code": "registry", "title": "志愿者注册管理", "required": True},
        other=PROVINCE,
        other_status=403,
        why="全国统一的清单：只有全国管理员可改",
    ),
    ("GET", "/api/checklist-items/{code}/"): api_probe(
        "get", lambda w: "/api/checklist-items/charter/", COUNTY, OK, why="全国统一的清单，人人可读"
    ),
    ("PATCH", "/api/checklist-items/{code}/"): api_probe(
        "patch",
        lambda w: "/api/checklist-items/charter/",
        NATIONAL,
        OK,
        data=lambda w: {"title": "制定并公开协会章程"},
        other=PROVINCE,
        other_status=403,
        why="全国统一的清单：只有全国管理员可改",
    ),
    ("GET", "/api/coverage/"): api_probe(
        "get", lambda w: "/api/coverage/?region=440105", COUNTY, OK, other=COUNTY_ELSEWHERE
    ),
    ("GET", "/api/coverage/series/"): api_probe(
        "get",
        lambda w: "/api/coverage/series/?region=440105&start=2021-01-01&end=2021-12-31",
        COUNTY,
        OK,
        other=COUNTY_ELSEWHERE,
    ),
    ("GET", "/api/coverage/map/"): api_probe(
        "get", lambda w: "/api/coverage/map/?region=440100", CITY, OK, other=CITY_ELSEWHERE
    ),
    ("GET", "/api/coverage-targets/"): api_probe(
        "get",
        lambda w: "/api/coverage-targets/",
        PROVINCE,
        OK,
        other=PROVINCE_ELSEWHERE,
        hidden=lambda w: '"region":"440000"',
    ),
    ("POST", "/api/coverage-targets/"): api_probe(
        "post",
        lambda w: "/api/coverage-targets/",
        PROVINCE,
        (201,),
        data=lambda w: {
            "region": "440000",
            "measure": "standardized",
            "due_on": "2022-12-31",
            "rate": 80,
        },
        other=PROVINCE_ELSEWHERE,
        other_status=403,
        why=REGIONS_ARE_PUBLIC,
    ),
    ("GET", "/api/coverage-targets/{id}/"): api_probe(
        "get",
        lambda w: f"/api/coverage-targets/{w.gd_target.pk}/",
        PROVINCE,
        OK,
        other=PROVINCE_ELSEWHERE,
    ),
    ("PATCH", "/api/coverage-targets/{id}/"): api_probe(
        "patch",
        lambda w: f"/api/coverage-targets/{w.gd_target.pk}/",
        PROVINCE,
        OK,
        data=lambda w: {"rate": 75.0},
        other=PROVINCE_ELSEWHERE,
    ),
    ("DELETE", "/api/coverage-targets/{id}/"): api_probe(
        "delete",
        lambda w: f"/api/coverage-targets/{w.gd_target.pk}/",
        PROVINCE,
        (204,),
        other=PROVINCE_ELSEWHERE,
    ),
    ("GET", "/api/group-members/"): api_probe(
        "get",
        lambda w: "/api/group-members/",
        COUNTY,
        OK,
        other=COUNTY_ELSEWHERE,
        hidden=lambda w: HZ_MEMBER,
    ),
    ("POST", "/api/group-members/"): api_probe(
        "post",
        lambda w: "/api/group-members/",
        COUNTY,
        (201,),
        data=lambda w: {**MEMBER_FORM, "association": w.hz.number},
        other=COUNTY_ELSEWHERE,
    ),
    ("GET", "/api/group-members/{id}/"): api_probe(
        "get", lambda w: f"/api/group-members/{w.hz_member.pk}/", COUNTY, OK, other=COUNTY_ELSEWHERE
    ),
    ("PATCH", "/api/group-members/{id}/"): api_probe(
        "patch",
        lambda w: f"/api/group-members/{w.hz_member.pk}/",
        COUNTY,
        OK,
        data=lambda w: {"contact_name": "李明"},
        other=COUNTY_ELSEWHERE,
    ),
    ("POST", "/api/group-members/{id}/withdraw/"): api_probe(
        "post",
        lambda w: f"/api/group-members/{w.hz_member.pk}/withdraw/",
        COUNTY,
        OK,
        data=lambda w: {"on": "2023-01-01"},
        other=COUNTY_ELSEWHERE,
    ),
    ("GET", "/api/regions/"): api_probe(
        "get",
        lambda w: "/api/regions/?parent=440100",
        CITY,
        OK,
        other=CITY_ELSEWHERE,
        hidden=lambda w: "海珠区",
    ),
    ("GET", "/api/regions/{code}/"): api_probe(
        "get", lambda w: "/api/regions/440105/", COUNTY, OK, other=COUNTY_ELSEWHERE
    ),
    ("GET", "/api/seats/"): api_probe(
        "get", lambda w: "/api/seats/", CITY, OK, other=CITY_ELSEWHERE, hidden=_hz_number
    ),
    ("GET", "/api/seats/{id}/"): api_probe(
        "get", lambda w: f"/api/seats/{w.hz_seat.pk}/", CITY, OK, other=CITY_ELSEWHERE
    ),
    ("PATCH", "/api/seats/{id}/"): api_probe(
        "patch",
        lambda w: f"/api/seats/{w.hz_seat.pk}/",
        CITY,
        OK,
        data=lambda w: {"representative": "王晓明"},
        other=CITY_ELSEWHERE,
    ),
    ("POST", "/api/imports/"): api_probe(
        "post",
        lambda w: "/api/imports/",
        COUNTY,
        (202,),
        data=lambda w: {"kind": "ledger", "file": SimpleUploadedFile("台账.csv", ledger_csv())},
        fmt="form",
        records=False,  # a check writes nothing
        why="上传的文件只属于上传者，每一行按上传者的权限检查",
    ),
    ("GET", "/api/imports/{id}/"): api_probe(
        "get",
        lambda w: f"/api/imports/{w.import_id}/",
        COUNTY,
        OK,
        other=COUNTY_ELSEWHERE,
        viewer_status=404,  # only the uploader sees a job
    ),
    # The file has problems, so confirming it is refused (400) and imports nothing.
    ("POST", "/api/imports/{id}/confirm/"): api_probe(
        "post",
        lambda w: f"/api/imports/{w.import_id}/confirm/",
        COUNTY,
        (400,),
        data=lambda w: {},
        other=COUNTY_ELSEWHERE,
        viewer_status=404,
        records=False,
    ),
    ("GET", "/api/teams/"): api_probe(
        "get", lambda w: "/api/teams/", COUNTY, OK, other=COUNTY_ELSEWHERE, hidden=lambda w: HZ_TEAM
    ),
    ("POST", "/api/teams/"): api_probe(
        "post",
        lambda w: "/api/teams/",
        COUNTY,
        (201,),
        data=lambda w: {**TEAM_FORM, "member_count": 30, "association": w.hz.number},
        other=COUNTY_ELSEWHERE,
    ),
    ("GET", "/api/teams/{id}/"): api_probe(
        "get", lambda w: f"/api/teams/{w.hz_team.pk}/", COUNTY, OK, other=COUNTY_ELSEWHERE
    ),
    ("PATCH", "/api/teams/{id}/"): api_probe(
        "patch",
        lambda w: f"/api/teams/{w.hz_team.pk}/",
        COUNTY,
        OK,
        data=lambda w: {"name": "赤岗街道青年志愿服务队"},
        other=COUNTY_ELSEWHERE,
    ),
    ("POST", "/api/teams/{id}/dissolve/"): api_probe(
        "post",
        lambda w: f"/api/teams/{w.hz_team.pk}/dissolve/",
        COUNTY,
        OK,
        data=lambda w: {"on": "2023-01-01"},
        other=COUNTY_ELSEWHERE,
    ),
}

#: API URL patterns that are not operations of the schema: the schema itself and its docs
#: (public, as drf-spectacular serves them: they describe the API and hold no data), and the
#: router's index (signed-in callers only).
API_PUBLIC = {"api:schema", "api:docs"}
API_EXTRA: dict[str, Probe] = {
    "api:schema": api_probe("get", lambda w: "/api/schema", COUNTY, OK, why=NOT_SCOPED),
    "api:docs": api_probe("get", lambda w: "/api/docs/", COUNTY, OK, why=NOT_SCOPED),
    "api:api-root": api_probe("get", lambda w: "/api/", COUNTY, OK, why=NOT_SCOPED),
}


# ------------------------------------------------------------------- the table vs the code

LOGIN = "/accounts/login/"
#: A sample value for each path parameter of the schema, to resolve its URL pattern.
PATH_SAMPLES = {"{number}": "440105301", "{id}": "1", "{code}": "440105"}
WRITE_METHODS = ("post", "put", "patch", "delete")


def url_patterns() -> dict[str, URLPattern]:
    """Every named URL pattern of the site, by its namespaced name (walked recursively)."""
    found: dict[str, URLPattern] = {}

    def walk(resolver: URLResolver, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            else:
                assert entry.name, f"URL pattern {entry.pattern} has no name"
                found.setdefault(f"{namespace}{entry.name}", entry)

    walk(get_resolver(), "")
    return found


def schema_operations() -> set[tuple[str, str]]:
    """(METHOD, path) of every operation in the OpenAPI schema the API publishes."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


def _api_name(path: str) -> str:
    for key, sample in PATH_SAMPLES.items():
        path = path.replace(key, sample)
    return resolve(path).view_name


def view_methods(pattern: URLPattern) -> set[str] | None:
    """The HTTP methods a class-based view answers (None for a plain function)."""
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is None:
        return None
    methods = {
        m
        for m in ("get", "post", "patch", "delete")
        if hasattr(view_class, m) and m in view_class.http_method_names
    }
    # FormView's put() only calls post(); a form post is what is tested.
    return methods


def test_every_url_pattern_has_an_entry_and_every_entry_a_pattern():
    patterns = url_patterns()
    api_names = {n for n in patterns if n.startswith("api:")}
    pages = set(patterns) - api_names
    tabled = set(PUBLIC) | set(PAGES)
    assert not pages - tabled, f"pages missing from the security matrix: {sorted(pages - tabled)}"
    assert not tabled - pages, f"matrix entries for pages that no longer exist: {tabled - pages}"
    assert not set(PUBLIC) & set(PAGES)
    reached = {_api_name(path) for _, path in schema_operations()}
    missing = api_names - reached - set(API_EXTRA)
    assert not missing, f"API URL patterns neither in the schema nor in the matrix: {missing}"
    assert not set(API_EXTRA) - api_names, "API_EXTRA names a pattern that no longer exists"
    assert not set(API_EXTRA) & reached, "API_EXTRA repeats an operation of the schema"


def test_every_api_operation_has_an_entry_and_every_entry_an_operation():
    operations = schema_operations()
    assert not operations - set(API), f"API operations missing: {sorted(operations - set(API))}"
    assert not set(API) - operations, f"entries for gone operations: {set(API) - operations}"
    for (method, _), probe in API.items():
        assert probe.method == method.lower()


def test_every_method_a_page_answers_is_tried():
    patterns = url_patterns()
    for name, probes in {**PUBLIC, **PAGES}.items():
        methods = view_methods(patterns[name])
        tried = {p.method for p in probes}
        if methods is not None:
            assert tried == methods, f"{name}: the view answers {methods}, the matrix tries {tried}"


def test_every_entry_that_skips_the_other_region_says_why():
    probes = [p for ps in PAGES.values() for p in ps] + list(API.values())
    for probe in probes:
        if probe.other is None or probe.other_status != 404:
            assert probe.why, f"{probe.method} {probe} neither tries another region nor says why"


# -------------------------------------------------------------------------- the attacks


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.QINGXIE_JOBS_SYNC = True
    return World(tmp_path).build()


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    """Rate limits are not what this matrix tests: it sends many requests as the same users."""
    from rest_framework.views import APIView

    monkeypatch.setattr(APIView, "get_throttles", lambda self: [])


# The change-log entry each recorded success must write: (model, action, the object edited;
# None for a create, whose entry must be for the one object the request created).


def _charter_item(w):
    return ChecklistItem.objects.get(code="charter")


CHANGES: dict = {
    "ledger:association_create": ("ledger.Association", "create", None),
    "ledger:association_detail": ("ledger.Association", "reveal", lambda w: w.hz),
    "ledger:association_edit": ("ledger.Association", "update", lambda w: w.hz),
    "ledger:association_status": ("ledger.Association", "update", lambda w: w.hz),
    "ledger:checklist_submit": ("ledger.ChecklistEntry", "create", None),
    "ledger:member_create": ("ledger.GroupMember", "create", None),
    "ledger:entry_verify": ("ledger.ChecklistEntry", "update", lambda w: w.hz_entry),
    "ledger:verification_batch": ("ledger.ChecklistEntry", "update", lambda w: w.hz_entry),
    "ledger:entry_return": ("ledger.ChecklistEntry", "update", lambda w: w.hz_entry),
    "ledger:entry_revoke": ("ledger.ChecklistEntry", "update", lambda w: w.hz_verified),
    "ledger:seat_edit": ("ledger.Seat", "update", lambda w: w.hz_seat),
    "ledger:member_edit": ("ledger.GroupMember", "update", lambda w: w.hz_member),
    "ledger:member_withdraw": ("ledger.GroupMember", "update", lambda w: w.hz_member),
    "ledger:targets": ("ledger.CoverageTarget", "create", None),
    "ledger:target_delete": ("ledger.CoverageTarget", "delete", lambda w: w.gd_target),
    "ledger:checklist_item_create": ("ledger.ChecklistItem", "create", None),
    "ledger:checklist_item_edit": ("ledger.ChecklistItem", "update", _charter_item),
    "teams:team_create": ("teams.Team", "create", None),
    "teams:team_detail": ("teams.Team", "reveal", lambda w: w.hz_team),
    "teams:team_edit": ("teams.Team", "update", lambda w: w.hz_team),
    "teams:team_dissolve": ("teams.Team", "update", lambda w: w.hz_team),
    ("POST", "/api/associations/"): ("ledger.Association", "create", None),
    ("PATCH", "/api/associations/{number}/"): ("ledger.Association", "update", lambda w: w.hz),
    ("POST", "/api/associations/{number}/suspend/"): (
        "ledger.Association",
        "update",
        lambda w: w.hz,
    ),
    ("POST", "/api/associations/{number}/resume/"): (
        "ledger.Association",
        "update",
        lambda w: w.hz,
    ),
    ("POST", "/api/associations/{number}/dissolve/"): (
        "ledger.Association",
        "update",
        lambda w: w.hz,
    ),
    ("POST", "/api/associations/{number}/merge/"): (
        "ledger.Association",
        "update",
        lambda w: w.hz,
    ),
    ("POST", "/api/checklist-entries/"): ("ledger.ChecklistEntry", "create", None),
    ("POST", "/api/checklist-entries/{id}/verify/"): (
        "ledger.ChecklistEntry",
        "update",
        lambda w: w.hz_entry,
    ),
    ("POST", "/api/checklist-entries/{id}/return/"): (
        "ledger.ChecklistEntry",
        "update",
        lambda w: w.hz_entry,
    ),
    ("POST", "/api/checklist-entries/{id}/revoke/"): (
        "ledger.ChecklistEntry",
        "update",
        lambda w: w.hz_verified,
    ),
    ("POST", "/api/checklist-items/"): ("ledger.ChecklistItem", "create", None),
    ("PATCH", "/api/checklist-items/{code}/"): ("ledger.ChecklistItem", "update", _charter_item),
    ("POST", "/api/coverage-targets/"): ("ledger.CoverageTarget", "create", None),
    ("PATCH", "/api/coverage-targets/{id}/"): (
        "ledger.CoverageTarget",
        "update",
        lambda w: w.gd_target,
    ),
    ("DELETE", "/api/coverage-targets/{id}/"): (
        "ledger.CoverageTarget",
        "delete",
        lambda w: w.gd_target,
    ),
    ("POST", "/api/group-members/"): ("ledger.GroupMember", "create", None),
    ("PATCH", "/api/group-members/{id}/"): (
        "ledger.GroupMember",
        "update",
        lambda w: w.hz_member,
    ),
    ("POST", "/api/group-members/{id}/withdraw/"): (
        "ledger.GroupMember",
        "update",
        lambda w: w.hz_member,
    ),
    ("PATCH", "/api/seats/{id}/"): ("ledger.Seat", "update", lambda w: w.hz_seat),
    ("POST", "/api/teams/"): ("teams.Team", "create", None),
    ("PATCH", "/api/teams/{id}/"): ("teams.Team", "update", lambda w: w.hz_team),
    ("POST", "/api/teams/{id}/dissolve/"): ("teams.Team", "update", lambda w: w.hz_team),
}


def log_size() -> int:
    return ObjectChange.objects.count()


def send(client: Client, probe: Probe, w: World):
    url = probe.url(w)
    data = probe.data(w) if probe.data else {}
    if probe.method == "get":
        return client.get(url)
    if probe.fmt == "json":
        return getattr(client, probe.method)(url, data, content_type="application/json")
    if probe.method == "post":
        return client.post(url, data)  # a browser's form post (multipart)
    return getattr(client, probe.method)(url, data, content_type="application/json")


def body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def attack(probe: Probe, w: World, *, api: bool, public: bool = False, key=None) -> None:
    """Anonymous, another region, a viewer — each refused with nothing written — then the
    cadre of the right scope, who succeeds (and whose write is recorded)."""
    if probe.setup:
        probe.setup(w)
    url = probe.url(w)
    # Users first: making one is itself recorded, and the count below is of the attack's writes.
    viewer = ("viewer", probe.viewer_code or probe.who[1])
    clients = {who: w.client(*who) for who in (probe.other, viewer, probe.who) if who}
    before = log_size()
    last_id = ObjectChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if probe.writes and probe.records and key in CHANGES:
        model, _, target = CHANGES[key]
        existing = {str(pk) for pk in apps.get_model(model).objects.values_list("pk", flat=True)}
        target_pk = target(w).pk if target else None

    response = send(Client(), probe, w)
    if public:
        assert response.status_code in probe.ok, f"anonymous {probe.method} {url}"
        return
    if api:
        assert response.status_code == 401, f"anonymous {probe.method} {url}"
        assert response.json()["error"]["code"] == "not_authenticated"
    else:
        assert response.status_code == 302, f"anonymous {probe.method} {url}"
        assert response["Location"].startswith(LOGIN)

    if probe.other:
        response = send(clients[probe.other], probe, w)
        shown = body(response)
        if probe.hidden:
            assert response.status_code == 200, f"{probe.other} {probe.method} {url}"
            assert probe.hidden(w) not in shown, f"{probe.other} sees another region in {url}"
        else:
            assert response.status_code == probe.other_status, (
                f"{probe.other} {probe.method} {url}: {response.status_code} {shown[:300]}"
            )
            if api:
                assert response.json()["error"]["message"]

    response = send(clients[viewer], probe, w)
    assert response.status_code == probe.expected_for_viewer, (
        f"viewer {probe.method} {url}: {response.status_code} {body(response)[:300]}"
    )
    if probe.writes:
        assert log_size() == before, f"a refused {probe.method} {url} wrote to the change log"

    response = send(clients[probe.who], probe, w)
    shown = body(response)
    assert response.status_code in probe.ok, (
        f"{probe.who} {probe.method} {url}: {response.status_code} {shown[:500]}"
    )
    if probe.hidden:
        assert probe.hidden(w) in shown, f"{probe.who} should see the object in {url}"
    if response.status_code == 302:
        assert response["Location"].startswith(LOGIN) == probe.to_login
    if probe.writes and probe.records:
        assert key in CHANGES, f"{key}: a recorded write names the change it logs"
        model, action, target = CHANGES[key]
        entries = ObjectChange.objects.filter(id__gt=last_id)
        assert entries.exists(), f"{probe.method} {url} succeeded without a change-log entry"
        if target is None:
            ids = {str(pk) for pk in apps.get_model(model).objects.values_list("pk", flat=True)}
            ids -= existing
            assert len(ids) == 1, f"{probe.method} {url} created {len(ids)} {model}"
        else:
            ids = {str(target_pk)}
        content_type = ContentType.objects.get_for_model(apps.get_model(model))
        found = entries.filter(content_type=content_type, object_id__in=ids, action=action)
        assert found.count() == 1, (
            f"{probe.method} {url}: no {action} of {model} {ids} among "
            f"{list(entries.values_list('content_type__model', 'object_id', 'action'))}"
        )


PAGE_CASES = [
    pytest.param(name, i, id=f"{name}-{p.method}")
    for name, ps in PAGES.items()
    for i, p in enumerate(ps)
]
PUBLIC_CASES = [
    pytest.param(name, i, id=f"{name}-{p.method}")
    for name, ps in PUBLIC.items()
    for i, p in enumerate(ps)
]


@pytest.mark.parametrize(("name", "index"), PAGE_CASES)
def test_page(world, name, index):
    attack(PAGES[name][index], world, api=False, key=name)


@pytest.mark.parametrize(("name", "index"), PUBLIC_CASES)
def test_public_endpoint(world, name, index):
    attack(PUBLIC[name][index], world, api=False, public=True)


@pytest.mark.parametrize("key", list(API), ids=[f"{m} {p}" for m, p in API])
def test_api_operation(world, key):
    attack(API[key], world, api=True, key=key)


@pytest.mark.parametrize("name", list(API_EXTRA))
def test_api_extra(world, name):
    attack(API_EXTRA[name], world, api=True, public=name in API_PUBLIC, key=name)
