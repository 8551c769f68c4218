"""Direct-object-reference and mass-assignment attempts, beyond the matrix's one 404 per endpoint.

Two cadres of the same kind in two cities of Guangdong: 海珠区 (440105, under 广州 440100) and
罗湖区 (440303, under 深圳 440300). The Guangzhou side guesses the Shenzhen side's sequential
ids and unified numbers, asks API filters and the search box about it, downloads its evidence
and bulletin, reads its audit trail, and tries to set fields the system keeps (numbers, levels,
status dates, regions, versions…) through the API and the form pages. Every attempt must show
nothing of the other city, answer exactly as for something that does not exist (no oracle),
and write nothing: the row is unchanged and the change log has no entry for the attempt.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qingxie.accounts.models import RoleGrant
from qingxie.accounts.services import role_grant_create
from qingxie.core.errors import PermissionDeniedError
from qingxie.core.models import ObjectChange
from qingxie.ledger import services as ledger
from qingxie.ledger.models import (
    Association,
    ChecklistEntry,
    ChecklistItem,
    CoverageTarget,
    GroupMember,
    Seat,
)
from qingxie.ledger.numbering import number_format
from qingxie.regions.models import Region
from qingxie.teams.models import Team
from qingxie.teams.services import team_create

FOUNDED = datetime.date(2020, 1, 1)
HZ_USCC = "51440105MJL1234566"  # valid GB 32100 codes (check characters by python-stdnum)
LH_USCC = "51440303MJL7654322"
LH_NAME = "罗湖区青年志愿者协会"
SZ_NAME = "深圳市义工联合会"
LH_TEAM = "东门街道志愿服务队"
LH_MEMBER = "罗湖区蓝天救援队"
#: Texts that would betray the Shenzhen side on a Guangzhou cadre's screen.
SHENZHEN_TEXTS = (LH_NAME, SZ_NAME, LH_TEAM, LH_MEMBER, "罗湖", "深圳")


def _association(code: str, name: str, **fields) -> Association:
    return ledger.association_create(
        actor=None,
        region=Region.objects.get(code=code),
        name=name,
        form=fields.pop("form", "youth_volunteer_association"),
        established_on=FOUNDED,
        **fields,
    )


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, f"%PDF-1.4 {name}".encode(), "application/pdf")


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    """Rate limits are tested elsewhere; these tests send many requests as one user."""
    from rest_framework.views import APIView

    monkeypatch.setattr(APIView, "get_throttles", lambda self: [])


@pytest.fixture
def w(db, settings, tmp_path):
    """Both cities' ledgers, built through the services."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.QINGXIE_JOBS_SYNC = True
    w = SimpleNamespace()
    w.gd = _association("440000", "广东省青年志愿者协会")
    w.gz = _association("440100", "广州市青年志愿者协会")
    w.hz = _association("440105", "海珠区青年志愿者协会", registered=True, uscc=HZ_USCC)
    w.sz = _association("440300", SZ_NAME, form="yigong_federation")
    w.lh = _association("440303", LH_NAME, registered=True, uscc=LH_USCC)
    registration = ChecklistItem.objects.get(code="registration")
    w.hz_entry = ledger.checklist_entry_submit(
        actor=None, association=w.hz, item=registration, note="已登记", evidence=_pdf("hz.pdf")
    )
    w.lh_entry = ledger.checklist_entry_submit(
        actor=None, association=w.lh, item=registration, note="已登记", evidence=_pdf("lh.pdf")
    )
    w.hz_seat = Seat.objects.get(holder=w.gz, member=w.hz, until__isnull=True)
    w.lh_seat = Seat.objects.get(holder=w.sz, member=w.lh, until__isnull=True)

    def member(a, name):
        return ledger.group_member_create(
            actor=None,
            association=a,
            name=name,
            kind="volunteer_organisation",
            admitted_on=datetime.date(2021, 3, 1),
        )

    w.hz_member, w.lh_member = member(w.hz, "海珠区蓝天救援队"), member(w.lh, LH_MEMBER)

    def team(a, township, name):
        return team_create(
            actor=None,
            association=a,
            name=name,
            category="township",
            township=Region.objects.get(code=township),
            founded_on=datetime.date(2021, 1, 1),
        )

    w.hz_team = team(w.hz, "440105001", "赤岗街道志愿服务队")
    w.lh_team = team(w.lh, "440303001", LH_TEAM)

    def target(code):
        return ledger.coverage_target_set(
            actor=None,
            region=Region.objects.get(code=code),
            measure="established",
            due_on=datetime.date(2021, 12, 31),
            rate=80,
        )

    w.gd_target, w.gx_target = target("440000"), target("450000")
    return w


def log_size() -> int:
    return ObjectChange.objects.count()


