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

HZ_PROJECT = "海珠关爱留守儿童"
GD_CONTEST = "广东益苗计划"

FOUNDED = datetime.date(2020, 1, 1)
VALID_USCC = "91440105MA59A1B2C0"

#: Names the other region's user must never see on a list or search page.
HZ_NAME = "海珠区青年志愿者协会"
HZ_TEAM = "赤岗街道志愿服务队"
HZ_MEMBER = "海珠区蓝天救援队"
YX_NAME = "越秀区青年志愿者协会"
TH_NAME = "天河区青年志愿者协会"


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
        self.assessment()
        self.sha = self.upload("county_admin", "440105")
        self.build_projects()
        return self

    def build_projects(self) -> None:
        """A project and a library submission in Haizhu, one in Luohu; Guangdong's contest
        with an entry from Haizhu judged by a Shenzhen cadre; Guangxi's contest; a pilot."""
        from qingxie.projects import competitions as contest
        from qingxie.projects import services as projects

        def project(a, name):
            return projects.project_create(
                actor=None,
                association=a,
                name=name,
                field="children",
                region=a.region,
                start_on=datetime.date(2021, 1, 1),
                status="running",
            )

        self.hz_project = project(self.hz, HZ_PROJECT)
        self.lh_project = project(self.lh, "罗湖助残")
        self.th_project = project(self.th, "天河助残")
        self.hz_lib = projects.library_submit(actor=None, project=self.hz_project, note="申报")
        gd, gx = Region.objects.get(code="440000"), Region.objects.get(code="450000")
        self.gd_comp = contest.competition_create(
            actor=None, organiser=gd, name=GD_CONTEST, year=2021
        )
        self.gx_comp = contest.competition_create(
            actor=None, organiser=gx, name="广西项目大赛", year=2021
        )
        category = contest.category_add(actor=None, competition=self.gd_comp, name="关爱少年儿童")
        self.gd_category = category
        self.gd_stage = contest.stage_add(actor=None, competition=self.gd_comp, kind="preliminary")
        contest.criteria_set(
            actor=None, stage=self.gd_stage, criteria=[{"name": "项目创意", "weight": 100}]
        )
        self.gd_entry = contest.entry_submit(
            actor=None, competition=self.gd_comp, category=category, project=self.hz_project
        )
        contest.judge_assign(
            actor=None, stage=self.gd_stage, category=category, judge=self.user(*CITY_ELSEWHERE)
        )
        projects.pilot_create(
            actor=None, organiser=gd, name="共创美好社区", starts_on=datetime.date(2021, 1, 1)
        )

    def assessment(self) -> None:
        """A computed national 2021 round: 海珠 not yet filled, 越秀 submitted to its city,
        天河 confirmed and recommended for 示范; 海珠 in the library; an unfrozen version."""
        from qingxie.assessment import services as assess

        version = assess.version_create_default(actor=None)
        self.yx = association("440104", YX_NAME)
        soon = timezone.localdate() + datetime.timedelta(days=30)
        self.round = assess.round_open(
            actor=None,
            region=Region.objects.get(code="000000"),
            year=2021,
            indicator_version=version,
            cut_off=datetime.date(2021, 12, 31),
            self_until=soon,
            review_until=soon,
            appeal_until=soon,
        )
        assess.round_compute(round_id=self.round.pk)
        self.hz_sheet = self.round.sheets.get(association=self.hz)
        self.hz_activities = self.hz_sheet.values.get(indicator__code="activities")

        def fill(sheet):
            for v in sheet.values.select_related("indicator").filter(indicator__kind="manual"):
                i = v.indicator
                assess.value_fill(
                    actor=None,
                    sheet=sheet,
                    indicator=i,
                    grade="B" if i.rule == "abc" else "",
                    value=None if i.rule == "abc" else 20,
                    evidence=SimpleUploadedFile("证明.pdf", b"%PDF-1.4", "application/pdf")
                    if i.evidence_required
                    else None,
                )
            assess.sheet_submit(actor=None, sheet=sheet)

        fill(self.round.sheets.get(association=self.yx))
        th_sheet = self.round.sheets.get(association=self.th)
        fill(th_sheet)
        assess.sheet_verify(actor=None, sheet=th_sheet)
        assess.sheet_confirm(actor=None, sheet=th_sheet)
        assess.quota_set(actor=None, region=Region.objects.get(code="440000"), year=2021, quota=2)
        assess.candidate_recommend(actor=None, association=self.th, year=2021)
        self.hz_library = assess.library_add(
            actor=None, association=self.hz, year=2021, entered_on=datetime.date(2021, 4, 30)
        )
        self.spare_version = assess.version_copy(
            actor=None, source=version, code="matrix-2022", name="2022年指标（草案）", year=2022
        )

    def upload(self, role: str, code: str) -> str:
        """An import file kept for that user, previewed (it has problems): its SHA-256."""
        from qingxie.sheets import jobs
        from qingxie.sheets.kinds import get_kind

        kind = get_kind("ledger", for_import=True)
        uploaded = SimpleUploadedFile("台账.csv", ledger_csv(), "text/csv")
        job = jobs.check_upload(self.user(role, code), uploaded, kind=kind)
        self.import_id = job.pk
        return job.payload["sha"]

    def spare_charter(self):
        return self.spare_version.indicators.get(code="charter")

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


PROJECT_FORM = {
    "name": "海珠金晖助老",
    "programme": "jinhui",
    "field": "elderly_disabled",
    "region": "440105001",
    "status": "running",
    "start_on": "2021-03-01",
}
ACTIVITY_FORM = {
    "title": "重阳探访",
    "starts_at": "2021-10-14T09:00",
    "ends_at": "2021-10-14T12:00",
    "place": "赤岗街道社区服务中心",
    "posts": "8",
}
CATALOGUE_IS_SHARED = "上线推介的项目库目录面向所有已登录用户（遴选入库、上线推介），不按区划划分"
PILOTS_ARE_SHARED = "试点工作由全国或省级设立，所辖各级均可查看；数字按本人区划统计"
PROGRAMMES_ARE_SHARED = "品牌项目是全国统一的参考资料，各级均可查看"
JUDGES_BY_ASSIGNMENT = "评审页按评委分配开放：未分配的用户（含本区划的只读用户）答 404"


def _suspend_hz(w):
    ledger.association_suspend(
        actor=None, association=w.hz, on=datetime.date(2021, 2, 1), note="换届"
    )


# ------------------------------------------------------------------ trainings (built lazily)

HZ_TRAINING = "海珠区2021年协会负责人培训"


def _hz_training(w):
    """海珠's held training with one attendee (陈海, attended) and one material; 罗湖's own."""
    if not hasattr(w, "hz_training"):
        from qingxie.trainings import services as trainings

        def held(a, title):
            return trainings.training_create(
                actor=None,
                organiser=a,
                status="held",
                title=title,
                kind="leaders",
                audience=["leaders"],
                start_date=datetime.date(2021, 4, 20),
                end_date=datetime.date(2021, 4, 20),
                class_hours=8,
            )

        w.hz_training = held(w.hz, HZ_TRAINING)
        w.lh_training = held(w.lh, "罗湖区2021年协会负责人培训")
        w.hz_attendee = trainings.attendee_add(
            actor=None,
            training=w.hz_training,
            association=w.hz,
            name="陈海",
            role="president",
            phone="13900139000",
            attended=True,
            hours=8,
        )
        w.hz_planned = trainings.training_create(
            actor=None,
            organiser=w.hz,
            title="海珠区志愿者骨干培训（计划）",
            kind="backbone",
            audience=["backbone"],
            start_date=datetime.date(2021, 9, 1),
            end_date=datetime.date(2021, 9, 1),
        )
        w.hz_material = trainings.material_add(
            actor=None,
            training=w.hz_training,
            title="课件",
            file=SimpleUploadedFile("课件.pdf", b"%PDF-1.4 t", "application/pdf"),
        )
    return w.hz_training


def _tr(suffix=""):
    return lambda w: f"/trainings/{_hz_training(w).pk}/{suffix}"


TRAINING_FORM = {
    "title": HZ_TRAINING,
    "kind": "leaders",
    "audience": ["leaders"],
    "mode": "offline",
    "start_date": "2021-04-20",
    "end_date": "2021-04-20",
    "place": "海珠区青年之家",
    "class_hours": "8",
}
ORGANISER_CHOICE = (
    "新建页只列出本人可主办的协会；另一区县选本区协会以外的主办协会得到表单错误，不涉及已有对象"
)


# ------------------------------------------------------------------- plans (一县一策)


def _plan_target():
    """A deadline half a year ahead of today, so the plans stay schedulable whenever this runs."""
    return timezone.localdate() + datetime.timedelta(days=180)


