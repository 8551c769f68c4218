"""Sinking figures (逐级下沉) equal a brute-force count on any date."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qingxie.projects import selectors
from qingxie.projects.models import Project
from qingxie.regions.models import Region
from tests.projects.conftest import association, project

pytestmark = pytest.mark.django_db

COUNTIES = ["440103", "440104", "440105", "440106", "440111", "440303", "440304", "440402"]


def brute(region, as_of):
    counties = [
        r
        for r in Region.objects.filter(level=3, path__startswith=region.path)
        if (r.valid_from is None or r.valid_from <= as_of)
        and (r.valid_to is None or r.valid_to > as_of)
    ]
    out = {}
    for programme_code in ("guanai", "yangguang"):
        hit = set()
        for p in Project.objects.select_related("programme__parent", "region__parent"):
            if p.status == "draft" or p.start_on > as_of or (p.end_on and p.end_on < as_of):
                continue
            codes = {p.programme.code} | (
                {p.programme.parent.code} if p.programme and p.programme.parent else set()
            )
            if programme_code not in codes:
                continue
            served = p.region if p.region.level == 3 else p.region.parent
            if served.level == 3 and served in counties:
                hit.add(served.code)
        out[programme_code] = hit
    return counties, out


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(COUNTIES),
            st.sampled_from(["guanai", "yangguang", "zhaoyang"]),
            st.sampled_from(["draft", "running", "paused", "finished"]),
            st.integers(0, 700),
            st.one_of(st.none(), st.integers(0, 400)),
            st.booleans(),
        ),
        max_size=10,
    ),
    st.integers(0, 900),
    st.sampled_from(["440000", "440100", "440300"]),
)
def test_sinking_equals_brute_force(gd, rows, day, region_code):
    from qingxie.projects import services
    from qingxie.projects.models import Programme

    Project.objects.all().delete()
    zhaoyang = Programme.objects.filter(code="zhaoyang").first() or services.programme_create(
        actor=None,
        code="zhaoyang",
        name="朝阳行动",
        region=Region.objects.get(code="440000"),
        parent=gd.guanai,
    )
    owners = {}
    base = datetime.date(2020, 1, 1)
    for code, programme, status, start, length, township in rows:
        owner = owners.get(code)
        if owner is None:
            from qingxie.ledger.models import Association

            owner = Association.objects.filter(region__code=code).first() or association(
                code, f"{code}青协"
            )
            owners[code] = owner
        county = Region.objects.get(code=code)
        served = (
            county.children.order_by("code").first()
            if township and county.children.exists()
            else county
        )
        project(
            owner,
            programme={"guanai": gd.guanai, "yangguang": gd.yangguang, "zhaoyang": zhaoyang}[
                programme
            ],
            region=served,
            status=status,
            start_on=base + datetime.timedelta(days=start),
            end_on=None if length is None else base + datetime.timedelta(days=start + length),
        )
    region = Region.objects.get(code=region_code)
    as_of = base + datetime.timedelta(days=day)
    figures = selectors.sinking(region, as_of)
    counties, expected = brute(region, as_of)
    assert figures["counties"] == len(counties)
    by_code = {p["programme"]: p for p in figures["programmes"]}
    for code in ("guanai", "yangguang"):
        assert set(by_code[code]["counties"]) == expected[code]
        assert by_code[code]["counties_counted"] == len(expected[code])
        assert sum(c["counted"] for c in by_code[code]["children"]) == len(expected[code])
