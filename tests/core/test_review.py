"""The one review workflow (core.review), exercised through the standardization checklist's
spec: every transition, every refusal, the dated history, the queue, and both modes."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qingxie.core.changelog import changes_for
from qingxie.core.context import change_context
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.models import AppendOnlyError, subtree_q
from qingxie.core.review import (
    DIRECT_ABOVE,
    ReviewDecision,
    ReviewState,
    may_decide,
    may_record,
    review_history,
    review_queue,
    review_record,
    review_return,
    review_revoke,
    review_submit,
    review_verify,
)
from qingxie.ledger import services
from qingxie.ledger.models import ChecklistEntry, ChecklistItem

pytestmark = pytest.mark.django_db

D = dt.date
SPEC = services.CHECKLIST_REVIEW


@pytest.fixture
def jinjiang(region, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return services.association_create(
        actor=None,
        region=region("510104"),
        name="锦江区青年志愿者协会",
        form="youth_volunteer_association",
        established_on=D(2019, 1, 1),
    )


@pytest.fixture
def people(make_user):
    return {
        "county": make_user("county_admin", "510104"),
        "city": make_user("city_admin", "510100"),
        "province": make_user("province_admin", "510000"),
        "other_city": make_user("city_admin", "510300"),
        "other_province": make_user("province_admin", "440000"),
    }


def _new_entry(association, code="charter") -> ChecklistEntry:
    return ChecklistEntry(association=association, item=ChecklistItem.objects.get(code=code))


def _submitted(association, actor, code="charter") -> ChecklistEntry:
    return review_submit(spec=SPEC, actor=actor, obj=_new_entry(association, code), note="已完成")


def _age(entry, days: int) -> ChecklistEntry:
    """The entry as if it had been submitted `days` ago and not decided since."""
    ChecklistEntry.objects.filter(pk=entry.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=days)
    )
    return ChecklistEntry.objects.get(pk=entry.pk)


def test_submit_verify_history_and_change_log(jinjiang, people):
    evidence = SimpleUploadedFile("章程.pdf", b"%PDF-1.4 charter")
    entry = review_submit(
        spec=SPEC,
        actor=people["county"],
        obj=_new_entry(jinjiang),
        note="章程已通过",
        evidence=evidence,
    )
    assert entry.state == ReviewState.SUBMITTED and entry.submitted_by == people["county"]
    with change_context(user=people["city"], channel="web"):
        entry = review_verify(spec=SPEC, actor=people["city"], obj=entry, on=D(2021, 3, 1))
    assert entry.state == ReviewState.VERIFIED and entry.verified_on == D(2021, 3, 1)
    assert entry.decided_by == people["city"]

    submit, verify = review_history(entry)
    assert (submit.action, submit.user, submit.note) == ("submit", people["county"], "章程已通过")
    assert submit.evidence.endswith(".pdf") and submit.state_after == "submitted"
    assert (verify.action, verify.user, verify.on) == ("verify", people["city"], D(2021, 3, 1))
    assert (verify.state_before, verify.state_after) == ("submitted", "verified")
    # The region path of the object and of its decider are on the row itself.
    assert verify.scope_path == jinjiang.region.path
    assert verify.deciding_path == jinjiang.region.parent.path
    chengdu = ReviewDecision.objects.filter(subtree_q("scope_path", "000000/510000/510100/"))
    assert chengdu.count() == 2
    assert not ReviewDecision.objects.filter(subtree_q("scope_path", "000000/440000/")).exists()
    # Each step is also in the change log, attributed and with before/after.
    last = changes_for(entry).first()
    assert last.user == people["city"] and last.after["state"] == "verified"
    assert last.before["state"] == "submitted"


def test_return_needs_a_reason_then_resubmission(jinjiang, people):
    entry = _submitted(jinjiang, people["county"])
    with pytest.raises(QingxieError) as excinfo:
        review_return(spec=SPEC, actor=people["city"], obj=entry, reason="  ")
    assert excinfo.value.field == "reason" and excinfo.value.message == "请填写退回原因。"
    entry.refresh_from_db()
    assert entry.state == ReviewState.SUBMITTED
    entry = review_return(spec=SPEC, actor=people["city"], obj=entry, reason="缺少会员大会决议")
    assert entry.state == ReviewState.RETURNED and entry.return_reason == "缺少会员大会决议"
    entry = review_submit(spec=SPEC, actor=people["county"], obj=entry, note="已补充决议")
    assert entry.state == ReviewState.SUBMITTED and entry.return_reason == ""
    actions = [(d.action, d.reason) for d in review_history(entry)]
    assert actions == [("submit", ""), ("return", "缺少会员大会决议"), ("submit", "")]


def test_revoke_needs_a_reason_and_a_date_not_before_the_verification(jinjiang, people):
    entry = _submitted(jinjiang, people["county"])
    entry = review_verify(spec=SPEC, actor=people["city"], obj=entry, on=D(2021, 3, 1))
    with pytest.raises(QingxieError, match="请填写撤销核验的原因"):
        review_revoke(spec=SPEC, actor=people["city"], obj=entry, reason="")
    with pytest.raises(QingxieError, match="撤销日期不能早于核验日期"):
        review_revoke(spec=SPEC, actor=people["city"], obj=entry, reason="过期", on=D(2021, 1, 1))
    entry = review_revoke(
        spec=SPEC, actor=people["city"], obj=entry, reason="章程过期", on=D(2022, 1, 1)
    )
    assert entry.state == ReviewState.RETURNED and entry.verified_on is None
    revoke = review_history(entry).last()
    assert (revoke.action, revoke.reason, revoke.on) == ("revoke", "章程过期", D(2022, 1, 1))
    assert [d.action for d in review_history(entry)] == ["submit", "verify", "revoke"]


def test_each_transition_refuses_the_wrong_state(jinjiang, people):
    city = people["city"]
    entry = _submitted(jinjiang, people["county"])
    with pytest.raises(QingxieError, match="只能撤销已核验的事项"):
        review_revoke(spec=SPEC, actor=city, obj=entry, reason="x")
    entry = review_return(spec=SPEC, actor=city, obj=entry, reason="补充")
    with pytest.raises(QingxieError, match="只能核验“待核验”的材料，该事项现为“已退回”"):
        review_verify(spec=SPEC, actor=city, obj=entry)
    with pytest.raises(QingxieError, match="只能退回“待核验”的材料"):
        review_return(spec=SPEC, actor=city, obj=entry, reason="再退")
    entry = review_submit(spec=SPEC, actor=people["county"], obj=entry, note="补充")
    entry = review_verify(spec=SPEC, actor=city, obj=entry)
    with pytest.raises(QingxieError, match="已核验通过"):
        review_submit(spec=SPEC, actor=people["county"], obj=entry, note="再交")
    with pytest.raises(QingxieError, match="请填写情况说明或上传佐证材料"):
        review_submit(spec=SPEC, actor=people["county"], obj=_new_entry(jinjiang, "governance"))
    assert [d.action for d in review_history(entry)] == ["submit", "return", "submit", "verify"]


def test_only_the_level_above_decides_and_a_refusal_names_it(jinjiang, people):
    entry = _submitted(jinjiang, people["county"])
    for who in ("county", "other_city", "province", "other_province"):
        with pytest.raises(PermissionDeniedError) as excinfo:
            review_verify(spec=SPEC, actor=people[who], obj=entry)
        assert (
            excinfo.value.message
            == "只有上一级（成都市）的管理员可以核验锦江区青年志愿者协会的材料。"
        )
        with pytest.raises(PermissionDeniedError):
            review_return(spec=SPEC, actor=people[who], obj=entry, reason="x")
    entry.refresh_from_db()
    assert entry.state == ReviewState.SUBMITTED
    assert [d.action for d in review_history(entry)] == ["submit"]


def test_the_queue_goes_to_the_direct_level_first_then_above_once_it_has_waited(jinjiang, people):
    entry = _submitted(jinjiang, people["county"])
    assert list(review_queue(people["city"], SPEC)) == [entry]
    for who in ("county", "province", "other_city", "other_province"):
        assert list(review_queue(people[who], SPEC)) == [], who
    # After CHECKLIST_ESCALATE_AFTER undecided, the province may act; the city still may.
    waited = SPEC.escalate_after.days
    entry = _age(entry, waited - 1)
    assert not may_decide(people["province"], entry)
    entry = _age(entry, waited + 1)
    assert may_decide(people["province"], entry) and may_decide(people["city"], entry)
    assert list(review_queue(people["province"], SPEC)) == [entry]
    assert list(review_queue(people["city"], SPEC)) == [entry]
    assert list(review_queue(people["other_province"], SPEC)) == []
    entry = review_verify(spec=SPEC, actor=people["province"], obj=entry, on=D(2021, 5, 1))
    assert review_history(entry).last().user == people["province"]
    assert list(review_queue(people["city"], SPEC)) == []
    # The province may revoke its own decision; a decision of the city stays the city's.
    entry = review_revoke(spec=SPEC, actor=people["province"], obj=entry, reason="材料有误")
    other = _submitted(jinjiang, people["county"], code="governance")
    other = review_verify(spec=SPEC, actor=people["city"], obj=other)
    with pytest.raises(PermissionDeniedError):
        review_revoke(spec=SPEC, actor=people["province"], obj=other, reason="x")


def test_direct_above_mode_never_lets_a_higher_level_act(jinjiang, people):
    direct = dataclasses.replace(SPEC, mode=DIRECT_ABOVE)
    entry = _age(_submitted(jinjiang, people["county"]), 400)
    assert not may_decide(people["province"], entry, direct)
    assert not may_record(people["province"], entry, direct)
    assert list(review_queue(people["province"], direct)) == []
    with pytest.raises(PermissionDeniedError):
        review_verify(spec=direct, actor=people["province"], obj=entry)
    assert may_decide(people["city"], entry, direct)


def test_recording_a_decision_taken_elsewhere_is_for_any_level_above(jinjiang, people):
    entries = [_new_entry(jinjiang, code) for code in ("charter", "governance")]
    with pytest.raises(PermissionDeniedError):
        review_record(spec=SPEC, actor=people["county"], objs=entries, on=D(2021, 1, 1))
    assert not ReviewDecision.objects.exists()
    done = review_record(
        spec=SPEC, actor=people["province"], objs=entries, on=D(2021, 1, 1), note="按认定日期录入"
    )
    assert [e.state for e in done] == [ReviewState.VERIFIED] * 2
    rows = ReviewDecision.objects.filter(action="record")
    assert {(r.user, r.on, r.state_after) for r in rows} == {
        (people["province"], D(2021, 1, 1), "verified")
    }


def test_the_history_is_append_only(jinjiang, people):
    decision = review_history(_submitted(jinjiang, people["county"])).get()
    with pytest.raises(AppendOnlyError):
        ReviewDecision.objects.update(note="改写")
    with pytest.raises(AppendOnlyError):
        ReviewDecision.objects.all().delete()
    decision.note = "改写"
    with pytest.raises(AppendOnlyError):
        decision.save()
    with pytest.raises(AppendOnlyError):
        decision.delete()