def _plans(w):
    """Plans for 海珠 (its checklist) and 黄埔 (founding), one in 罗湖, responsibility in both
    cities; built once per world, only for the plans probes."""
    if getattr(w, "hz_plan", None) is not None:
        return w
    import importlib

    from qingxie.plans import services as plans
    from qingxie.plans.models import Task

    importlib.import_module("qingxie.plans.migrations.0002_default_templates_and_blockers").seed(
        apps, None
    )

    def plan(code):
        draft = plans.plan_draft(county=Region.objects.get(code=code), target_date=_plan_target())
        return plans.plan_create(actor=None, draft=draft)

    w.hz_plan, w.th_plan, w.lh_plan = plan("440105"), plan("440112"), plan("440303")
    w.hz_task = w.hz_plan.tasks.order_by("id").first()
    w.th_prep = Task.objects.get(plan=w.th_plan, code="prep")
    w.hz_duty = plans.responsibility_assign(
        actor=None, county=Region.objects.get(code="440105"), cadre=w.user(*CITY)
    )
    plans.responsibility_assign(
        actor=None, county=Region.objects.get(code="440303"), cadre=w.user(*CITY_ELSEWHERE)
    )
    return w


def _plans_submitted(w):
    from qingxie.plans import services as plans

    _plans(w)
    plans.plan_submit(actor=None, plan=w.hz_plan, note="请审核")
    return w


COUNTY_TH = ("county_admin", "440112")
HZ_CODE_JSON = '"county":"440105"'
PLAN_GENERATE_FORM = {"region": "440106", "target_date": "2027-06-30", "confirm": "1"}

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
    # An invitation link (accounts): an unknown token opens nothing, for anyone.
    "accounts:invite_accept": [
        Probe("get", lambda w: "/users/invite/not-a-token/", COUNTY, (404,), why=NOT_SCOPED),
        Probe(
            "post",
            lambda w: "/users/invite/not-a-token/",
            COUNTY,
            (404,),
            data=lambda w: {"password": "Qingxie-2026-strong", "password_again": "x"},
            records=False,
            why=NOT_SCOPED,
        ),
    ],
    # Operator endpoints (ops): readiness for load balancers; metrics only with the operator's
    # token or a superuser's session (tests/ops/test_health.py), 401 for anyone else.
    "ops:readyz": [Probe("get", lambda w: "/readyz", COUNTY, (200, 503), why=NOT_SCOPED)],
    "ops:metrics": [Probe("get", lambda w: "/metrics", COUNTY, (401,), why=NOT_SCOPED)],
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


def _staff(w) -> User:
    """The account a county administrator manages: association staff of 海珠区."""
    return w.user("association_staff", "440105")


def _staff_page(suffix: str = "") -> Callable[[World], str]:
    return lambda w: f"/users/{_staff(w).pk}/{suffix}"


def _second_grant(w):
    """A second role for the staff member, so one can be revoked (the last one stays)."""
    return role_grant_create(
        actor=None, user=_staff(w), role="viewer", region=Region.objects.get(code="440105")
    )


ADMINS_ONLY = "账号管理只对管理员开放：只读用户答 403"
OWN_ACCOUNT = "本人的密码与验证器，不涉及按区划划分的数据"
STRONG_PASSWORD = "Qingxie-2026-strong"

#: The account pages (accounts): a county administrator manages the staff of the county; the
#: administrator of another county gets 404 for that user, a viewer 403 everywhere.
ACCOUNT_PAGES: dict[str, list[Probe]] = {
    "accounts:user_list": [
        Probe(
            "get",
            lambda w: "/users/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            hidden=lambda w: _staff(w).username,
            setup=_staff,
            viewer_status=403,
        )
    ],
    "accounts:user_invite": [
        Probe("get", lambda w: "/users/new/", COUNTY, OK, viewer_status=403, why="空白表单"),
        Probe(
            "post",
            lambda w: "/users/new/",
            COUNTY,
            OK,
            data=lambda w: {
                "username": "hz-new-staff",
                "display_name": "李新",
                "role": "association_staff",
                "region": "440105",
            },
            other=COUNTY_ELSEWHERE,
            other_status=403,
            why=REGIONS_ARE_PUBLIC,
        ),
    ],
    "accounts:user_detail": [
        Probe("get", _staff_page(), COUNTY, OK, other=COUNTY_ELSEWHERE, viewer_status=403)
    ],
    "accounts:user_password_reset": [
        Probe(
            "post",
            _staff_page("password/"),
            COUNTY,
            REDIRECT,
            data=lambda w: {"password": STRONG_PASSWORD},
            other=COUNTY_ELSEWHERE,
        )
    ],
    "accounts:user_authenticator_reset": [
        Probe("post", _staff_page("authenticator/"), COUNTY, REDIRECT, other=COUNTY_ELSEWHERE)
    ],
    "accounts:user_active": [
        Probe(
            "post",
            _staff_page("active/"),
            COUNTY,
            REDIRECT,
            data=lambda w: {"active": "0"},
            other=COUNTY_ELSEWHERE,
        )
    ],
    "accounts:user_invitation": [
        Probe("post", _staff_page("invitation/"), COUNTY, OK, other=COUNTY_ELSEWHERE)
    ],
    "accounts:grant_add": [
        Probe(
            "post",
            _staff_page("grants/"),
            COUNTY,
            REDIRECT,
            data=lambda w: {"role": "viewer", "region": "440105"},
            other=COUNTY_ELSEWHERE,
        )
    ],
    "accounts:grant_revoke": [
        Probe(
            "post",
            lambda w: f"/users/{_staff(w).pk}/grants/{_second_grant(w).pk}/revoke/",
            COUNTY,
            REDIRECT,
            setup=_second_grant,
            other=COUNTY_ELSEWHERE,
        )
    ],
    # One's own password and authenticator: every signed-in user, the viewer too. The matrix
    # posts a mismatched confirmation / a wrong code (the form again, nothing written); the
    # successful change is tested in tests/accounts/test_user_management.py.
    "accounts:own_password": [
        Probe("get", lambda w: "/users/me/password/", COUNTY, OK, why=OWN_ACCOUNT),
        Probe(
            "post",
            lambda w: "/users/me/password/",
            COUNTY,
            OK,
            data=lambda w: {
                "old_password": "x",
                "new_password": STRONG_PASSWORD,
                "new_password_again": "different",
            },
            viewer_status=200,
            records=False,
            why=OWN_ACCOUNT,
        ),
    ],
    "accounts:own_authenticator": [
        Probe("get", lambda w: "/users/me/authenticator/", COUNTY, OK, why=OWN_ACCOUNT),
        Probe(
            "post",
            lambda w: "/users/me/authenticator/",
            COUNTY,
            OK,
            data=lambda w: {"code": "000000"},
            viewer_status=200,
            records=False,
            why=OWN_ACCOUNT,
        ),
    ],
}