def text(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def unecho(body: str, *typed: str) -> str:
    """`body` without the places a page repeats what the caller typed (a filter field's value,
    the query in a link): repeating the caller's own input reveals nothing."""
    from urllib.parse import quote

    for value in typed:
        for spelled in {value, quote(value), quote(value, safe="")}:
            body = re.sub(r'(=|=")' + re.escape(spelled), r"\1", body)
    return body


def shows_shenzhen(body: str, w) -> list[str]:
    """What of the Shenzhen side (names, numbers, USCC) appears in `body`."""
    marks = [*SHENZHEN_TEXTS, w.lh.number, w.sz.number, w.lh.uscc]
    return [m for m in marks if m in body]


def row(model, pk) -> dict:
    """Every stored column of one row (to prove an attempt changed nothing)."""
    return model.objects.filter(pk=pk).values().get()


# ================================================================ direct object references


#: (URL template with {pk}, the caller, model, the objects the caller may reach)
SEQUENTIAL = {
    "api team": ("/api/teams/{pk}/", ("county_admin", "440105"), Team, ["hz_team"]),
    "team page": ("/teams/{pk}/", ("county_admin", "440105"), Team, ["hz_team"]),
    "team edit": ("/teams/{pk}/edit/", ("county_admin", "440105"), Team, ["hz_team"]),
    "team dissolve": ("/teams/{pk}/dissolve/", ("county_admin", "440105"), Team, ["hz_team"]),
    "api group member": (
        "/api/group-members/{pk}/",
        ("county_admin", "440105"),
        GroupMember,
        ["hz_member"],
    ),
    "member edit": ("/members/{pk}/edit/", ("county_admin", "440105"), GroupMember, ["hz_member"]),
    "member withdraw": (
        "/members/{pk}/withdraw/",
        ("county_admin", "440105"),
        GroupMember,
        ["hz_member"],
    ),
    # Seats are held by the city: Guangzhou's holds 海珠's seat; Shenzhen's are out of reach.
    "api seat": ("/api/seats/{pk}/", ("city_admin", "440100"), Seat, "gz-seats"),
    "seat edit": ("/seats/{pk}/edit/", ("city_admin", "440100"), Seat, "gz-seats"),
    "api checklist entry": (
        "/api/checklist-entries/{pk}/",
        ("county_admin", "440105"),
        ChecklistEntry,
        ["hz_entry"],
    ),
    "evidence download": (
        "/checklist/{pk}/evidence/",
        ("county_admin", "440105"),
        ChecklistEntry,
        ["hz_entry"],
    ),
    "entry verify": (
        "/checklist/{pk}/verify/",
        ("city_admin", "440100"),
        ChecklistEntry,
        ["hz_entry"],
    ),
    "entry return": (
        "/checklist/{pk}/return/",
        ("city_admin", "440100"),
        ChecklistEntry,
        ["hz_entry"],
    ),
    # A province reads its own and the national targets, never another province's.
    "api coverage target": (
        "/api/coverage-targets/{pk}/",
        ("province_admin", "440000"),
        CoverageTarget,
        "gd-and-national-targets",
    ),
}


@pytest.mark.parametrize("case", list(SEQUENTIAL))
def test_guessing_sequential_ids_reaches_only_own_objects(w, client_for, case):
    """Every id from below the first to past the last: only the caller's own objects answer;
    the other city's answer exactly like an id that does not exist, and nothing is written."""
    template, who, model, own = SEQUENTIAL[case]
    client = client_for(*who)
    if own == "gz-seats":
        expected = set(Seat.objects.filter(holder=w.gz).values_list("pk", flat=True))
    elif own == "gd-and-national-targets":
        # The national targets (set by the nation, followed by every province) are readable.
        national = CoverageTarget.objects.filter(region__code="000000")
        expected = {w.gd_target.pk, *national.values_list("pk", flat=True)}
    else:
        expected = {getattr(w, name).pk for name in own}
    pks = sorted(model.objects.values_list("pk", flat=True))
    assert set(pks) - expected, "the other region must own some of these ids"
    before = log_size()
    reached, refused = set(), {}
    for pk in range(max(pks[0] - 3, 1), pks[-1] + 4):
        response = client.get(template.format(pk=pk))
        if response.status_code == 200:
            reached.add(pk)
            body = text(response)
            assert not shows_shenzhen(body, w), (
                f"{template.format(pk=pk)}: {shows_shenzhen(body, w)}"
            )
        else:
            assert response.status_code == 404, f"{template.format(pk=pk)}: {response.status_code}"
            refused[pk] = text(response) if template.startswith("/api/") else None
    assert reached == expected
    # No oracle: another region's object is refused word for word like a missing id.
    missing = max(refused)
    assert missing not in pks
    for pk, body in refused.items():
        assert body == refused[missing], f"{template.format(pk=pk)} answers differently"
    assert log_size() == before


def test_evidence_of_another_region_is_not_served_but_own_is(w, client_for):
    client = client_for("county_admin", "440105")
    own = client.get(f"/checklist/{w.hz_entry.pk}/evidence/")
    assert own.status_code == 200
    assert b"".join(own.streaming_content) == b"%PDF-1.4 hz.pdf"
    theirs = client.get(f"/checklist/{w.lh_entry.pk}/evidence/")
    assert theirs.status_code == 404
    assert b"lh.pdf" not in theirs.content
    # The city above 罗湖 is not Guangzhou either.
    city = client_for("city_admin", "440100").get(f"/checklist/{w.lh_entry.pk}/evidence/")
    assert city.status_code == 404


def _other_numbers() -> list[str]:
    """罗湖's and 深圳's unified numbers guessed by sequence: 01 exists, 02 and 03 do not."""
    return [
        number_format(code, level, seq)
        for code, level in (("440303", 3), ("440300", 2))
        for seq in (1, 2, 3)
    ]


@pytest.mark.parametrize(
    "suffix",
    ["", "checklist/", "group-members/", "seats/"],
    ids=["detail", "checklist", "group-members", "seats"],
)
def test_guessed_unified_numbers_of_another_city_answer_like_missing_ones_in_the_api(
    w, client_for, suffix
):
    client = client_for("city_admin", "440100")
    before = log_size()
    answers = {}
    for number in _other_numbers():
        for spelled in (number, number.replace("-", "")):
            response = client.get(f"/api/associations/{spelled}/{suffix}")
            assert response.status_code == 404, f"{spelled}: {response.status_code}"
            answers[spelled] = text(response).replace(number, "<N>")
    assert w.lh.number in answers and w.sz.number in answers
    assert len(set(answers.values())) == 1, answers
    assert not shows_shenzhen(next(iter(answers.values())).replace("<N>", ""), w)
    assert log_size() == before


@pytest.mark.parametrize("suffix", ["", "edit/", "status/", "members/new/", "checklist/charter/"])
def test_guessed_unified_numbers_of_another_city_are_404_on_the_pages(w, client_for, suffix):
    client = client_for("city_admin", "440100")
    for number in _other_numbers():
        response = client.get(f"/associations/{number}/{suffix}")
        assert response.status_code == 404, f"{number}: {response.status_code}"
        # The page may repeat what was typed (the address); it adds nothing of Shenzhen.
        assert not shows_shenzhen(text(response).replace(number, ""), w)
    # And the same pages work for Guangzhou's own district (the test can fail).
    assert client.get(f"/associations/{w.hz.number}/{suffix}").status_code == 200


def test_guessed_number_posts_write_nothing(w, client_for):
    """Form posts and API writes aimed at 罗湖 by number: 404, the row and log unchanged."""
    client = client_for("county_admin", "440105")
    before, stored = log_size(), row(Association, w.lh.pk)
    n = w.lh.number
    attempts = [
        client.post(
            f"/associations/{n}/edit/",
            {"name": "改名", "form": "youth_volunteer_association", "established_on": "2020-01-01"},
        ),
        client.post(f"/associations/{n}/status/", {"change": "dissolve", "on": "2021-01-01"}),
        client.post(
            f"/associations/{n}/members/new/",
            {"name": "x", "kind": "school", "admitted_on": "2022-01-01"},
        ),
        client.post(f"/associations/{n}/checklist/charter/", {"note": "x"}),
        client.patch(f"/api/associations/{n}/", {"name": "改名"}, content_type="application/json"),
        client.post(
            f"/api/associations/{n}/dissolve/",
            {"on": "2021-01-01"},
            content_type="application/json",
        ),
        # Merging one's own association INTO the other city's: the target is looked up too.
        client.post(
            f"/api/associations/{w.hz.number}/merge/",
            {"on": "2021-06-01", "into": n},
            content_type="application/json",
        ),
        client.post(
            f"/associations/{w.hz.number}/status/",
            {"change": "merge", "on": "2021-06-01", "into": n},
        ),
    ]
    for response in attempts[:-1]:
        assert response.status_code == 404, text(response)[:300]
    # The merge form names the field and keeps the cadre on the page.
    assert attempts[-1].status_code == 200
    assert "不在您的权限范围内" in text(attempts[-1])
    assert row(Association, w.lh.pk) == stored
    assert Association.objects.get(pk=w.hz.pk).status == "active"
    assert log_size() == before


# ------------------------------------------------------------------- uploads under /sheets/


def _ledger_csv() -> bytes:
    header = "区划代码,名称,组织形式,成立日期\n"
    return (header + "440105,,青年志愿者协会,2099-01-01\n").encode("utf-8-sig")


def test_an_upload_belongs_to_its_uploader_even_inside_the_same_county(w, make_user):
    """A colleague with the same grant, and a neighbour, both guess the SHA-256 of the file."""
    owner = make_user("county_admin", "440105")
    uploader = Client()
    uploader.force_login(owner)
    response = uploader.post(
        "/sheets/ledger/import/",
        {"file": SimpleUploadedFile("台账.csv", _ledger_csv(), "text/csv")},
    )
    assert response.status_code == 302
    sha = re.search(r"/import/([0-9a-f]{64})/", response["Location"]).group(1)
    assert uploader.get(f"/sheets/ledger/import/{sha}/").status_code == 200
    assert uploader.get(f"/sheets/ledger/import/{sha}/problems/").status_code == 200

    others = []
    for role, code in (
        ("county_admin", "440105"),
        ("county_admin", "440303"),
        ("city_admin", "440100"),
        ("province_admin", "440000"),
    ):
        others.append((role, code, Client()))
        others[-1][2].force_login(make_user(role, code))
    before = log_size()  # after making the users, which is itself recorded
    for role, code, other in others:
        for suffix in ("", "status/", "problems/"):
            got = other.get(f"/sheets/ledger/import/{sha}/{suffix}")
            assert got.status_code == 404, f"{role}@{code} {suffix}: {got.status_code}"
        # Confirming someone else's upload: refused, nothing imported.
        assert other.post(f"/sheets/ledger/import/{sha}/").status_code == 404
        # The same file under another kind, a truncated hash, a path trick.
        for path in (
            f"/sheets/teams/import/{sha}/",
            f"/sheets/ledger/import/{sha[:63]}/",
            f"/sheets/ledger/import/..%2F{owner.pk}%2F{sha}/",
            f"/sheets/ledger/import/{sha.upper()}/",
        ):
            assert other.get(path).status_code == 404, path
    assert log_size() == before


# ------------------------------------------------------------------------- reports and maps


@pytest.mark.parametrize("fmt", ["", "pdf", "docx"])
@pytest.mark.parametrize("code", ["440300", "440303", "440000", "000000"])
def test_bulletin_of_a_region_outside_the_city_is_404(w, client_for, code, fmt):
    """Another city, a county of it, the province above and the nation: none is Guangzhou's."""
    client = client_for("city_admin", "440100")
    query = f"?format={fmt}&as_of=2021-05-06" if fmt else ""
    response = client.get(f"/reports/bulletin/{code}/{query}")
    assert response.status_code == 404
    assert response.get("Content-Disposition") is None
    assert not shows_shenzhen(text(response), w)
    for kind in ("trend", "map"):
        assert client.get(f"/reports/bulletin/{code}/{kind}.png").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/coverage/?region={code}",
        "/api/coverage/?region={code}&depth=3&as_of=2021-05-06",
        "/api/coverage/series/?region={code}&start=2021-01-01&end=2021-12-31",
        "/api/coverage/map/?region={code}",
        "/coverage/{code}/",
        "/regions/{code}/map/",
        "/regions/{code}/",
    ],
)
def test_coverage_outside_scope_is_404_for_a_neighbour_and_for_the_level_above(w, client_for, url):
    client = client_for("city_admin", "440100")
    for code in ("440300", "440303", "440000", "000000"):
        response = client.get(url.format(code=code), follow=True)
        if response.redirect_chain:  # the country's page sends a cadre to their own region
            assert response.request["PATH_INFO"] == "/regions/440100/", response.redirect_chain
        else:
            assert response.status_code == 404, f"{url.format(code=code)}: {response.status_code}"
        assert not shows_shenzhen(text(response), w)
    assert client.get(url.format(code="440100")).status_code == 200


