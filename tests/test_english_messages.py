"""Messages written in Python (services, validators, the review workflow, the API's errors)
read in English when the user chose English, and none is left as a bare Chinese literal."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import translation

from qingxie.accounts.services import role_grant_create
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.jobs import job_enqueue, job_handler
from qingxie.core.review import ReviewState, review_submit, review_verify
from qingxie.core.validators import date_problem, phone_problem, uscc_problem
from qingxie.ledger import services as ledger_services
from qingxie.ledger.models import ChecklistEntry, ChecklistItem
from qingxie.ledger.numbering import number_normalize
from qingxie.regions.models import Region
from qingxie.regions.selectors import region_by_code
from qingxie.teams.services import team_create, team_dissolve

D = dt.date
SRC = Path(__file__).resolve().parent.parent / "src" / "qingxie"
# Chinese characters and the full-width punctuation that comes with them.
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def english(text) -> str:
    """`text` as shown, asserted free of Chinese."""
    text = str(text)
    assert text and not CJK.search(text), text
    return text


def refusal(call, *args, **kwargs) -> str:
    """The message of the QingxieError `call` raises, read in English."""
    with translation.override("en"), pytest.raises(QingxieError) as excinfo:
        call(*args, **kwargs)
    return english(excinfo.value.message)


# ------------------------------------------------------------------ validators


def test_identifier_and_date_validators_speak_english():
    with translation.override("en"):
        assert "check character" in english(uscc_problem("91440105MA59A1B2C1"))
        assert "18 characters" in english(uscc_problem("9144"))
        assert "phone number" in english(phone_problem("12345"))
        assert "later than today" in english(
            date_problem(D(2999, 1, 1), "Founded on", today=D(2020, 1, 1))
        )
    with translation.override("zh-hans"):
        assert "校验位" in uscc_problem("91440105MA59A1B2C1")


def test_a_bad_association_number_is_refused_in_english():
    assert "unified number" in refusal(number_normalize, "440105-3-01")


@pytest.mark.django_db
def test_an_unknown_region_code_is_refused_in_english():
    assert "999999" in refusal(region_by_code, "999999")
    assert "region code" in refusal(region_by_code, "")


# ------------------------------------------------------------------ services


@pytest.fixture
def jinjiang(region, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return ledger_services.association_create(
        actor=None,
        region=region("510104"),
        name="锦江区青年志愿者协会",
        form="youth_volunteer_association",
        established_on=D(2019, 1, 1),
    )


@pytest.mark.django_db
def test_a_refused_review_transition_reads_in_english(jinjiang, make_user):
    county, city = make_user("county_admin", "510104"), make_user("city_admin", "510100")
    spec = ledger_services.CHECKLIST_REVIEW
    entry = ChecklistEntry(association=jinjiang, item=ChecklistItem.objects.get(code="charter"))
    assert "note" in refusal(review_submit, spec=spec, actor=county, obj=entry)
    entry = review_submit(spec=spec, actor=county, obj=entry, note="已完成")
    entry = review_verify(spec=spec, actor=city, obj=entry, on=D(2021, 3, 1))
    assert entry.state == ReviewState.VERIFIED
    message = refusal(review_verify, spec=spec, actor=city, obj=entry)
    assert "Verified" in message
    # The stored history stays Chinese whatever the language of the request.
    with translation.override("zh-hans"), pytest.raises(QingxieError) as excinfo:
        review_verify(spec=spec, actor=city, obj=entry)
    assert "核验" in excinfo.value.message


@pytest.mark.django_db
def test_the_level_above_refusal_reads_in_english_but_for_the_names(jinjiang, make_user):
    county = make_user("county_admin", "510104")
    spec = ledger_services.CHECKLIST_REVIEW
    entry = ChecklistEntry(association=jinjiang, item=ChecklistItem.objects.get(code="charter"))
    entry = review_submit(spec=spec, actor=county, obj=entry, note="已完成")
    with translation.override("en"), pytest.raises(PermissionDeniedError) as excinfo:
        review_verify(spec=spec, actor=county, obj=entry)
    # The region and association names are data and stay as entered.
    words = CJK.sub("", excinfo.value.message)
    assert words.startswith("Only administrators of the level above") and "verify" in words


@pytest.mark.django_db
def test_a_ledger_service_refusal_reads_in_english(jinjiang, region):
    message = refusal(
        ledger_services.association_resume, actor=None, association=jinjiang, on=D(2021, 1, 1)
    )
    assert "suspended" in message
    message = refusal(
        ledger_services.association_create,
        actor=None,
        region=region("510100"),
        name="",
        form="nope",
        established_on=None,
    )
    assert "Please enter the association's name" in message


@pytest.mark.django_db
def test_a_team_service_refusal_reads_in_english(jinjiang, region):
    team = team_create(
        actor=None,
        association=jinjiang,
        name="锦江区青年志愿服务队",
        category="township",
        township=Region.objects.filter(parent=jinjiang.region).first(),
        founded_on=D(2020, 1, 1),
        member_count=10,
    )
    team_dissolve(actor=None, team=team, on=D(2021, 1, 1))
    assert "already dissolved" in refusal(team_dissolve, actor=None, team=team, on=D(2021, 2, 1))
    message = refusal(team_create, actor=None, association=jinjiang, name="", category="x")
    assert "team's name" in message


@pytest.mark.django_db
def test_an_account_service_refusal_reads_in_english(make_user, region):
    county, other = make_user("county_admin", "510104"), make_user()
    message = refusal(
        role_grant_create, actor=county, user=other, role="province_admin", region=region("510000")
    )
    assert "no higher than your own" in message
    message = refusal(
        role_grant_create, actor=None, user=other, role="nope", region=region("510000")
    )
    assert "Unknown role" in message


@pytest.mark.django_db
def test_a_scope_refusal_reads_in_english(jinjiang, make_user):
    outsider = make_user("county_admin", "440105")
    message = refusal(
        ledger_services.association_suspend, actor=outsider, association=jinjiang, on=D(2021, 1, 1)
    )
    assert message.startswith("You may not change this association's status")


# ------------------------------------------------------------------ the API


@pytest.fixture
def english_api(client_for):
    def make(role, code):
        client = client_for(role, code)
        client.cookies["django_language"] = "en"
        return client

    yield make
    # The middleware leaves the chosen language active in this thread: do not leak it.
    translation.deactivate()


@pytest.mark.django_db
def test_the_api_error_bodies_read_in_english(english_api):
    client = english_api("county_admin", "440105")
    not_found = client.get("/api/regions/999999/")
    assert not_found.status_code == 404
    assert "999999" in english(not_found.json()["error"]["message"])
    bad = client.get("/api/coverage/", {"depth": "9"})
    assert bad.status_code == 400
    english(bad.json()["error"]["message"])
    assert "depth" in english(bad.json()["error"]["fields"]["depth"][0])
    bad = client.get("/api/coverage/", {"region": "\x00"})
    assert bad.status_code == 400
    assert "NUL" in english(bad.json()["error"]["message"])
    refused = client.post(
        "/api/checklist-items/", {"code": "x", "title": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403
    english(refused.json()["error"]["message"])
    # The same request without the cookie answers in Chinese.
    chinese = english_api("county_admin", "440105")
    chinese.cookies.pop("django_language")
    assert CJK.search(chinese.get("/api/regions/999999/").json()["error"]["message"])


# ------------------------------------------------------------------ no bare Chinese


#: The apps whose Python messages are translated (each other app keeps its own test).
APPS = (
    "core",
    "ledger",
    "teams",
    "accounts",
    "regions",
    "web",
    "ops",
    "trainings",
    "plans",
    "reports",
)
#: Operator-facing modules (command line, backup and restore, key configuration, demo data
#: checks), which may stay Chinese.
OPERATOR_ONLY = ("management", "migrations", "backup.py", "crypto.py", "demo.py", "sealed.py")
TRANSLATORS = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    # A job's stored message: written in Chinese, shown in the reader's language by
    # core.stored (docs/i18n.md, "Stored texts stay Chinese").
    "gettext_noop",
}


def _name(func) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _bare_chinese(node) -> list[ast.Constant]:
    """The Chinese string literals under `node` that no translation call wraps."""
    if isinstance(node, ast.Call) and _name(node.func) in TRANSLATORS:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value):
        return [node]
    return [found for child in ast.iter_child_nodes(node) for found in _bare_chinese(child)]


def _is_user_message(node) -> ast.AST | None:
    """The part of `node` a user reads: what is raised, a ValidationError, a page message."""
    if isinstance(node, ast.Raise):
        return node.exc
    if isinstance(node, ast.Call):
        func = node.func
        if _name(func) == "ValidationError":
            return node
        if isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "messages":
            return node
    return None


def test_no_message_in_these_apps_is_a_bare_chinese_literal():
    bare = []
    for app in APPS:
        for path in sorted((SRC / app).rglob("*.py")):
            if any(part in OPERATOR_ONLY for part in path.relative_to(SRC).parts):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                message = _is_user_message(node)
                if message is not None:
                    bare += [
                        f"{path.relative_to(SRC)}:{c.lineno}: {c.value[:40]}"
                        for c in _bare_chinese(message)
                    ]
    assert not bare, "wrap these in gettext:\n" + "\n".join(bare)


def test_fixed_change_log_notes_are_stored_chinese_and_shown_in_english():
    from qingxie.web.templatetags.history_tags import readable_note

    with translation.override("en"):
        assert readable_note("邀请新用户") == "New user invited"
        shown = readable_note("导入文件“a.xlsx”（SHA-256 " + "0123abcd" * 8 + "）")
        assert "file check code 0123abcd" in shown
        assert readable_note("锦江区青年志愿者协会") == "锦江区青年志愿者协会"  # data stays
    assert readable_note("邀请新用户") == "邀请新用户"


@job_handler("tests.english.language", in_owner_language=True)
def _speaks(job, progress):
    return {"language": translation.get_language()}


@job_handler("tests.english.stores")
def _stores(job, progress):
    return {"language": translation.get_language()}


@pytest.mark.django_db
def test_a_job_runs_in_chinese_unless_its_handler_speaks_the_owners_language(settings, make_user):
    settings.QINGXIE_JOBS_SYNC = True
    user = make_user()
    with translation.override("en"):
        speaks = job_enqueue(kind="tests.english.language", owner=user)
        stores = job_enqueue(kind="tests.english.stores", owner=user)
    assert speaks.result == {"language": "en"}
    assert stores.result == {"language": "zh-hans"}
