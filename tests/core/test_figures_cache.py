"""Cached figures per region subtree and domain: a write reaches exactly the figures it affects."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from qingxie.core.cache import cached_figures, figures_stamp
from qingxie.core.models import FigureVersion
from qingxie.ledger import coverage, services
from qingxie.ledger.choices import AssociationForm, CoverageMeasure
from qingxie.web.dashboard import dashboard_for

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2024, 6, 30)


def _create(region, code="440105"):
    return services.association_create(
        actor=None,
        region=region(code),
        name=f"{region(code).name}青年志愿者协会",
        form=AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION,
        established_on=datetime.date(2020, 1, 1),
    )


def _counting(region, code):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    path = region(code).path
    return lambda: cached_figures(
        f"t:{code}", compute, path=path, domains=coverage.FIGURE_DOMAINS
    ), calls


def test_a_write_in_haizhu_leaves_sichuan_cached_and_reaches_guangdong_and_nation(region):
    sichuan, sichuan_calls = _counting(region, "510000")
    guangdong, guangdong_calls = _counting(region, "440000")
    nation, nation_calls = _counting(region, "000000")
    for figure in (sichuan, guangdong, nation):
        figure()
        figure()
    assert sichuan_calls == guangdong_calls == nation_calls == [1]
    _create(region)
    sichuan(), guangdong(), nation()
    assert len(sichuan_calls) == 1  # still valid: not recomputed
    assert len(guangdong_calls) == 2 and len(nation_calls) == 2


def test_the_workbench_shows_a_haizhu_write_at_once_for_guangdong_and_the_nation(region, make_user):
    user = make_user(is_superuser=True)
    before = {
        c: dashboard_for(user, region(c), TODAY).node.established for c in ("440000", "000000")
    }
    _create(region)
    after = {
        c: dashboard_for(user, region(c), TODAY).node.established for c in ("440000", "000000")
    }
    assert after == {c: n + 1 for c, n in before.items()}


def test_a_province_target_reaches_its_counties_figures(region, make_user):
    user = make_user(is_superuser=True)
    county = region("440105")
    first = dashboard_for(user, county, TODAY).report
    (established,) = [r for r in first if r["measure"] == CoverageMeasure.ESTABLISHED]
    assert {t["set_by"] for t in established["targets"]} == {"000000"}
    services.coverage_target_set(
        actor=None,
        region=region("440000"),
        measure=CoverageMeasure.ESTABLISHED,
        due_on=datetime.date(2023, 12, 31),
        rate=100,
    )
    report = dashboard_for(user, county, TODAY).report
    (established,) = [r for r in report if r["measure"] == CoverageMeasure.ESTABLISHED]
    assert {t["set_by"] for t in established["targets"]} == {"440000"}


def test_no_row_is_bumped_by_every_write(region):
    _create(region, "440105")
    _create(region, "510104")
    rows = dict(FigureVersion.objects.filter(domain="ledger").values_list("path", "counter"))
    assert set(rows) == {region("440105").path, region("510104").path}
    assert "000000/" not in rows


def test_a_rolled_back_savepoint_does_not_stop_the_next_bump(region):
    from django.db import transaction

    stamp = figures_stamp(region("440000").path, coverage.FIGURE_DOMAINS)
    with pytest.raises(RuntimeError), transaction.atomic():
        _create(region)
        raise RuntimeError
    assert figures_stamp(region("440000").path, coverage.FIGURE_DOMAINS) == stamp
    _create(region)
    assert figures_stamp(region("440000").path, coverage.FIGURE_DOMAINS) != stamp


def test_a_request_reads_the_counters_once_and_again_after_its_own_write(
    region, django_assert_num_queries
):
    """Inside a request every figure of a region shares one read of the counters; a write in
    the request is seen by the figures read after it, and the next request reads afresh."""
    from qingxie.core import cache

    path = region("440105").path
    # What the request_started / request_finished receivers do (sending the signals would
    # also close the test's database connection).
    cache.request_started()
    try:
        with django_assert_num_queries(1):
            first = figures_stamp(path, coverage.FIGURE_DOMAINS)
            assert figures_stamp(path, ("trainings", "ledger")) != first
            assert figures_stamp(path, coverage.FIGURE_DOMAINS) == first
        _create(region)
        assert figures_stamp(path, coverage.FIGURE_DOMAINS) != first
    finally:
        cache.request_finished()
    # Outside a request nothing is remembered: each read asks the database.
    with django_assert_num_queries(2):
        figures_stamp(path, coverage.FIGURE_DOMAINS)
        figures_stamp(path, coverage.FIGURE_DOMAINS)


def test_threads_asking_for_one_cold_figure_compute_it_once():
    """After a write every worker thread finds the same figure cold: the first computes it and
    the others wait for its value (four threads once each spent over a second computing the
    national workbench's figures at the same time)."""
    import threading
    import time

    calls = []
    started = threading.Event()

    def compute():
        calls.append(1)
        started.set()
        time.sleep(0.2)
        return "几个数字"

    results = []

    def ask():
        results.append(cached_figures("t:stampede", compute, stamp="stampede-test"))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    threads[0].start()
    started.wait(5)
    for t in threads[1:]:
        t.start()
    for t in threads:
        t.join(5)
    assert results == ["几个数字"] * 4
    assert len(calls) == 1


def test_a_figure_cleared_or_recomputed_in_another_process_is_read_again(region):
    """The process keeps the values it read only while the cache holds the same one: once the
    cache is cleared, or another worker sharing it stores a new value, that one is used."""
    from django.core.cache import cache

    figure, calls = _counting(region, "440000")
    assert figure() == figure() == 1
    cache.clear()
    assert figure() == 2

    # Another worker recomputes the figure under the same stamp (as after a cull there).
    stamp = figures_stamp(region("440000").path, coverage.FIGURE_DOMAINS)
    full = f"qingxie:fig:{stamp}:t:440000:{translation.get_language() or ''}"
    assert cache.get(full) is not None
    cache.set(full + ":v", 7)
    cache.set(full, "another-token")
    assert figure() == 7
    assert calls == [1, 1]