def test_own_coverage_at_full_depth_holds_only_own_regions(w, client_for):
    client = client_for("city_admin", "440100")
    data = client.get("/api/coverage/?region=440100&depth=3").json()

    def codes(node):
        yield node["region"]
        for child in node["children"]:
            yield from codes(child)

    found = list(codes(data))
    assert "440105" in found
    assert all(c.startswith("4401") for c in found), [c for c in found if not c.startswith("4401")]
    # Without a region the API answers for the caller's own.
    assert client.get("/api/coverage/").json()["region"] == "440100"
    map_data = client.get("/api/coverage/map/").json()
    assert map_data["region"] == "440100"
    assert all(c["code"].startswith("4401") for c in map_data["counties"])


# ----------------------------------------------------------------------------------- audit


def test_audit_of_a_city_shows_none_of_another_citys_entries(w, client_for):
    auditor = client_for("auditor", "440100")
    # A Shenzhen edit recorded now, so the log holds something of each city and of both kinds.
    ledger.association_update(actor=None, association=w.lh, address="罗湖区人民南路1号")
    lh_change = ObjectChange.objects.filter(object_id=str(w.lh.pk)).first()
    own = auditor.get("/audit/")
    assert own.status_code == 200
    assert "海珠区青年志愿者协会" in text(own)
    assert not shows_shenzhen(text(own), w)
    for query in (
        "q=罗湖",
        "q=深圳",
        f"q={w.lh.number}",
        "kind=association&q=罗湖",
        "kind=team",
        "kind=groupmember",
        "kind=checklistentry",
        "kind=seat",
        "kind=coveragetarget",
        "kind=user",
        f"request={lh_change.request_id}",
        "action=update",
        "page=2",
        "page=999",
    ):
        response = auditor.get(f"/audit/?{query}")
        assert response.status_code == 200, query
        body = text(response)
        body = unecho(body, *re.findall(r"=([^&]+)", query))
        assert not shows_shenzhen(body, w), f"/audit/?{query}: {shows_shenzhen(body, w)}"
        assert "sec-" not in body and "-county_admin-440303" not in body, query
    # The Shenzhen auditor does see it (the test can fail).
    assert LH_NAME in text(client_for("auditor", "440300").get("/audit/?q=罗湖"))


# ------------------------------------------------------------------------ API list filters


