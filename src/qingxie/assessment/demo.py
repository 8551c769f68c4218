"""The assessment's demo data: a 2021 round over the demo ledger, self-assessments for a share of
counties at every stage of the review, tiers, and Guangdong's four 示范 associations in the library.

Loaded once after the demo ledger (`qingxie assessment demo`); deterministic (fixed seed).
The round's data cut-off is 2021-12-31, its self-assessment, review and appeal windows stay
open from the day the demo is loaded, so a cadre can try every step.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from qingxie.assessment import scoring, services
from qingxie.assessment.choices import CandidateState, IndicatorKind, ScoringRule, SupportKind
from qingxie.assessment.models import Candidate, DemoQuota, LibraryEntry, Round, Sheet, Value
from qingxie.core.review import ReviewState
from qingxie.ledger.models import Association
from qingxie.regions.models import ROOT_CODE, Region

SEED = 2021
YEAR = 2021
CUT_OFF = datetime.date(2021, 12, 31)
#: Guangdong's four county associations in the 示范性志愿服务组织库 (bulletin 2021 no. 5:
#: “化州市义工联合会等 4 个县级协会入选示范性志愿服务组织库，并通过公益创投提供资金扶持”).
GD_LIBRARY = ("440982", "440104", "440105", "440306")
GD_ENTERED = datetime.date(2021, 4, 30)
GD_VENTURE = {"440982": 100000, "440104": 80000, "440105": 80000, "440306": 60000}
#: Reviewed at expiry (2024-04-30) and kept for another term; 宝安 still awaits its review.
GD_RENEWED = ("440982", "440104", "440105")
GD_REVIEWED = datetime.date(2024, 4, 30)
#: The e2e flow: 海珠区 has filled all but one manual indicator and not yet submitted.
OPEN_FOR_E2E = "440105"
UNFILLED_FOR_E2E = "activities"
#: Shares of the counties at each stage (the rest have not started).
STAGES = (("confirmed", 0.35), ("verified", 0.10), ("submitted", 0.10), ("filled", 0.10))


def demo_assessment_load() -> str:
    """Load the demo assessment once; return a one-line summary."""
    if Round.objects.filter(year=YEAR, region__code=ROOT_CODE).exists():
        return "演示评估已存在，未重复载入。"
    if not Association.objects.filter(is_demo=True).exists():
        return "尚未载入演示台账，未载入演示评估。"
    with transaction.atomic():
        return _load()


def _load() -> str:
    version = services.version_create_default(actor=None)
    today = timezone.localdate()
    rnd = services.round_open(
        actor=None,
        region=Region.objects.get(code=ROOT_CODE),
        year=YEAR,
        indicator_version=version,
        cut_off=CUT_OFF,
        self_until=today + datetime.timedelta(days=60),
        review_until=today + datetime.timedelta(days=90),
        appeal_until=today + datetime.timedelta(days=120),
        name="2021年度全国县级青年志愿者协会建设评估",
    )
    result = services.round_compute(round_id=rnd.pk)
    stages = _self_assessments(rnd)
    _library()
    return (
        f"演示评估：{rnd.name}，{result['sheets']} 个县级协会；"
        f"已确认 {stages['confirmed']}、已审核 {stages['verified']}、待审核 {stages['submitted']}；"
        f"示范库 {LibraryEntry.objects.filter(is_demo=True).count()} 个。"
    )


def _evidence_name() -> str:
    name = "assessment/demo/演示佐证材料.pdf"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(b"%PDF-1.4\n% demo evidence\n"))
    return name


def _fill(rng: random.Random, values: list[Value], evidence: str, skip: str = "") -> None:
    """Fill the manual values in memory: better-run counties (a higher share of the computed
    points) tend to report better grades."""
    computed = [v for v in values if v.indicator.kind == IndicatorKind.COMPUTED]
    got = sum(v.points for v in computed)
    top = sum(v.indicator.weight for v in computed) or 1
    strength = float(got / top)
    for v in values:
        ind = v.indicator
        if ind.kind != IndicatorKind.MANUAL or ind.code == skip:
            continue
        if ind.rule == ScoringRule.ABC:
            roll = rng.random() * 0.6 + strength * 0.6
            v.grade = "A" if roll > 0.85 else "B" if roll > 0.55 else "C" if roll > 0.3 else "D"
            v.value = None
        else:
            v.value = Decimal(int(rng.random() * 20 + strength * 20))
        v.points = scoring.points(ind.rule, ind.params, ind.weight, v.value, v.grade)
        v.filled = True
        v.note = "演示数据"
        if ind.evidence_required:
            v.evidence = evidence


STATE_FIELDS = ("state", "note", "submitted_at", "verified_on", "decided_at", "confirmed_on")


def _self_assessments(rnd: Round) -> dict:
    """Self-assessments for a share of the counties, at every stage of the review. Written
    directly in bulk (the demo's own data, marked as such), not step by step."""
    rng = random.Random(SEED)
    evidence = _evidence_name()
    now = timezone.now()
    counts = {"confirmed": 0, "verified": 0, "submitted": 0, "filled": 0}
    by_sheet: dict[int, list[Value]] = {}
    for value in Value.objects.filter(sheet__round=rnd).select_related("indicator__dimension"):
        by_sheet.setdefault(value.sheet_id, []).append(value)
    touched, rewritten = [], []
    for sheet in rnd.sheets.select_related("region").order_by("region_path", "id"):
        sheet.round = rnd
        values = by_sheet.get(sheet.pk, [])
        if sheet.region.code == OPEN_FOR_E2E:
            stage = "partial"
        else:
            roll, stage = rng.random(), None
            for name, share in STAGES:
                if roll < share:
                    stage = name
                    break
                roll -= share
        if stage is None:
            continue
        _fill(rng, values, evidence, skip=UNFILLED_FOR_E2E if stage == "partial" else "")
        rewritten += [v for v in values if v.indicator.kind == IndicatorKind.MANUAL]
        if stage not in ("filled", "partial"):
            sheet.state = ReviewState.SUBMITTED
            sheet.note = "已完成自评（演示）"
            sheet.submitted_at = now
        if stage in ("verified", "confirmed"):
            sheet.state = ReviewState.VERIFIED
            sheet.verified_on = datetime.date(2022, 3, 15)
            sheet.decided_at = now
        if stage == "confirmed":
            sheet.confirmed_on = datetime.date(2022, 3, 31)
        if stage in counts:
            counts[stage] += 1
        services._score(sheet, values)
        touched.append(sheet)
    # The filled manual values replace the empty ones in two statements per chunk.
    for start in range(0, len(rewritten), 2000):
        chunk = rewritten[start : start + 2000]
        Value.objects.filter(pk__in=[v.pk for v in chunk]).delete()
        for v in chunk:
            v.pk = None
        Value.objects.bulk_create(chunk)
    services.save_scores(touched, extra=STATE_FIELDS)
    return counts


def _library() -> None:
    guangdong = Region.objects.get(code="440000")
    DemoQuota.objects.get_or_create(region=guangdong, year=YEAR, defaults={"quota": 4})
    for code in GD_LIBRARY:
        association = Association.objects.filter(
            region__code=code, is_demo=True, level=Region.Level.COUNTY
        ).first()
        if association is None:
            continue
        sheet = Sheet.objects.filter(association=association, round__year=YEAR).first()
        Candidate.objects.get_or_create(
            association=association,
            year=YEAR,
            defaults={
                "sheet": sheet,
                "state": CandidateState.SELECTED,
                "note": "广东省遴选（2021年第5期工作信息）",
                "decided_on": GD_ENTERED,
            },
        )
        entry = services.library_add(
            actor=None,
            association=association,
            year=YEAR,
            entered_on=GD_ENTERED,
            is_demo=True,
        )
        if code in GD_RENEWED:
            services.library_renew(actor=None, entry=entry, on=GD_REVIEWED)
        services.support_add(
            actor=None,
            entry=entry,
            kind=SupportKind.VENTURE,
            amount=GD_VENTURE[code],
            given_on=datetime.date(2021, 6, 30),
            note="广东省青年志愿服务公益创投资金（演示金额）",
        )