#: Every page (URL name → the requests that try it).
PAGES: dict[str, list[Probe]] = {
    **ACCOUNT_PAGES,
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
    "trainings:training_list": [
        Probe(
            "get",
            lambda w: (_hz_training(w), "/trainings/")[1],
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            hidden=lambda w: HZ_TRAINING,
        )
    ],
    "trainings:training_create": [
        Probe(
            "get",
            lambda w: "/trainings/new/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            other_status=200,
            viewer_status=403,
            why=ORGANISER_CHOICE,
        ),
        Probe(
            "post",
            lambda w: "/trainings/new/",
            COUNTY,
            REDIRECT,
            data=lambda w: {**TRAINING_FORM, "organiser": w.hz.number, "status": "held"},
            other=COUNTY_ELSEWHERE,
            other_status=200,
            why=ORGANISER_CHOICE,
        ),
    ],
    "trainings:compliance": [
        Probe(
            "get",
            lambda w: "/trainings/compliance/?region=440105&year=2021",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
        )
    ],
    "trainings:training_detail": [
        Probe("get", _tr(), COUNTY, OK, other=COUNTY_ELSEWHERE),
        Probe("post", _tr(), COUNTY, OK, data=lambda w: {}, other=COUNTY_ELSEWHERE),
    ],
    "trainings:training_edit": [
        Probe("get", _tr("edit/"), COUNTY, OK, other=COUNTY_ELSEWHERE, viewer_status=403),
        Probe(
            "post",
            _tr("edit/"),
            COUNTY,
            REDIRECT,
            data=lambda w: {**TRAINING_FORM, "place": "海珠区团委会议室"},
            other=COUNTY_ELSEWHERE,
        ),
    ],
    "trainings:training_status": [
        Probe(
            "get",
            lambda w: (_hz_training(w), f"/trainings/{w.hz_planned.pk}/status/")[1],
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=403,
        ),
        Probe(
            "post",
            lambda w: (_hz_training(w), f"/trainings/{w.hz_planned.pk}/status/")[1],
            COUNTY,
            REDIRECT,
            data=lambda w: {"status": "held"},
            other=COUNTY_ELSEWHERE,
        ),
    ],
    "trainings:attendee_add": [
        Probe(
            "post",
            _tr("attendees/"),
            COUNTY,
            REDIRECT,
            data=lambda w: {"association": w.hz.number, "name": "林青", "role": "backbone"},
            other=COUNTY_ELSEWHERE,
        )
    ],
    "trainings:attendance": [
        Probe(
            "post",
            _tr("attendance/"),
            COUNTY,
            REDIRECT,
            data=lambda w: {
                "attendee": [w.hz_attendee.pk],
                "attended": [w.hz_attendee.pk],
                f"hours-{w.hz_attendee.pk}": "6",
            },
            other=COUNTY_ELSEWHERE,
        )
    ],
    "trainings:attendee_remove": [
        Probe(
            "post",
            lambda w: f"{_tr()(w)}attendees/{w.hz_attendee.pk}/remove/",
            COUNTY,
            REDIRECT,
            data=lambda w: {},
            other=COUNTY_ELSEWHERE,
        )
    ],
    "trainings:material_add": [
        Probe(
            "post",
            _tr("materials/"),
            COUNTY,
            REDIRECT,
            data=lambda w: {
                "title": "签到表扫描件",
                "file": SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 s", "application/pdf"),
            },
            other=COUNTY_ELSEWHERE,
        )
    ],
    "trainings:material_remove": [
        Probe(
            "post",
            lambda w: f"{_tr()(w)}materials/{w.hz_material.pk}/remove/",
            COUNTY,
            REDIRECT,
            data=lambda w: {},
            other=COUNTY_ELSEWHERE,
        )
    ],
    "trainings:material_download": [
        Probe(
            "get",
            lambda w: (_hz_training(w), f"/trainings/materials/{w.hz_material.pk}/")[1],
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
        )
    ],
    "trainings:sign_in_sheet": [
        Probe("get", _tr("sign-in.xlsx"), COUNTY, OK, other=COUNTY_ELSEWHERE),
    ],
    "assessment:index": [
        Probe(
            "get",
            lambda w: "/assessment/",
            CITY,
            OK,
            other=CITY_ELSEWHERE,
            hidden=lambda w: YX_NAME,
        )
    ],
    "assessment:version_detail": [
        Probe(
            "get",
            lambda w: "/assessment/versions/matrix-2022/",
            COUNTY,
            OK,
            why="全国统一的指标体系，人人可读",
        ),
        Probe(
            "post",
            lambda w: "/assessment/versions/matrix-2022/",
            NATIONAL,
            REDIRECT,
            data=lambda w: {"indicator": w.spare_charter().pk, "weight": "5", "rule": "abc"},
            other=PROVINCE,
            other_status=403,
            why="全国统一的指标体系：只有全国管理员可改",
        ),
    ],
    "assessment:round_create": [
        Probe(
            "get",
            lambda w: "/assessment/rounds/new/",
            NATIONAL,
            OK,
            other=CITY,
            other_status=403,
            viewer_status=403,
            why="年度评估由全国或省级组织",
        ),
        Probe(
            "post",
            lambda w: "/assessment/rounds/new/",
            NATIONAL,
            REDIRECT,
            data=lambda w: {
                "year": "2022",
                "indicator_version": "matrix-2022",
                "cut_off": "2022-12-31",
                "self_until": "2023-02-28",
                "review_until": "2023-03-31",
                "appeal_until": "2023-04-30",
            },
            other=CITY,
            other_status=403,
            why="年度评估由全国或省级组织",
        ),
    ],
    "assessment:round_detail": [
        Probe(
            "get",
            lambda w: f"/assessment/rounds/{w.round.pk}/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            hidden=_name,
        ),
        Probe(
            "post",
            lambda w: f"/assessment/rounds/{w.round.pk}/",
            NATIONAL,
            REDIRECT,
            data=lambda w: {"op": "tiers", "tiers": "示范=90,规范=70,基础=50,薄弱=0"},
            other=PROVINCE,
            other_status=403,
            why="本轮由全国组织：只有全国管理员可调整全国档次",
        ),
    ],
    "assessment:round_report": [
        Probe(
            "get",
            lambda w: f"/assessment/rounds/{w.round.pk}/report.docx?region=440105",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
        )
    ],
    "assessment:sheet_detail": [
        Probe(
            "get",
            lambda w: f"/assessment/sheets/{w.hz_sheet.pk}/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
        ),
        Probe(
            "post",
            lambda w: f"/assessment/sheets/{w.hz_sheet.pk}/",
            COUNTY,
            REDIRECT,
            data=lambda w: {"op": "fill", "indicator": w.hz_activities.indicator_id, "value": "30"},
            other=COUNTY_ELSEWHERE,
        ),
    ],
    "assessment:demonstration": [
        Probe(
            "get",
            lambda w: "/assessment/demonstration/?year=2021",
            PROVINCE,
            OK,
            other=PROVINCE_ELSEWHERE,
            hidden=lambda w: TH_NAME,
        ),
        Probe(
            "post",
            lambda w: "/assessment/demonstration/?year=2021",
            NATIONAL,
            REDIRECT,
            data=lambda w: {"op": "quota", "region": "450000", "quota": "2"},
            other=PROVINCE,
            other_status=403,
            why="推荐名额由全国设定",
        ),
    ],
    "assessment:library": [
        Probe(
            "get",
            lambda w: "/assessment/library/",
            PROVINCE,
            OK,
            other=PROVINCE_ELSEWHERE,
            hidden=_name,
        ),
        Probe(
            "post",
            lambda w: "/assessment/library/",
            PROVINCE,
            REDIRECT,
            data=lambda w: {
                "op": "support",
                "entry": w.hz_library.pk,
                "kind": "venture",
                "amount": "50000",
                "given_on": "2022-01-01",
            },
            other=PROVINCE_ELSEWHERE,
        ),
    ],
    "plans:plan_list": [
        Probe(
            "get", lambda w: "/plans/?region=440100", CITY, OK, other=CITY_ELSEWHERE, setup=_plans
        )
    ],
    "plans:plan_detail": [
        Probe(
            "get",
            lambda w: f"/plans/{w.hz_plan.pk}/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            setup=_plans,
        )
    ],
    "plans:plan_action": [
        Probe(
            "post",
            lambda w: f"/plans/{w.hz_plan.pk}/act/",
            COUNTY,
            REDIRECT,
            data=lambda w: {"action": "submit", "note": "请审核"},
            other=COUNTY_ELSEWHERE,
            setup=_plans,
        )
    ],
    "plans:generate": [
        Probe(
            "get",
            lambda w: "/plans/generate/?region=440106",
            CITY,
            OK,
            other=CITY_ELSEWHERE,
            viewer_status=403,
            setup=_plans,
        ),
        Probe(
            "post",
            lambda w: "/plans/generate/?region=440111",
            CITY,
            REDIRECT,
            data=lambda w: {**PLAN_GENERATE_FORM, "region": "440111"},
            other=CITY_ELSEWHERE,
            setup=_plans,
        ),
    ],
    "plans:task_list": [
        Probe(
            "get",
            lambda w: "/plans/tasks/?region=440100",
            CITY,
            OK,
            other=CITY_ELSEWHERE,
            setup=_plans,
        )
    ],
    "plans:task_action": [
        Probe(
            "post",
            lambda w: f"/plans/tasks/{w.hz_task.pk}/act/",
            COUNTY,
            REDIRECT,
            data=lambda w: {
                "action": "blocker",
                "kind": __import__("qingxie.plans.models")
                .plans.models.BlockerKind.objects.get(code="no_funds")
                .pk,
                "coordinate_with": "caizheng",
                "note": "经费未落实",
            },
            other=COUNTY_ELSEWHERE,
            setup=_plans,
        )
    ],
    "plans:responsibility": [
        Probe(
            "get",
            lambda w: "/plans/responsibility/?region=440100",
            CITY,
            OK,
            other=CITY_ELSEWHERE,
            setup=_plans,
        ),
        Probe(
            "post",
            lambda w: "/plans/responsibility/?region=440100",
            CITY,
            REDIRECT,
            data=lambda w: {"region": "440100", "county": ["440106"], "cadre": w.user(*CITY).pk},
            other=CITY_ELSEWHERE,
            setup=_plans,
        ),
    ],
    "plans:map": [
        Probe(
            "get",
            lambda w: "/plans/map/?region=440100",
            CITY,
            OK,
            other=CITY_ELSEWHERE,
            setup=_plans,
        )
    ],
    "plans:blockers": [
        Probe(
            "get",
            lambda w: "/plans/blockers/?region=440100",
            CITY,
            OK,
            other=CITY_ELSEWHERE,
            setup=_plans,
        )
    ],
    "plans:export": [
        Probe(
            "get",
            lambda w: "/plans/export/?region=440100&format=xlsx",
            CITY,
            OK,
            other=CITY_ELSEWHERE,
            setup=_plans,
        )
    ],
    "plans:notifications": [
        Probe("get", lambda w: "/plans/notifications/", CITY, OK, why="只列出本人的提醒"),
        Probe(
            "post",
            lambda w: "/plans/notifications/",
            CITY,
            REDIRECT,
            records=False,
            viewer_status=302,
            why="只把本人的提醒标为已读",
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
    "projects:project_list": [
        Probe(
            "get",
            lambda w: "/projects/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            hidden=lambda w: HZ_PROJECT,
        )
    ],
    "projects:project_create": [
        Probe(
            "get",
            lambda w: f"/projects/new/?association={w.hz.number}",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=403,
        ),
        Probe(
            "post",
            lambda w: f"/projects/new/?association={w.hz.number}",
            COUNTY,
            REDIRECT,
            data=lambda w: PROJECT_FORM,
            other=COUNTY_ELSEWHERE,
        ),
    ],
    "projects:project_detail": [
        Probe("get", lambda w: f"/projects/{w.hz_project.pk}/", COUNTY, OK, other=COUNTY_ELSEWHERE)
    ],
    "projects:project_edit": [
        Probe(
            "get",
            lambda w: f"/projects/{w.hz_project.pk}/edit/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=403,
        ),
        Probe(
            "post",
            lambda w: f"/projects/{w.hz_project.pk}/edit/",
            COUNTY,
            REDIRECT,
            data=lambda w: {**PROJECT_FORM, "name": "海珠关爱行动"},
            other=COUNTY_ELSEWHERE,
        ),
    ],
    "projects:activity_create": [
        Probe(
            "get",
            lambda w: f"/projects/{w.hz_project.pk}/activities/new/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=403,
        ),
        Probe(
            "post",
            lambda w: f"/projects/{w.hz_project.pk}/activities/new/",
            COUNTY,
            REDIRECT,
            data=lambda w: ACTIVITY_FORM,
            other=COUNTY_ELSEWHERE,
        ),
    ],
    "projects:library_submit": [
        Probe(
            "get",
            lambda w: f"/projects/{w.lh_project.pk}/library/",
            ("county_admin", "440303"),
            OK,
            other=COUNTY,
            viewer_status=403,
        ),
        Probe(
            "post",
            lambda w: f"/projects/{w.lh_project.pk}/library/",
            ("county_admin", "440303"),
            REDIRECT,
            data=lambda w: {"note": "申报入库"},
            other=COUNTY,
        ),
    ],
    "projects:library_queue": [
        Probe(
            "get",
            lambda w: "/projects/library/",
            CITY,
            OK,
            other=CITY_ELSEWHERE,
            hidden=lambda w: HZ_PROJECT,
        )
    ],
    "projects:library_decide": [
        Probe(
            "get",
            lambda w: f"/projects/library/{w.hz_lib.pk}/return/",
            CITY,
            OK,
            other=CITY_ELSEWHERE,
            viewer_status=403,
        ),
        Probe(
            "post",
            lambda w: f"/projects/library/{w.hz_lib.pk}/return/",
            CITY,
            REDIRECT,
            data=lambda w: {"reason": "请补充实施成效"},
            other=CITY_ELSEWHERE,
        ),
    ],
    "projects:catalogue": [
        Probe("get", lambda w: "/projects/catalogue/", COUNTY, OK, why=CATALOGUE_IS_SHARED)
    ],
    "projects:sinking": [
        Probe(
            "get", lambda w: "/projects/sinking/?region=440105", COUNTY, OK, other=COUNTY_ELSEWHERE
        )
    ],
    "projects:pilot_list": [
        Probe("get", lambda w: "/projects/pilots/", COUNTY, OK, why=PILOTS_ARE_SHARED)
    ],
    "competitions:competition_list": [
        Probe(
            "get",
            lambda w: "/competitions/",
            COUNTY,
            OK,
            other=PROVINCE_ELSEWHERE,
            hidden=lambda w: GD_CONTEST,
        )
    ],
    "competitions:competition_create": [
        Probe(
            "get",
            lambda w: "/competitions/new/",
            PROVINCE,
            OK,
            viewer_status=403,
            why="空白表单，不涉及已有对象；只读用户没有举办赛事的权限",
        ),
        Probe(
            "post",
            lambda w: "/competitions/new/",
            PROVINCE,
            REDIRECT,
            data=lambda w: {
                "organiser": "440000",
                "name": "益苗计划2023",
                "year": "2023",
                "tie_rule": "top_criterion",
            },
            other=PROVINCE_ELSEWHERE,
            other_status=403,
            why="新建赛事：他省管理员以广东省名义举办答 403，不涉及已有对象",
        ),
    ],
    "competitions:competition_manage": [
        Probe(
            "get",
            lambda w: f"/competitions/{w.gd_comp.pk}/manage/",
            PROVINCE,
            OK,
            other=PROVINCE_ELSEWHERE,
            viewer_status=403,
        ),
        Probe(
            "post",
            lambda w: f"/competitions/{w.gd_comp.pk}/manage/",
            PROVINCE,
            REDIRECT,
            data=lambda w: {"op": "category", "name": "社区治理"},
            other=PROVINCE_ELSEWHERE,
        ),
    ],
    "competitions:entry_submit": [
        Probe(
            "get",
            lambda w: f"/competitions/{w.gd_comp.pk}/enter/",
            CITY,
            OK,
            other=PROVINCE_ELSEWHERE,
            viewer_status=403,
        ),
        Probe(
            "post",
            lambda w: f"/competitions/{w.gd_comp.pk}/enter/",
            CITY,
            REDIRECT,
            data=lambda w: {
                "category": w.gd_category.pk,
                "project": w.th_project.pk,
                "list_position": "2",
            },
            other=PROVINCE_ELSEWHERE,
        ),
    ],
    "competitions:competition_detail": [
        Probe(
            "get",
            lambda w: f"/competitions/{w.gd_comp.pk}/",
            COUNTY,
            OK,
            other=PROVINCE_ELSEWHERE,
        )
    ],
    "competitions:judge_list": [
        Probe(
            "get",
            lambda w: f"/competitions/{w.gd_comp.pk}/judge/",
            PROVINCE,
            OK,
            other=PROVINCE_ELSEWHERE,
        )
    ],
    "competitions:judge_score": [
        Probe(
            "get",
            lambda w: f"/competitions/{w.gd_comp.pk}/judge/{w.gd_entry.pk}/",
            CITY_ELSEWHERE,
            OK,
            other=PROVINCE_ELSEWHERE,
            viewer_status=404,
            why=JUDGES_BY_ASSIGNMENT,
        ),
        Probe(
            "post",
            lambda w: f"/competitions/{w.gd_comp.pk}/judge/{w.gd_entry.pk}/",
            CITY_ELSEWHERE,
            REDIRECT,
            data=lambda w: {f"criterion_{w.gd_stage.criteria.get().pk}": "88", "draft": "1"},
            other=PROVINCE_ELSEWHERE,
            viewer_status=404,
            why=JUDGES_BY_ASSIGNMENT,
        ),
    ],
    "competitions:ranking": [
        Probe(
            "get",
            lambda w: f"/competitions/{w.gd_comp.pk}/ranking/",
            PROVINCE,
            OK,
            other=PROVINCE_ELSEWHERE,
        )
    ],
    "competitions:entry_withdraw": [
        Probe(
            "get",
            lambda w: f"/competitions/{w.gd_comp.pk}/entries/{w.gd_entry.pk}/withdraw/",
            CITY,
            OK,
            other=CITY_ELSEWHERE,
            viewer_status=403,
        ),
        Probe(
            "post",
            lambda w: f"/competitions/{w.gd_comp.pk}/entries/{w.gd_entry.pk}/withdraw/",
            CITY,
            REDIRECT,
            data=lambda w: {"reason": "材料不全", "version": w.gd_entry.version},
            other=CITY_ELSEWHERE,
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
            why=NOT_SCOPED + "：GET 只显示导出表单，不导出",
        ),
        # The export itself is a POST (CSRF-protected): a viewer of the region may export.
        # (The coverage table: a personal-data export, which the viewer may make too, is
        # recorded, and this matrix counts a viewer's entry as a refused write's.)
        Probe(
            "post",
            lambda w: "/sheets/coverage/export/",
            COUNTY,
            OK,
            data=lambda w: {"region": "440105", "format": "csv", "as_of": ""},
            other=COUNTY_ELSEWHERE,
            other_status=403,
            viewer_status=200,
            records=False,
            why=REGIONS_ARE_PUBLIC,
        ),
    ],
    # A large export's job, its progress and its file belong to the cadre who asked for it:
    # anyone else, a viewer of the same county included, gets 404 (a viewer asking for the same
    # export gets a job and a file of their own, masked; see tests/sheets/test_export_jobs.py).
    "sheets:export_job": [
        Probe(
            "get",
            lambda w: f"/sheets/ledger/export/job/{_export_job(w)}/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=404,
        )
    ],
    "sheets:export_job_status": [
        Probe(
            "get",
            lambda w: f"/sheets/ledger/export/job/{_export_job(w)}/status/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=404,
        )
    ],
    "sheets:export_download": [
        Probe(
            "get",
            lambda w: f"/sheets/ledger/export/job/{_export_job(w)}/download/",
            COUNTY,
            OK,
            other=COUNTY_ELSEWHERE,
            viewer_status=404,
        )
    ],
    "reports:bulletin": [
        Probe("get", lambda w: "/reports/bulletin/440100/", CITY, OK, other=CITY_ELSEWHERE)
    ],
    "reports:bulletin_figure": [
        Probe("get", lambda w: "/reports/bulletin/440100/trend.png", CITY, OK, other=CITY_ELSEWHERE)
    ],
    # A bulletin file being written belongs to the cadre who asked for it: anyone else, a viewer
    # of the same city included, gets 404.
    "reports:bulletin_job": [
        Probe(
            "get",
            lambda w: f"/reports/bulletin/440100/job/{_bulletin_job(w)}/",
            CITY,
            OK,
            other=CITY_ELSEWHERE,
            viewer_status=404,
        )
    ],
    "reports:bulletin_job_status": [
        Probe(
            "get",
            lambda w: f"/reports/bulletin/440100/job/{_bulletin_job(w)}/status/",
            CITY,
            OK,
            other=CITY_ELSEWHERE,
            viewer_status=404,
        )
    ],
}


def _bulletin_job(w) -> int:
    """The city administrator's own job writing 广州's PDF bulletin (started once per world)."""
    if not hasattr(w, "bulletin_job_id"):
        import datetime

        from qingxie.regions.models import Region
        from qingxie.reports import jobs as bulletin_jobs

        w.bulletin_job_id = bulletin_jobs.bulletin_start(
            user=w.user(*CITY),
            region=Region.objects.get(code="440100"),
            as_of=datetime.date(2021, 5, 6),
            fmt="pdf",
        ).pk
    return w.bulletin_job_id


def _export_job(w) -> int:
    """The county administrator's own export job of 海珠区's ledger (run inline, so written)."""
    if not hasattr(w, "export_job_id"):
        from qingxie.regions.models import Region
        from qingxie.sheets import export_jobs
        from qingxie.sheets.kinds import get_kind

        w.export_job_id = export_jobs.export_start(
            user=w.user(*COUNTY),
            kind=get_kind("ledger"),
            region=Region.objects.get(code="440105"),
            as_of=datetime.date(2021, 5, 6),
            fmt="xlsx",
        ).pk
    return w.export_job_id


def api_probe(method, url, who, ok, **kwargs) -> Probe:
    kwargs.setdefault("fmt", "json")
    return Probe(method, url, who, ok, **kwargs)


def _final_stage(w):
    from qingxie.projects import competitions as contest

    return contest.stage_add(actor=None, competition=w.gd_comp, kind="final")


def _gd_award(w):
    from qingxie.projects import competitions as contest

    return contest.award_grant(actor=None, entry=w.gd_entry, tier="示范项目", amount=50000)


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
    ("GET", "/api/trainings/"): api_probe(
        "get",
        lambda w: (_hz_training(w), "/api/trainings/")[1],
        COUNTY,
        OK,
        other=COUNTY_ELSEWHERE,
        hidden=lambda w: HZ_TRAINING,
    ),
    ("POST", "/api/trainings/"): api_probe(
        "post",
        lambda w: "/api/trainings/",
        COUNTY,
        (201,),
        data=lambda w: {**TRAINING_FORM, "organiser": w.hz.number, "status": "held"},
        other=COUNTY_ELSEWHERE,
    ),
    ("GET", "/api/trainings/compliance/"): api_probe(
        "get",
        lambda w: "/api/trainings/compliance?region=440105&year=2021",
        COUNTY,
        OK,
        other=COUNTY_ELSEWHERE,
    ),
    ("GET", "/api/trainings/{id}/"): api_probe(
        "get", lambda w: f"/api{_tr()(w)}", COUNTY, OK, other=COUNTY_ELSEWHERE
    ),
    ("PATCH", "/api/trainings/{id}/"): api_probe(
        "patch",
        lambda w: f"/api{_tr()(w)}",
        COUNTY,
        OK,
        data=lambda w: {"place": "海珠区团委会议室"},
        other=COUNTY_ELSEWHERE,
    ),
    ("POST", "/api/trainings/{id}/status/"): api_probe(
        "post",
        lambda w: (_hz_training(w), f"/api/trainings/{w.hz_planned.pk}/status/")[1],
        COUNTY,
        OK,
        data=lambda w: {"status": "held"},
        other=COUNTY_ELSEWHERE,
    ),
    ("POST", "/api/trainings/{id}/attendance/"): api_probe(
        "post",
        lambda w: f"/api{_tr('attendance/')(w)}",
        COUNTY,
        OK,
        data=lambda w: {"marks": [{"id": w.hz_attendee.pk, "attended": True, "hours": "6"}]},
        other=COUNTY_ELSEWHERE,
    ),
    ("GET", "/api/training-attendees/"): api_probe(
        "get",
        lambda w: (_hz_training(w), "/api/training-attendees/")[1],
        COUNTY,
        OK,
        other=COUNTY_ELSEWHERE,
        hidden=lambda w: "陈海",
    ),
    ("POST", "/api/training-attendees/"): api_probe(
        "post",
        lambda w: (_hz_training(w), "/api/training-attendees/")[1],
        COUNTY,
        (201,),
        data=lambda w: {
            "training": _hz_training(w).pk,
            "association": w.hz.number,
            "name": "林青",
            "role": "backbone",
        },
        other=COUNTY_ELSEWHERE,
    ),
    ("GET", "/api/training-attendees/{id}/"): api_probe(
        "get",
        lambda w: (_hz_training(w), f"/api/training-attendees/{w.hz_attendee.pk}/")[1],
        COUNTY,
        OK,
        other=COUNTY_ELSEWHERE,
    ),
    ("PATCH", "/api/training-attendees/{id}/"): api_probe(
        "patch",
        lambda w: (_hz_training(w), f"/api/training-attendees/{w.hz_attendee.pk}/")[1],
        COUNTY,
        OK,
        data=lambda w: {"completion_number": "HZ2021-001"},
        other=COUNTY_ELSEWHERE,
    ),
    ("GET", "/api/assessment/rounds/"): api_probe(
        "get",
        lambda w: "/api/assessment/rounds/",
        COUNTY,
        OK,
        why="评估轮次对其涉及的各级可见，不含协会数据",
    ),
    ("GET", "/api/assessment/rounds/{id}/"): api_probe(
        "get",
        lambda w: f"/api/assessment/rounds/{w.round.pk}/",
        COUNTY,
        OK,
        why="评估轮次对其涉及的各级可见，不含协会数据",
    ),
    ("GET", "/api/assessment/rounds/{id}/scores/"): api_probe(
        "get",
        lambda w: f"/api/assessment/rounds/{w.round.pk}/scores/",
        COUNTY,
        OK,
        other=COUNTY_ELSEWHERE,
        hidden=_hz_number,
    ),
    ("POST", "/api/assessment/sheets/{id}/actions/"): api_probe(
        "post",
        lambda w: f"/api/assessment/sheets/{w.hz_sheet.pk}/actions/",
        COUNTY,
        OK,
        data=lambda w: {"action": "fill", "indicator": "activities", "value": "30"},
        other=COUNTY_ELSEWHERE,
    ),
    ("GET", "/api/plans/"): api_probe(
        "get",
        lambda w: "/api/plans/",
        COUNTY,
        OK,
        other=COUNTY_ELSEWHERE,
        hidden=lambda w: HZ_CODE_JSON,
        setup=_plans,
    ),
    ("POST", "/api/plans/"): api_probe(
        "post",
        lambda w: "/api/plans/",
        ("county_admin", "440111"),
        (201,),
        data=lambda w: {"county": "440111", "goal": "both", "target_date": "2027-06-30"},
        other=COUNTY_ELSEWHERE,
        other_status=403,
        setup=_plans,
        why="县级单位代码是公开的区划代码：为辖区以外的县制定计划答 403",
    ),
    ("GET", "/api/plans/{id}/"): api_probe(
        "get",
        lambda w: f"/api/plans/{w.hz_plan.pk}/",
        COUNTY,
        OK,
        other=COUNTY_ELSEWHERE,
        setup=_plans,
    ),
    ("POST", "/api/plans/{id}/submit/"): api_probe(
        "post",
        lambda w: f"/api/plans/{w.hz_plan.pk}/submit/",
        COUNTY,
        OK,
        data=lambda w: {"note": "请审核"},
        other=COUNTY_ELSEWHERE,
        setup=_plans,
    ),
    ("POST", "/api/plans/{id}/verify/"): api_probe(
        "post",
        lambda w: f"/api/plans/{w.hz_plan.pk}/verify/",
        CITY,
        OK,
        data=lambda w: {},
        other=CITY_ELSEWHERE,
        setup=_plans_submitted,
    ),
    ("POST", "/api/plans/{id}/return/"): api_probe(
        "post",
        lambda w: f"/api/plans/{w.hz_plan.pk}/return/",
        CITY,
        OK,
        data=lambda w: {"reason": "请补充民政沟通情况"},
        other=CITY_ELSEWHERE,
        setup=_plans_submitted,
    ),
    ("POST", "/api/plans/{id}/revise/"): api_probe(
        "post",
        lambda w: f"/api/plans/{w.hz_plan.pk}/revise/",
        COUNTY,
        OK,
        data=lambda w: {"reason": "延后", "target_date": "2027-09-30"},
        other=COUNTY_ELSEWHERE,
        setup=_plans,
    ),
    ("GET", "/api/plans/tasks/"): api_probe(
        "get",
        lambda w: "/api/plans/tasks/",
        COUNTY,
        OK,
        other=COUNTY_ELSEWHERE,
        hidden=lambda w: HZ_CODE_JSON,
        setup=_plans,
    ),
    ("GET", "/api/plans/tasks/{id}/"): api_probe(
        "get",
        lambda w: f"/api/plans/tasks/{w.hz_task.pk}/",
        COUNTY,
        OK,
        other=COUNTY_ELSEWHERE,
        setup=_plans,
    ),
    ("POST", "/api/plans/tasks/{id}/close/"): api_probe(
        "post",
        lambda w: f"/api/plans/tasks/{w.th_prep.pk}/close/",
        COUNTY_TH,
        OK,
        data=lambda w: {"note": "筹备组已成立"},
        other=COUNTY_ELSEWHERE,
        setup=_plans,
    ),
    ("POST", "/api/plans/tasks/{id}/blockers/"): api_probe(
        "post",
        lambda w: f"/api/plans/tasks/{w.hz_task.pk}/blockers/",
        COUNTY,
        (201,),
        data=lambda w: {"kind": "no_funds", "note": "经费未落实", "coordinate_with": "caizheng"},
        other=COUNTY_ELSEWHERE,
        setup=_plans,
    ),
    ("POST", "/api/plans/tasks/{id}/assign/"): api_probe(
        "post",
        lambda w: f"/api/plans/tasks/{w.hz_task.pk}/assign/",
        CITY,
        OK,
        data=lambda w: {"owner": w.user(*CITY).username},
        other=CITY_ELSEWHERE,
        setup=_plans,
    ),
    ("GET", "/api/plans/responsibilities/"): api_probe(
        "get",
        lambda w: "/api/plans/responsibilities/",
        CITY,
        OK,
        other=CITY_ELSEWHERE,
        hidden=lambda w: HZ_CODE_JSON,
        setup=_plans,
    ),
    ("POST", "/api/plans/responsibilities/"): api_probe(
        "post",
        lambda w: "/api/plans/responsibilities/",
        CITY,
        (201,),
        data=lambda w: {"county": "440106", "cadre": w.user(*CITY).username},
        other=CITY_ELSEWHERE,
        other_status=403,
        setup=_plans,
        why="县级单位代码是公开的区划代码：为辖区以外的县指定责任人答 403",
    ),
    ("GET", "/api/plans/responsibilities/{id}/"): api_probe(
        "get",
        lambda w: f"/api/plans/responsibilities/{w.hz_duty.pk}/",
        CITY,
        OK,
        other=CITY_ELSEWHERE,
        setup=_plans,
    ),
    ("POST", "/api/plans/generate/"): api_probe(
        "post",
        lambda w: "/api/plans/generate/",
        CITY,
        (201,),
        data=lambda w: {"region": "440111", "target_date": "2027-06-30", "dry_run": False},
        other=CITY_ELSEWHERE,
        setup=_plans,
    ),
    ("GET", "/api/plans/figures/"): api_probe(
        "get",
        lambda w: "/api/plans/figures/?region=440100",
        CITY,
        OK,
        other=CITY_ELSEWHERE,
        setup=_plans,
    ),
    ("GET", "/api/plans/blocker-stats/"): api_probe(
        "get",
        lambda w: "/api/plans/blocker-stats/?region=440100",
        CITY,
        OK,
        other=CITY_ELSEWHERE,
        setup=_plans,
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
    ("GET", "/api/programmes/"): api_probe(
        "get", lambda w: "/api/programmes/", COUNTY, OK, why=PROGRAMMES_ARE_SHARED
    ),
    ("GET", "/api/programmes/{code}/"): api_probe(
        "get", lambda w: "/api/programmes/guanai/", COUNTY, OK, why=PROGRAMMES_ARE_SHARED
    ),
    ("GET", "/api/programmes/sinking/"): api_probe(
        "get",
        lambda w: "/api/programmes/sinking?region=440105",
        COUNTY,
        OK,
        other=COUNTY_ELSEWHERE,
    ),
    ("GET", "/api/projects/"): api_probe(
        "get",
        lambda w: "/api/projects/",
        COUNTY,
        OK,
        other=COUNTY_ELSEWHERE,
        hidden=lambda w: HZ_PROJECT,
    ),
    ("POST", "/api/projects/"): api_probe(
        "post",
        lambda w: "/api/projects/",
        COUNTY,
        (201,),
        data=lambda w: {**PROJECT_FORM, "association": w.hz.number},
        other=COUNTY_ELSEWHERE,
    ),
    ("GET", "/api/projects/{id}/"): api_probe(
        "get", lambda w: f"/api/projects/{w.hz_project.pk}/", COUNTY, OK, other=COUNTY_ELSEWHERE
    ),
    ("PATCH", "/api/projects/{id}/"): api_probe(
        "patch",
        lambda w: f"/api/projects/{w.hz_project.pk}/",
        COUNTY,
        OK,
        data=lambda w: {"name": "海珠关爱行动"},
        other=COUNTY_ELSEWHERE,
    ),
    ("POST", "/api/projects/{id}/activities/"): api_probe(
        "post",
        lambda w: f"/api/projects/{w.hz_project.pk}/activities/",
        COUNTY,
        (201,),
        data=lambda w: {
            **ACTIVITY_FORM,
            "starts_at": "2021-10-14T09:00:00+08:00",
            "ends_at": "2021-10-14T12:00:00+08:00",
            "posts": 8,
        },
        other=COUNTY_ELSEWHERE,
    ),
    ("POST", "/api/projects/{id}/library/"): api_probe(
        "post",
        lambda w: f"/api/projects/{w.lh_project.pk}/library/",
        ("county_admin", "440303"),
        OK,
        data=lambda w: {"note": "申报入库"},
        other=COUNTY,
    ),
    ("GET", "/api/library/"): api_probe(
        "get",
        lambda w: "/api/library/",
        CITY,
        OK,
        other=CITY_ELSEWHERE,
        hidden=lambda w: HZ_PROJECT,
    ),
    ("GET", "/api/library/{id}/"): api_probe(
        "get", lambda w: f"/api/library/{w.hz_lib.pk}/", CITY, OK, other=CITY_ELSEWHERE
    ),
    ("POST", "/api/library/{id}/decide/"): api_probe(
        "post",
        lambda w: f"/api/library/{w.hz_lib.pk}/decide/",
        CITY,
        OK,
        data=lambda w: {"step": "return", "reason": "请补充实施成效"},
        other=CITY_ELSEWHERE,
    ),
    ("GET", "/api/competitions/"): api_probe(
        "get",
        lambda w: "/api/competitions/",
        COUNTY,
        OK,
        other=PROVINCE_ELSEWHERE,
        hidden=lambda w: GD_CONTEST,
    ),
    ("GET", "/api/competitions/{id}/"): api_probe(
        "get", lambda w: f"/api/competitions/{w.gd_comp.pk}/", COUNTY, OK, other=PROVINCE_ELSEWHERE
    ),
    ("GET", "/api/competitions/{id}/ranking/"): api_probe(
        "get",
        lambda w: f"/api/competitions/{w.gd_comp.pk}/ranking/",
        COUNTY,
        OK,
        other=PROVINCE_ELSEWHERE,
    ),
    ("POST", "/api/assessment/rounds/"): api_probe(
        "post",
        lambda w: "/api/assessment/rounds/",
        NATIONAL,
        (201,),
        data=lambda w: {
            "region": "000000",
            "year": 2022,
            "indicator_version": "matrix-2022",
            "cut_off": "2022-12-31",
            "self_until": "2023-02-28",
            "review_until": "2023-03-31",
            "appeal_until": "2023-04-30",
        },
        other=CITY,
        other_status=403,
        why="年度评估由全国或省级组织",
    ),
    ("PATCH", "/api/assessment/rounds/{id}/"): api_probe(
        "patch",
        lambda w: f"/api/assessment/rounds/{w.round.pk}/",
        NATIONAL,
        OK,
        data=lambda w: {"name": "2021年度县级青年志愿者协会建设评估（修订）"},
        other=PROVINCE,
        other_status=403,
        why="本轮由全国组织：省级可读不可改",
    ),
    ("POST", "/api/assessment/rounds/{id}/advance/"): api_probe(
        "post",
        lambda w: f"/api/assessment/rounds/{w.round.pk}/advance/",
        NATIONAL,
        OK,
        data=lambda w: {"step": "close"},
        other=PROVINCE,
        other_status=403,
        why="本轮由全国组织：省级可读不可结束",
    ),
    ("POST", "/api/assessment/rounds/{id}/tiers/"): api_probe(
        "post",
        lambda w: f"/api/assessment/rounds/{w.round.pk}/tiers/",
        NATIONAL,
        OK,
        data=lambda w: {"tiers": [["示范", 90], ["规范", 70], ["基础", 50], ["薄弱", 0]]},
        other=PROVINCE,
        other_status=403,
        why="本轮由全国组织：只有全国管理员可调整全国档次",
    ),
    ("GET", "/api/assessment/quotas/"): api_probe(
        "get",
        lambda w: "/api/assessment/quotas/",
        PROVINCE,
        OK,
        other=PROVINCE_ELSEWHERE,
        hidden=lambda w: '"440000"',
    ),
    ("POST", "/api/assessment/quotas/"): api_probe(
        "post",
        lambda w: "/api/assessment/quotas/",
        NATIONAL,
        OK,
        data=lambda w: {"region": "450000", "year": 2021, "quota": 2},
        other=PROVINCE,
        other_status=403,
        why="推荐名额由全国设定",
    ),
    ("GET", "/api/assessment/candidates/"): api_probe(
        "get",
        lambda w: "/api/assessment/candidates/",
        PROVINCE,
        OK,
        other=PROVINCE_ELSEWHERE,
        hidden=lambda w: TH_NAME,
    ),
    ("POST", "/api/assessment/candidates/"): api_probe(
        "post",
        lambda w: "/api/assessment/candidates/",
        PROVINCE,
        (201,),
        data=lambda w: {"association": w.yx.number, "year": 2021},
        other=PROVINCE_ELSEWHERE,
        setup=lambda w: _assessment_confirm_yx(w),
    ),
    ("POST", "/api/assessment/candidates/{id}/decide/"): api_probe(
        "post",
        lambda w: f"/api/assessment/candidates/{_th_candidate(w).pk}/decide/",
        NATIONAL,
        OK,
        data=lambda w: {"selected": True},
        other=PROVINCE,
        other_status=403,
        why="示范协会由全国遴选：推荐的省份可读不可选",
    ),
    ("GET", "/api/assessment/library/"): api_probe(
        "get",
        lambda w: "/api/assessment/library/",
        PROVINCE,
        OK,
        other=PROVINCE_ELSEWHERE,
        hidden=_hz_number,
    ),
    ("POST", "/api/assessment/library/"): api_probe(
        "post",
        lambda w: "/api/assessment/library/",
        PROVINCE,
        (201,),
        data=lambda w: {"association": w.th.number, "year": 2021, "entered_on": "2021-05-01"},
        other=PROVINCE_ELSEWHERE,
    ),
    ("POST", "/api/assessment/library/{id}/renew/"): api_probe(
        "post",
        lambda w: f"/api/assessment/library/{w.hz_library.pk}/renew/",
        PROVINCE,
        OK,
        data=lambda w: {"on": "2024-04-01"},
        other=PROVINCE_ELSEWHERE,
    ),
    ("POST", "/api/assessment/library/{id}/remove/"): api_probe(
        "post",
        lambda w: f"/api/assessment/library/{w.hz_library.pk}/remove/",
        PROVINCE,
        OK,
        data=lambda w: {"on": "2024-05-01", "reason": "停止活动"},
        other=PROVINCE_ELSEWHERE,
    ),
    ("POST", "/api/assessment/library/{id}/support/"): api_probe(
        "post",
        lambda w: f"/api/assessment/library/{w.hz_library.pk}/support/",
        PROVINCE,
        (201,),
        data=lambda w: {"kind": "venture", "amount": "80000", "given_on": "2021-06-01"},
        other=PROVINCE_ELSEWHERE,
    ),
    ("POST", "/api/competitions/"): api_probe(
        "post",
        lambda w: "/api/competitions/",
        PROVINCE,
        (201,),
        data=lambda w: {"organiser": "440000", "name": "益苗计划2023", "year": 2023},
        other=PROVINCE_ELSEWHERE,
        other_status=403,
        why="新建赛事：他省管理员以广东省名义举办答 403，不涉及已有对象",
    ),
    ("POST", "/api/competitions/{id}/categories/"): api_probe(
        "post",
        lambda w: f"/api/competitions/{w.gd_comp.pk}/categories/",
        PROVINCE,
        (201,),
        data=lambda w: {"name": "社区治理"},
        other=PROVINCE_ELSEWHERE,
    ),
    ("POST", "/api/competitions/{id}/quotas/"): api_probe(
        "post",
        lambda w: f"/api/competitions/{w.gd_comp.pk}/quotas/",
        PROVINCE,
        OK,
        data=lambda w: {"region": "440100", "max_entries": 3},
        other=PROVINCE_ELSEWHERE,
    ),
    ("POST", "/api/competitions/{id}/stages/"): api_probe(
        "post",
        lambda w: f"/api/competitions/{w.gd_comp.pk}/stages/",
        PROVINCE,
        (201,),
        data=lambda w: {"kind": "final"},
        other=PROVINCE_ELSEWHERE,
    ),
    ("POST", "/api/competitions/{id}/criteria/"): api_probe(
        "post",
        lambda w: f"/api/competitions/{w.gd_comp.pk}/criteria/",
        PROVINCE,
        OK,
        data=lambda w: {
            "stage": "preliminary",
            "criteria": [{"name": "项目建设", "weight": 100}],
        },
        other=PROVINCE_ELSEWHERE,
    ),
    ("POST", "/api/competitions/{id}/judges/"): api_probe(
        "post",
        lambda w: f"/api/competitions/{w.gd_comp.pk}/judges/",
        PROVINCE,
        (201,),
        data=lambda w: {
            "stage": "preliminary",
            "category": "关爱少年儿童",
            "judge": w.user(*PROVINCE_ELSEWHERE).username,
        },
        other=PROVINCE_ELSEWHERE,
    ),
    ("POST", "/api/competitions/{id}/advance/"): api_probe(
        "post",
        lambda w: f"/api/competitions/{w.gd_comp.pk}/advance/",
        PROVINCE,
        OK,
        data=lambda w: {"stage": "preliminary", "entries": [w.gd_entry.pk]},
        other=PROVINCE_ELSEWHERE,
        setup=_final_stage,
    ),
    ("GET", "/api/competitions/{id}/judging/"): api_probe(
        "get",
        lambda w: f"/api/competitions/{w.gd_comp.pk}/judging/",
        CITY_ELSEWHERE,
        OK,
        other=PROVINCE_ELSEWHERE,
        why=JUDGES_BY_ASSIGNMENT,
    ),
    ("GET", "/api/competition-entries/"): api_probe(
        "get",
        lambda w: "/api/competition-entries/",
        CITY,
        OK,
        other=CITY_ELSEWHERE,
        hidden=lambda w: HZ_PROJECT,
    ),
    ("GET", "/api/competition-entries/{id}/"): api_probe(
        "get",
        lambda w: f"/api/competition-entries/{w.gd_entry.pk}/",
        CITY,
        OK,
        other=CITY_ELSEWHERE,
    ),
    ("POST", "/api/competition-entries/"): api_probe(
        "post",
        lambda w: "/api/competition-entries/",
        CITY,
        (201,),
        data=lambda w: {
            "competition": w.gd_comp.pk,
            "category": "关爱少年儿童",
            "project": w.th_project.pk,
            "list_position": 2,
        },
        other=PROVINCE_ELSEWHERE,
    ),
    ("POST", "/api/competition-entries/{id}/withdraw/"): api_probe(
        "post",
        lambda w: f"/api/competition-entries/{w.gd_entry.pk}/withdraw/",
        CITY,
        OK,
        data=lambda w: {"reason": "材料不全"},
        other=CITY_ELSEWHERE,
    ),
    ("POST", "/api/competition-entries/{id}/scores/"): api_probe(
        "post",
        lambda w: f"/api/competition-entries/{w.gd_entry.pk}/scores/",
        CITY_ELSEWHERE,
        OK,
        data=lambda w: {"scores": {str(w.gd_stage.criteria.get().pk): "88"}},
        other=PROVINCE_ELSEWHERE,
        viewer_status=404,
        why=JUDGES_BY_ASSIGNMENT,
    ),
    ("POST", "/api/competition-entries/{id}/award/"): api_probe(
        "post",
        lambda w: f"/api/competition-entries/{w.gd_entry.pk}/award/",
        PROVINCE,
        (201,),
        data=lambda w: {"tier": "示范项目", "amount": "50000"},
        other=PROVINCE_ELSEWHERE,
    ),
    ("POST", "/api/competition-entries/{id}/disbursements/"): api_probe(
        "post",
        lambda w: f"/api/competition-entries/{w.gd_entry.pk}/disbursements/",
        PROVINCE,
        (201,),
        data=lambda w: {"amount": "30000", "paid_on": "2021-06-01"},
        other=PROVINCE_ELSEWHERE,
        setup=_gd_award,
    ),
}


def _assessment_confirm_yx(w) -> None:
    """越秀's submitted self-assessment reviewed by its city and confirmed by the province."""
    from qingxie.assessment import services as assess

    sheet = w.round.sheets.get(association=w.yx)
    assess.sheet_verify(actor=None, sheet=sheet)
    assess.sheet_confirm(actor=None, sheet=sheet)


def _th_candidate(w):
    from qingxie.assessment.models import Candidate

    return Candidate.objects.get(association=w.th, year=2021)


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
    "accounts:user_invite": ("accounts.User", "create", None),
    "accounts:user_password_reset": ("accounts.User", "update", _staff),
    "accounts:user_authenticator_reset": ("accounts.User", "update", _staff),
    "accounts:user_active": ("accounts.User", "update", _staff),
    "accounts:user_invitation": ("accounts.User", "update", _staff),
    "accounts:grant_add": ("accounts.RoleGrant", "create", None),
    "accounts:grant_revoke": ("accounts.RoleGrant", "delete", _second_grant),
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
    "trainings:training_create": ("trainings.Training", "create", None),
    "trainings:training_detail": ("trainings.Training", "reveal", _hz_training),
    "trainings:training_edit": ("trainings.Training", "update", _hz_training),
    "trainings:training_status": ("trainings.Training", "update", lambda w: w.hz_planned),
    "trainings:attendee_add": ("trainings.Attendee", "create", None),
    "trainings:attendance": ("trainings.Attendee", "update", lambda w: w.hz_attendee),
    "trainings:attendee_remove": ("trainings.Attendee", "delete", lambda w: w.hz_attendee),
    "trainings:material_add": ("trainings.TrainingMaterial", "create", None),
    "trainings:material_remove": ("trainings.TrainingMaterial", "delete", lambda w: w.hz_material),
    ("POST", "/api/trainings/"): ("trainings.Training", "create", None),
    ("PATCH", "/api/trainings/{id}/"): ("trainings.Training", "update", _hz_training),
    ("POST", "/api/trainings/{id}/status/"): (
        "trainings.Training",
        "update",
        lambda w: w.hz_planned,
    ),
    ("POST", "/api/trainings/{id}/attendance/"): (
        "trainings.Attendee",
        "update",
        lambda w: w.hz_attendee,
    ),
    ("POST", "/api/training-attendees/"): ("trainings.Attendee", "create", None),
    ("PATCH", "/api/training-attendees/{id}/"): (
        "trainings.Attendee",
        "update",
        lambda w: w.hz_attendee,
    ),
    "assessment:version_detail": ("assessment.Indicator", "update", lambda w: w.spare_charter()),
    "assessment:round_create": ("assessment.Round", "create", None),
    "assessment:round_detail": ("assessment.Round", "update", lambda w: w.round),
    "assessment:sheet_detail": ("assessment.Value", "update", lambda w: w.hz_activities),
    "assessment:demonstration": ("assessment.DemoQuota", "create", None),
    "assessment:library": ("assessment.Support", "create", None),
    "plans:plan_action": ("plans.Plan", "update", lambda w: w.hz_plan),
    "plans:generate": ("plans.Plan", "create", None),
    "plans:task_action": ("plans.Blocker", "create", None),
    "plans:responsibility": ("plans.Responsibility", "create", None),
    ("POST", "/api/plans/"): ("plans.Plan", "create", None),
    ("POST", "/api/plans/{id}/submit/"): ("plans.Plan", "update", lambda w: w.hz_plan),
    ("POST", "/api/plans/{id}/verify/"): ("plans.Plan", "update", lambda w: w.hz_plan),
    ("POST", "/api/plans/{id}/return/"): ("plans.Plan", "update", lambda w: w.hz_plan),
    ("POST", "/api/plans/{id}/revise/"): ("plans.Plan", "update", lambda w: w.hz_plan),
    ("POST", "/api/plans/tasks/{id}/close/"): ("plans.Task", "update", lambda w: w.th_prep),
    ("POST", "/api/plans/tasks/{id}/blockers/"): ("plans.Blocker", "create", None),
    ("POST", "/api/plans/tasks/{id}/assign/"): ("plans.Task", "update", lambda w: w.hz_task),
    ("POST", "/api/plans/responsibilities/"): ("plans.Responsibility", "create", None),
    ("POST", "/api/plans/generate/"): ("plans.Plan", "create", None),
    "teams:team_create": ("teams.Team", "create", None),
    "teams:team_detail": ("teams.Team", "reveal", lambda w: w.hz_team),
    "teams:team_edit": ("teams.Team", "update", lambda w: w.hz_team),
    "teams:team_dissolve": ("teams.Team", "update", lambda w: w.hz_team),
    "projects:project_create": ("projects.Project", "create", None),
    "projects:project_edit": ("projects.Project", "update", lambda w: w.hz_project),
    "projects:activity_create": ("projects.Activity", "create", None),
    "projects:library_submit": ("projects.LibraryEntry", "create", None),
    "projects:library_decide": ("projects.LibraryEntry", "update", lambda w: w.hz_lib),
    "competitions:judge_score": ("projects.ScoreSheet", "create", None),
    "competitions:competition_create": ("projects.Competition", "create", None),
    "competitions:competition_manage": ("projects.Category", "create", None),
    "competitions:entry_submit": ("projects.Entry", "create", None),
    "competitions:entry_withdraw": ("projects.Entry", "update", lambda w: w.gd_entry),
    ("POST", "/api/competitions/"): ("projects.Competition", "create", None),
    ("POST", "/api/competitions/{id}/categories/"): ("projects.Category", "create", None),
    ("POST", "/api/competitions/{id}/quotas/"): ("projects.Quota", "create", None),
    ("POST", "/api/competitions/{id}/stages/"): ("projects.Stage", "create", None),
    ("POST", "/api/competitions/{id}/criteria/"): ("projects.Criterion", "create", None),
    ("POST", "/api/competitions/{id}/judges/"): ("projects.JudgeAssignment", "create", None),
    ("POST", "/api/competitions/{id}/advance/"): (
        "projects.Entry",
        "update",
        lambda w: w.gd_entry,
    ),
    ("POST", "/api/competition-entries/"): ("projects.Entry", "create", None),
    ("POST", "/api/competition-entries/{id}/withdraw/"): (
        "projects.Entry",
        "update",
        lambda w: w.gd_entry,
    ),
    ("POST", "/api/competition-entries/{id}/scores/"): ("projects.ScoreSheet", "create", None),
    ("POST", "/api/competition-entries/{id}/award/"): ("projects.Award", "create", None),
    ("POST", "/api/competition-entries/{id}/disbursements/"): (
        "projects.Disbursement",
        "create",
        None,
    ),
    ("POST", "/api/projects/"): ("projects.Project", "create", None),
    ("POST", "/api/library/{id}/decide/"): (
        "projects.LibraryEntry",
        "update",
        lambda w: w.hz_lib,
    ),
    ("PATCH", "/api/projects/{id}/"): ("projects.Project", "update", lambda w: w.hz_project),
    ("POST", "/api/projects/{id}/activities/"): ("projects.Activity", "create", None),
    ("POST", "/api/projects/{id}/library/"): ("projects.LibraryEntry", "create", None),
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
    ("POST", "/api/assessment/sheets/{id}/actions/"): (
        "assessment.Value",
        "update",
        lambda w: w.hz_activities,
    ),
    ("POST", "/api/teams/"): ("teams.Team", "create", None),
    ("PATCH", "/api/teams/{id}/"): ("teams.Team", "update", lambda w: w.hz_team),
    ("POST", "/api/teams/{id}/dissolve/"): ("teams.Team", "update", lambda w: w.hz_team),
    ("POST", "/api/assessment/rounds/"): ("assessment.Round", "create", None),
    ("PATCH", "/api/assessment/rounds/{id}/"): ("assessment.Round", "update", lambda w: w.round),
    ("POST", "/api/assessment/rounds/{id}/advance/"): (
        "assessment.Round",
        "update",
        lambda w: w.round,
    ),
    ("POST", "/api/assessment/rounds/{id}/tiers/"): (
        "assessment.Round",
        "update",
        lambda w: w.round,
    ),
    ("POST", "/api/assessment/quotas/"): ("assessment.DemoQuota", "create", None),
    ("POST", "/api/assessment/candidates/"): ("assessment.Candidate", "create", None),
    ("POST", "/api/assessment/candidates/{id}/decide/"): (
        "assessment.Candidate",
        "update",
        _th_candidate,
    ),
    ("POST", "/api/assessment/library/"): ("assessment.LibraryEntry", "create", None),
    ("POST", "/api/assessment/library/{id}/renew/"): (
        "assessment.LibraryEntry",
        "update",
        lambda w: w.hz_library,
    ),
    ("POST", "/api/assessment/library/{id}/remove/"): (
        "assessment.LibraryEntry",
        "update",
        lambda w: w.hz_library,
    ),
    ("POST", "/api/assessment/library/{id}/support/"): ("assessment.Support", "create", None),
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