#: (URL, caller, the text the caller sees for its own region with the same filter)
FILTERS = [
    (
        "/api/associations/?region={sz}",
        ("city_admin", "440100"),
        "/api/associations/?region=440100",
    ),
    (
        "/api/associations/?q={lh_number}",
        ("city_admin", "440100"),
        "/api/associations/?q={hz_number}",
    ),
    ("/api/associations/?q=罗湖", ("city_admin", "440100"), "/api/associations/?q=海珠"),
    ("/api/teams/?region={sz}", ("city_admin", "440100"), "/api/teams/?region=440100"),
    ("/api/teams/?region=440303001", ("city_admin", "440100"), "/api/teams/?region=440105001"),
    (
        "/api/teams/?association={lh_number}",
        ("city_admin", "440100"),
        "/api/teams/?association={hz_number}",
    ),
    ("/api/teams/?township=440303001", ("city_admin", "440100"), "/api/teams/?township=440105001"),
    (
        "/api/group-members/?region={sz}",
        ("city_admin", "440100"),
        "/api/group-members/?region=440100",
    ),
    (
        "/api/group-members/?association={lh_number}",
        ("city_admin", "440100"),
        "/api/group-members/?association={hz_number}",
    ),
    (
        "/api/checklist-entries/?region={sz}",
        ("city_admin", "440100"),
        "/api/checklist-entries/?region=440100",
    ),
    (
        "/api/checklist-entries/?association={lh_number}",
        ("city_admin", "440100"),
        "/api/checklist-entries/?association={hz_number}",
    ),
    (
        "/api/checklist-entries/?queue=1&region={sz}",
        ("city_admin", "440100"),
        "/api/checklist-entries/?queue=1&region=440100",
    ),
    ("/api/seats/?region={sz}", ("city_admin", "440100"), "/api/seats/?region=440100"),
    ("/api/seats/?holder={sz_number}", ("city_admin", "440100"), "/api/seats/?holder={gz_number}"),
    ("/api/seats/?member={lh_number}", ("city_admin", "440100"), "/api/seats/?member={hz_number}"),
    (
        "/api/coverage-targets/?region=450000",
        ("province_admin", "440000"),
        "/api/coverage-targets/?region=440000",
    ),
    ("/associations/?region={sz}", ("city_admin", "440100"), "/associations/?region=440100"),
    ("/associations/?q=罗湖", ("city_admin", "440100"), "/associations/?q=海珠"),
    ("/teams/?region={sz}", ("city_admin", "440100"), "/teams/?region=440100"),
    (
        "/teams/?association={lh_number}",
        ("city_admin", "440100"),
        "/teams/?association={hz_number}",
    ),
    ("/verification/?region={sz}", ("city_admin", "440100"), None),
]


def _fill(url: str, w) -> str:
    return url.format(
        sz="440300",
        lh_number=w.lh.number,
        hz_number=w.hz.number,
        sz_number=w.sz.number,
        gz_number=w.gz.number,
    )


def _results(response) -> list | None:
    if not response["Content-Type"].startswith("application/json"):
        return None
    data = response.json()
    return data["results"] if isinstance(data, dict) else data


@pytest.mark.parametrize(("url", "who", "own"), FILTERS, ids=[f[0] for f in FILTERS])
def test_a_filter_naming_another_region_returns_nothing_not_an_error(w, client_for, url, who, own):
    client = client_for(*who)
    before = log_size()
    response = client.get(_fill(url, w))
    assert response.status_code == 200, text(response)[:300]
    body = text(response)
    body = unecho(body, *re.findall(r"=([^&]+)", _fill(url, w)))
    assert not shows_shenzhen(body, w), shows_shenzhen(body, w)
    if (results := _results(response)) is not None:
        assert results == []
    if own:  # the same filter on the caller's own region finds something: the test can fail
        mine = client.get(_fill(own, w))
        assert mine.status_code == 200
        if (results := _results(mine)) is not None:
            assert results
    assert log_size() == before


def test_a_filter_on_another_region_answers_like_an_empty_own_region(w, client_for):
    """?region=440300 (has associations) and ?region=440111 (in scope, empty) answer alike:
    the count does not tell that Shenzhen's ledger has anything in it."""
    client = client_for("city_admin", "440100")
    for path in ("associations", "teams", "group-members", "checklist-entries", "seats"):
        theirs = client.get(f"/api/{path}/?region=440300").json()
        empty = client.get(f"/api/{path}/?region=440111").json()
        assert theirs == empty, path


# ---------------------------------------------------------------------------------- search


def test_search_for_another_regions_number_answers_like_a_missing_number(w, client_for):
    client = client_for("county_admin", "440105")
    missing = number_format("440303", 3, 7)
    answers = []
    for q in (w.lh.number, missing):
        for spelled in (q, q.replace("-", "")):
            response = client.get("/search/", {"q": spelled})
            assert response.status_code == 200, spelled
            body = text(response)
            assert not shows_shenzhen(body.replace(q, "").replace(spelled, ""), w)
            assert f"/associations/{w.lh.number}/" not in body
            problem = re.search(r"未找到统一编号为 [^<]*", body)
            answers.append(problem.group(0).replace(q, "<N>") if problem else None)
    assert answers[0] and len(set(answers)) == 1, answers
    # Its own number goes straight to its page (the test can fail).
    assert client.get("/search/", {"q": w.hz.number})["Location"].endswith(f"{w.hz.number}/")


@pytest.mark.parametrize(
    "q", [LH_NAME, "罗湖区青年", LH_TEAM, "东门街道", "440303", "4403033", "深圳市义工", LH_USCC]
)
def test_search_shows_nothing_of_another_region(w, client_for, q):
    client = client_for("county_admin", "440105")
    response = client.get("/search/", {"q": q}, follow=True)
    assert response.status_code in (200, 404)
    body = text(response).replace(q, "")
    for mark in (LH_NAME, SZ_NAME, LH_TEAM, w.lh.number, f"/teams/{w.lh_team.pk}/"):
        assert mark not in body, f"{q!r} shows {mark}"


# ===================================================================== mass assignment: API


def _api(client, method, url, data):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def _refused(response, field: str) -> None:
    """400 in the API's one error shape, with a Chinese message naming `field`.

    `version` is the optimistic lock's token: a value other than the stored one is a 409
    conflict (the write refused as a whole), which is as good a refusal.
    """
    if field == "version" and response.status_code == 409:
        assert response.json()["error"]["code"] == "conflict"
        assert re.search(r"[\u4e00-\u9fff]", response.json()["error"]["message"])
        return
    assert response.status_code == 400, f"{response.status_code} {text(response)[:300]}"
    error = response.json()["error"]
    assert field in error["fields"], error
    assert all(re.search(r"[\u4e00-\u9fff]", m) for m in error["fields"][field]), error


def _unchanged(model, pk, stored: dict, before: int) -> None:
    assert row(model, pk) == stored, "the attempt changed the row"
    assert log_size() == before, "the attempt wrote to the change log"


#: System fields of an association with a value an attacker would like to set.
ASSOCIATION_SYSTEM = {
    "number": "440105-3-09-5",
    "level": "province",
    "region": "440303",
    "status": "dissolved",
    "status_since": "2000-01-01",
    "standardized_since": "2020-06-01",
    "standardized": True,
    "merged_into": "{lh_number}",
    "is_demo": True,
    "created": "2000-01-01T00:00:00Z",
    "last_updated": "2000-01-01T00:00:00Z",
    "version": 9999,
    "id": 1,
    "pk": 1,
    "url": "/api/associations/{lh_number}/",
    "region_name": "罗湖区",
}


def _value(value, w):
    return value.format(lh_number=w.lh.number) if isinstance(value, str) else value


@pytest.mark.parametrize("field", list(ASSOCIATION_SYSTEM))
@pytest.mark.parametrize("method", ["patch", "put"])
def test_api_refuses_system_fields_of_an_association(w, client_for, field, method):
    client = client_for("county_admin", "440105")
    stored, before = row(Association, w.hz.pk), log_size()
    data = {field: _value(ASSOCIATION_SYSTEM[field], w), "address": "广州市海珠区新港西路1号"}
    response = _api(client, method, f"/api/associations/{w.hz.number}/", data)
    if method == "put":
        # No full replacement at all: PUT is not an operation of the API.
        assert response.status_code == 405
        assert response.json()["error"]["message"]
    else:
        _refused(response, field)
    _unchanged(Association, w.hz.pk, stored, before)


@pytest.mark.parametrize("field", [f for f in ASSOCIATION_SYSTEM if f != "level"])
def test_api_refuses_system_fields_when_creating_an_association(w, client_for, field):
    client = client_for("city_admin", "440100")
    count, before = Association.objects.count(), log_size()
    data = {
        "region": "440111",
        "name": "白云区青年志愿者协会",
        "form": "youth_volunteer_association",
        "established_on": "2020-05-04",
    }
    data.setdefault(field, _value(ASSOCIATION_SYSTEM[field], w))
    if field == "region":
        data["region"] = "440303"  # creating one in the other city: refused as out of scope
    response = _api(client, "post", "/api/associations/", data)
    if field == "region":
        assert response.status_code == 403
    else:
        _refused(response, field)
    assert Association.objects.count() == count
    assert log_size() == before


def test_api_level_must_match_the_region_when_creating(w, client_for):
    client = client_for("city_admin", "440100")
    count = Association.objects.count()
    data = {
        "region": "440111",
        "level": "province",
        "name": "白云区青年志愿者协会",
        "form": "youth_volunteer_association",
        "established_on": "2020-05-04",
    }
    _refused(_api(client, "post", "/api/associations/", data), "region")
    assert Association.objects.count() == count
    # Without a level (or with the right one) the same request succeeds: the test can fail.
    created = _api(client, "post", "/api/associations/", {**data, "level": "county"})
    assert created.status_code == 201
    assert created.json()["number"].startswith("440111-3-")


TEAM_SYSTEM = {
    "association": "{lh_number}",
    "region": "440303",
    "township_parent": "440303",
    "status": "dissolved",
    "dissolved_on": "2023-01-01",
    "is_demo": True,
    "id": 1,
    "created": "2000-01-01T00:00:00Z",
    "version": 9999,
}


@pytest.mark.parametrize("field", list(TEAM_SYSTEM))
def test_api_refuses_system_fields_of_a_team(w, client_for, field):
    client = client_for("county_admin", "440105")
    stored, before = row(Team, w.hz_team.pk), log_size()
    data = {field: _value(TEAM_SYSTEM[field], w), "member_count": 99}
    _refused(_api(client, "patch", f"/api/teams/{w.hz_team.pk}/", data), field)
    _unchanged(Team, w.hz_team.pk, stored, before)
    count = Team.objects.count()
    data = {
        "association": w.hz.number,
        "name": "新港街道志愿服务队",
        "category": "township",
        "township": "440105002",
        "founded_on": "2021-03-05",
    }
    if field != "association":
        data[field] = _value(TEAM_SYSTEM[field], w)
        _refused(_api(client, "post", "/api/teams/", data), field)
        assert Team.objects.count() == count
        assert log_size() == before


@pytest.mark.parametrize("township", ["440303001", "440106001", "440105", "440303"])
def test_a_team_cannot_be_moved_to_a_township_outside_its_association(w, client_for, township):
    """The township (and so township_parent, copied from it) stays inside 海珠区."""
    client = client_for("county_admin", "440105")
    stored, before = row(Team, w.hz_team.pk), log_size()
    _refused(
        _api(client, "patch", f"/api/teams/{w.hz_team.pk}/", {"township": township}), "township"
    )
    _unchanged(Team, w.hz_team.pk, stored, before)
    count = Team.objects.count()
    data = {
        "association": w.hz.number,
        "name": "越界街道志愿服务队",
        "category": "township",
        "township": township,
        "founded_on": "2021-03-05",
    }
    _refused(_api(client, "post", "/api/teams/", data), "township")
    assert Team.objects.count() == count
    assert log_size() == before
    # A township inside 海珠 is accepted (the test can fail) and township_parent follows it.
    moved = _api(client, "patch", f"/api/teams/{w.hz_team.pk}/", {"township": "440105002"})
    assert moved.status_code == 200
    assert Team.objects.get(pk=w.hz_team.pk).township_parent.code == "440105"


MEMBER_SYSTEM = {
    "association": "{lh_number}",
    "status": "withdrawn",
    "left_on": "2023-01-01",
    "is_demo": True,
    "id": 1,
    "created": "2000-01-01T00:00:00Z",
    "version": 9999,
}


@pytest.mark.parametrize("field", list(MEMBER_SYSTEM))
def test_api_refuses_system_fields_of_a_group_member(w, client_for, field):
    client = client_for("county_admin", "440105")
    stored, before = row(GroupMember, w.hz_member.pk), log_size()
    data = {field: _value(MEMBER_SYSTEM[field], w), "contact_name": "李明"}
    _refused(_api(client, "patch", f"/api/group-members/{w.hz_member.pk}/", data), field)
    _unchanged(GroupMember, w.hz_member.pk, stored, before)
    if field != "association":
        count = GroupMember.objects.count()
        data = {
            "association": w.hz.number,
            "name": "海珠中学团委",
            "kind": "school",
            "admitted_on": "2022-01-01",
            field: _value(MEMBER_SYSTEM[field], w),
        }
        _refused(_api(client, "post", "/api/group-members/", data), field)
        assert GroupMember.objects.count() == count
        assert log_size() == before


def test_a_group_member_cannot_be_admitted_into_another_citys_association(w, client_for):
    client = client_for("county_admin", "440105")
    count, before = GroupMember.objects.count(), log_size()
    data = {
        "association": w.lh.number,
        "name": "海珠中学团委",
        "kind": "school",
        "admitted_on": "2022-01-01",
    }
    response = _api(client, "post", "/api/group-members/", data)
    assert response.status_code == 404
    assert GroupMember.objects.count() == count and log_size() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("holder", "{lh_number}"),
        ("member", "{lh_number}"),
        ("since", "2000-01-01"),
        ("until", "2021-01-01"),
        ("id", 1),
        ("version", 9999),
        ("created", "2000-01-01T00:00:00Z"),
    ],
)
def test_api_refuses_system_fields_of_a_seat(w, client_for, field, value):
    client = client_for("city_admin", "440100")
    stored, before = row(Seat, w.hz_seat.pk), log_size()
    data = {field: _value(value, w), "representative": "王晓明"}
    _refused(_api(client, "patch", f"/api/seats/{w.hz_seat.pk}/", data), field)
    _unchanged(Seat, w.hz_seat.pk, stored, before)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("state", "verified"),
        ("verified_on", "2021-01-01"),
        ("decided_by", "admin"),
        ("submitted_by", "admin"),
        ("decided_at", "2021-01-01T00:00:00Z"),
        ("return_reason", ""),
        ("id", 1),
        ("version", 9999),
    ],
)
def test_api_refuses_system_fields_of_a_checklist_entry(w, client_for, field, value):
    client = client_for("county_admin", "440105")
    stored, before = row(ChecklistEntry, w.hz_entry.pk), log_size()
    data = {"association": w.hz.number, "item": "registration", "note": "补充", field: value}
    _refused(_api(client, "post", "/api/checklist-entries/", data), field)
    _unchanged(ChecklistEntry, w.hz_entry.pk, stored, before)
    for method in ("put", "patch"):
        response = _api(client, method, f"/api/checklist-entries/{w.hz_entry.pk}/", {field: value})
        assert response.status_code == 405, method
    _unchanged(ChecklistEntry, w.hz_entry.pk, stored, before)


def test_a_county_cannot_verify_its_own_checklist_entry(w, client_for):
    """Verification is the level above's: the association's own cadre is refused, nothing written."""
    client = client_for("county_admin", "440105")
    stored, before = row(ChecklistEntry, w.hz_entry.pk), log_size()
    response = _api(client, "post", f"/api/checklist-entries/{w.hz_entry.pk}/verify/", {})
    assert response.status_code == 403
    page = client.post(f"/checklist/{w.hz_entry.pk}/verify/", {"on": "2021-01-01"})
    assert page.status_code == 403
    _unchanged(ChecklistEntry, w.hz_entry.pk, stored, before)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("region", "450000"),
        ("measure", "standardized"),
        ("due_on", "2030-12-31"),
        ("id", 1),
        ("created", "2000-01-01T00:00:00Z"),
        ("version", 9999),
    ],
)
def test_api_refuses_key_and_system_fields_of_a_coverage_target(w, client_for, field, value):
    client = client_for("province_admin", "440000")
    stored, before = row(CoverageTarget, w.gd_target.pk), log_size()
    other = row(CoverageTarget, w.gx_target.pk)
    response = _api(
        client, "patch", f"/api/coverage-targets/{w.gd_target.pk}/", {field: value, "rate": 60}
    )
    _refused(response, field)
    _unchanged(CoverageTarget, w.gd_target.pk, stored, before)
    assert row(CoverageTarget, w.gx_target.pk) == other
    if field not in ("region", "measure", "due_on"):
        data = {
            "region": "440000",
            "measure": "standardized",
            "due_on": "2022-12-31",
            "rate": 70,
            field: value,
        }
        count = CoverageTarget.objects.count()
        _refused(_api(client, "post", "/api/coverage-targets/", data), field)
        assert CoverageTarget.objects.count() == count and log_size() == before


def test_a_province_cannot_overwrite_another_provinces_target_by_upsert(w, client_for):
    """POST is an upsert on (region, measure, due date): naming 广西's key is refused, not merged."""
    client = client_for("province_admin", "440000")
    other, before = row(CoverageTarget, w.gx_target.pk), log_size()
    data = {"region": "450000", "measure": "established", "due_on": "2021-12-31", "rate": 1}
    assert _api(client, "post", "/api/coverage-targets/", data).status_code == 403
    assert row(CoverageTarget, w.gx_target.pk) == other and log_size() == before


# =============================================================== mass assignment: form posts


ASSOCIATION_FORM = {
    "name": "海珠区青年志愿者协会",
    "form": "youth_volunteer_association",
    "established_on": "2020-01-01",
    "registered": "on",
    "uscc": HZ_USCC,
    "address": "广州市海珠区宝岗大道1号",
}


def _form_extras(w) -> dict:
    """System fields a crafted form post adds (values an attacker would like to see stored)."""
    return {
        "number": "440105-3-09-5",
        "level": "1",
        "region": "440303",
        "status": "dissolved",
        "status_since": "2000-01-01",
        "standardized_since": "2020-06-01",
        "merged_into": w.lh.number,
        "is_demo": "on",
        "created": "2000-01-01 00:00",
        "last_updated": "2000-01-01 00:00",
        "id": str(w.lh.pk),
        "pk": str(w.lh.pk),
    }


SYSTEM_COLUMNS = (
    "id",
    "number",
    "level",
    "region_id",
    "status",
    "status_since",
    "standardized_since",
    "merged_into_id",
    "is_demo",
    "created",
)


def test_association_edit_page_ignores_system_fields(w, client_for):
    client = client_for("county_admin", "440105")
    stored = row(Association, w.hz.pk)
    lh_stored = row(Association, w.lh.pk)
    page = client.get(f"/associations/{w.hz.number}/edit/")
    version = re.search(r'name="version" value="(\d+)"', text(page))
    data = {**ASSOCIATION_FORM, **_form_extras(w)}
    if version:
        data["version"] = version.group(1)
    response = client.post(f"/associations/{w.hz.number}/edit/", data)
    assert response.status_code == 302, text(response)[:500]
    now = row(Association, w.hz.pk)
    assert now["address"] == "广州市海珠区宝岗大道1号"  # the legitimate edit went through
    assert {c: now[c] for c in SYSTEM_COLUMNS} == {c: stored[c] for c in SYSTEM_COLUMNS}
    assert row(Association, w.lh.pk) == lh_stored
    entry = ObjectChange.objects.filter(object_id=str(w.hz.pk), action="update").first()
    assert entry.changed_fields == ["address"]
    assert not ObjectChange.objects.filter(object_id=str(w.lh.pk), action="update").exists()


def test_association_edit_page_does_not_store_a_posted_version(w, client_for):
    """A version typed into the post is at most a (stale) lock token, never stored.

    A post over a version the record is not at is refused as a conflict (the form shown
    again, 200, with the conflict message) and writes nothing; the same post over the
    version the record is at is saved and bumps the version by one.
    """
    client = client_for("county_admin", "440105")
    stored = row(Association, w.hz.pk)
    updates = ObjectChange.objects.filter(object_id=str(w.hz.pk), action="update")
    logged = updates.count()
    data = {**ASSOCIATION_FORM, "version": "9999", "address": "改"}
    response = client.post(f"/associations/{w.hz.number}/edit/", data)
    assert response.status_code == 200, response.get("Location")
    assert "您的修改没有保存" in text(response)
    assert f"您打开的是第 9999 版，现在是第 {stored['version']} 版" in text(response)
    assert row(Association, w.hz.pk) == stored
    assert updates.count() == logged

    data["version"] = str(stored["version"])
    response = client.post(f"/associations/{w.hz.number}/edit/", data)
    assert response.status_code == 302, text(response)[:500]
    now = row(Association, w.hz.pk)
    assert now["address"] == "改"
    assert now["version"] == stored["version"] + 1
    assert updates.count() == logged + 1


def test_association_create_page_ignores_system_fields(w, client_for):
    client = client_for("city_admin", "440100")
    data = {
        **ASSOCIATION_FORM,
        **_form_extras(w),
        "region": "440111",
        "name": "白云区青年志愿者协会",
        "uscc": "",
        "registered": "",
        "established_on": "2020-05-04",
    }
    response = client.post("/associations/new/", data)
    assert response.status_code == 302, text(response)[:500]
    created = Association.objects.get(region__code="440111")
    assert created.number == number_format("440111", 3, 1)
    assert created.level == 3 and created.status == "active"
    assert created.status_since == datetime.date(2020, 5, 4)
    assert created.standardized_since is None and created.merged_into is None
    assert created.is_demo is False
    assert created.created.year == datetime.date.today().year
    assert row(Association, w.lh.pk)["id"] == w.lh.pk  # the posted pk touched nothing


def test_association_create_page_cannot_place_one_in_another_city(w, client_for):
    client = client_for("city_admin", "440100")
    count, before = Association.objects.count(), log_size()
    data = {
        **ASSOCIATION_FORM,
        "region": "440304",
        "name": "福田区青年志愿者协会",
        "uscc": "",
        "registered": "",
    }
    response = client.post("/associations/new/", data)
    assert response.status_code == 403
    assert Association.objects.count() == count and log_size() == before


TEAM_FORM = {
    "name": "赤岗街道青年志愿服务队",
    "category": "township",
    "township": "440105001",
    "founded_on": "2021-01-01",
    "member_count": "30",
}


def test_team_edit_page_ignores_association_region_and_status(w, client_for):
    client = client_for("county_admin", "440105")
    stored = row(Team, w.hz_team.pk)
    data = {
        **TEAM_FORM,
        "association": w.lh.number,
        "association_id": str(w.lh.pk),
        "region": "440303",
        "region_id": str(Region.objects.get(code="440303").pk),
        "township_parent": "440303",
        "status": "dissolved",
        "dissolved_on": "2023-01-01",
        "is_demo": "on",
        "id": str(w.lh_team.pk),
    }
    page = client.get(f"/teams/{w.hz_team.pk}/edit/")
    if version := re.search(r'name="version" value="(\d+)"', text(page)):
        data["version"] = version.group(1)
    response = client.post(f"/teams/{w.hz_team.pk}/edit/", data)
    assert response.status_code == 302, text(response)[:500]
    now = row(Team, w.hz_team.pk)
    assert now["name"] == "赤岗街道青年志愿服务队" and now["member_count"] == 30
    for column in (
        "association_id",
        "region_id",
        "township_parent_id",
        "status",
        "dissolved_on",
        "is_demo",
        "id",
    ):
        assert now[column] == stored[column], column
    entry = ObjectChange.objects.filter(object_id=str(w.hz_team.pk), action="update").first()
    assert set(entry.changed_fields) == {"name", "member_count"}


def test_team_edit_page_refuses_a_township_of_another_county(w, client_for):
    client = client_for("county_admin", "440105")
    stored, before = row(Team, w.hz_team.pk), log_size()
    response = client.post(f"/teams/{w.hz_team.pk}/edit/", {**TEAM_FORM, "township": "440303001"})
    assert response.status_code == 200  # the form again, with the field's error
    body = text(response)
    assert re.search(r"township[^>]*>?.*?(有效|不在)", body, re.S)
    assert row(Team, w.hz_team.pk) == stored and log_size() == before


def test_team_create_page_takes_the_association_from_the_checked_url_not_the_body(w, client_for):
    client = client_for("county_admin", "440105")
    data = {
        **TEAM_FORM,
        "name": "新港街道志愿服务队",
        "township": "440105002",
        "association": w.lh.number,
        "region": "440303",
    }
    response = client.post(f"/teams/new/?association={w.hz.number}", data)
    assert response.status_code == 302, text(response)[:500]
    team = Team.objects.get(name="新港街道志愿服务队")
    assert team.association_id == w.hz.pk and team.region.code == "440105"
    assert not Team.objects.filter(association=w.lh).exclude(pk=w.lh_team.pk).exists()
    # Naming the other city's association in the URL is a 404, nothing built.
    count, before = Team.objects.count(), log_size()
    assert client.post(f"/teams/new/?association={w.lh.number}", data).status_code == 404
    assert Team.objects.count() == count and log_size() == before


def test_group_member_and_seat_pages_ignore_the_owner_fields(w, client_for):
    county = client_for("county_admin", "440105")
    data = {
        "name": "海珠区蓝天救援队",
        "kind": "volunteer_organisation",
        "admitted_on": "2021-03-01",
        "contact_name": "李明",
        "association": w.lh.number,
        "association_id": str(w.lh.pk),
        "status": "withdrawn",
        "left_on": "2023-01-01",
        "is_demo": "on",
    }
    response = county.post(f"/members/{w.hz_member.pk}/edit/", data)
    assert response.status_code == 302, text(response)[:500]
    member = GroupMember.objects.get(pk=w.hz_member.pk)
    assert member.association_id == w.hz.pk and member.status == "active"
    assert member.left_on is None and member.is_demo is False and member.contact_name == "李明"

    city = client_for("city_admin", "440100")
    stored = row(Seat, w.hz_seat.pk)
    data = {
        "representative": "李四",
        "holder": w.sz.number,
        "member": w.lh.number,
        "since": "2000-01-01",
        "until": "2021-01-01",
    }
    assert city.post(f"/seats/{w.hz_seat.pk}/edit/", data).status_code == 302
    now = row(Seat, w.hz_seat.pk)
    assert now["representative"] == "李四"
    assert {k: now[k] for k in ("holder_id", "member_id", "since", "until")} == {
        k: stored[k] for k in ("holder_id", "member_id", "since", "until")
    }


def test_checklist_submit_page_cannot_mark_an_entry_verified(w, client_for):
    client = client_for("county_admin", "440105")
    data = {
        "note": "章程已通过",
        "state": "verified",
        "verified_on": "2021-01-01",
        "decided_by": "1",
        "evidence": io.BytesIO(b""),
    }
    data.pop("evidence")
    response = client.post(f"/associations/{w.hz.number}/checklist/charter/", data)
    assert response.status_code == 302
    entry = ChecklistEntry.objects.get(association=w.hz, item__code="charter")
    assert entry.state == "submitted" and entry.verified_on is None and entry.decided_by is None
    assert Association.objects.get(pk=w.hz.pk).standardized_since is None


# ============================================================== grants: service-level refusals


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("city_admin", "440100"),  # higher role, over its own county
        ("province_admin", "440000"),
        ("national_admin", "000000"),
        ("county_admin", "440303"),  # same role, another city's county
        ("county_admin", "440106"),  # same role, the neighbouring district
        ("viewer", "440303"),  # lowest role, out of scope
        ("auditor", "440100"),  # lowest role, on the city above
        ("viewer", "440303001"),  # a township of another county
    ],
)
def test_a_county_admin_cannot_grant_a_higher_role_or_outside_its_county(w, make_user, role, code):
    county = make_user("county_admin", "440105")
    target = make_user()
    before, grants = log_size(), RoleGrant.objects.count()
    with pytest.raises(PermissionDeniedError) as err:
        role_grant_create(
            actor=county, user=target, role=role, region=Region.objects.get(code=code)
        )
    assert "管辖范围" in err.value.message
    assert RoleGrant.objects.count() == grants and log_size() == before
    # The would-be grantee still reaches nothing of Shenzhen or the city.
    assert not Association.objects.restrict(target, "view").exists()
    # Granting itself more is refused the same way.
    with pytest.raises(PermissionDeniedError):
        role_grant_create(
            actor=county, user=county, role=role, region=Region.objects.get(code=code)
        )


def test_a_county_admin_grants_inside_its_county_but_not_to_itself_above(w, make_user):
    """The refusals above are specific: inside its county, at or below its rank, it may grant."""
    county = make_user("county_admin", "440105")
    target = make_user()
    for role, code in (
        ("viewer", "440105"),
        ("auditor", "440105"),
        ("viewer", "440105001"),
        ("association_staff", "440105"),
    ):
        role_grant_create(
            actor=county, user=target, role=role, region=Region.objects.get(code=code)
        )
    assert RoleGrant.objects.filter(user=target).count() == 4
    assert set(Association.objects.restrict(target, "view")) == {w.hz}


@pytest.mark.parametrize("role", ["viewer", "auditor", "association_staff"])
def test_non_admin_roles_cannot_grant_anything(w, make_user, role):
    actor = make_user(role, "440105")
    target = make_user()
    before = log_size()
    for grant_role in ("viewer", "association_staff", "county_admin"):
        code = "440105"
        with pytest.raises(PermissionDeniedError):
            role_grant_create(
                actor=actor, user=target, role=grant_role, region=Region.objects.get(code=code)
            )
    assert not RoleGrant.objects.filter(user=target).exists() and log_size() == before


# ===================================================== existence oracles in validation messages


def _uscc_problems(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        return " ".join(response.json()["error"]["fields"]["uscc"])
    return text(response)


def test_a_taken_uscc_does_not_name_an_association_outside_scope(w, client_for):
    """The USCC is unique nationally, so entering 罗湖's is refused; the message must not tell
    a Guangzhou cadre whose it is (name, number), only that it is taken elsewhere."""
    client = client_for("county_admin", "440105")
    stored, before = row(Association, w.hz.pk), log_size()
    attempts = [
        _api(client, "patch", f"/api/associations/{w.hz.number}/", {"uscc": LH_USCC}),
        client.post(f"/associations/{w.hz.number}/edit/", {**ASSOCIATION_FORM, "uscc": LH_USCC}),
    ]
    for response in attempts:
        assert response.status_code in (200, 400)
        problems = _uscc_problems(response)
        assert "统一社会信用代码" in problems and "已被" in problems
        assert not shows_shenzhen(unecho(problems, LH_USCC).replace(LH_USCC, ""), w), problems
    _unchanged(Association, w.hz.pk, stored, before)
    # Creating one with it (a city admin in its own patch) is refused the same way.
    city = client_for("city_admin", "440100")
    data = {
        "region": "440111",
        "name": "白云区青年志愿者协会",
        "form": "youth_volunteer_association",
        "established_on": "2020-05-04",
        "registered": True,
        "uscc": LH_USCC,
    }
    response = _api(city, "post", "/api/associations/", data)
    assert response.status_code == 400
    assert not shows_shenzhen(_uscc_problems(response).replace(LH_USCC, ""), w)
    # Inside the caller's scope the owner is named, so a cadre can find the clash.
    response = _api(city, "patch", f"/api/associations/{w.gz.number}/", {"uscc": HZ_USCC})
    assert "海珠区青年志愿者协会" in _uscc_problems(response)


def test_a_ledger_import_does_not_name_the_owner_of_a_uscc_outside_scope(w, client_for):
    client = client_for("county_admin", "440105")
    header = "统一编号,行政区划代码,名称,组织形式,成立日期,登记状态,统一社会信用代码\n"
    line = f"{w.hz.number},440105,海珠区青年志愿者协会,青年志愿者协会,2020-01-01,已登记,{LH_USCC}\n"
    upload = SimpleUploadedFile("台账.csv", (header + line).encode("utf-8-sig"), "text/csv")
    before = log_size()
    response = client.post("/sheets/ledger/import/", {"file": upload})
    assert response.status_code == 302
    sha = re.search(r"/import/([0-9a-f]{64})/", response["Location"]).group(1)
    problems = text(client.get(f"/sheets/ledger/import/{sha}/problems/"))
    assert "统一社会信用代码已被" in problems, problems
    assert not shows_shenzhen(problems.replace(LH_USCC, ""), w), problems
    assert log_size() == before
