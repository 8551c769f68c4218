"""The page frame's account link, and the notice job progress pages show when no worker runs."""

from __future__ import annotations

import datetime

import lxml.html
import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from qingxie.core.jobs import Job

pytestmark = pytest.mark.django_db

STOPPED = "后台任务进程未运行，任务正在排队等待；请联系运维人员。"


def test_the_username_in_the_header_links_to_the_users_own_account_page(client_for):
    page = lxml.html.fromstring(client_for("city_admin", "440100").get("/search/").content)
    (link,) = page.xpath("//header//div[@class='userbox']/a[@class='username']")
    assert link.get("href") == "/users/me/password/"


def test_each_user_has_the_navigation_of_their_own_roles_and_region(client_for):
    """The navigation's HTML is kept per set of links and home region, never per first
    visitor: a county cadre after a provincial administrator (and in English) sees their own."""

    def nav(client, language="zh-hans"):
        client.cookies["django_language"] = language
        page = lxml.html.fromstring(client.get("/search/").content)
        return {a.get("id"): a.get("href") for a in page.xpath("//nav[@class='mainnav']/a")}

    province, county = client_for("province_admin", "440000"), client_for("county_admin", "440105")
    assert nav(province)["nav-bulletin"] == "/reports/bulletin/440000/"
    assert "nav-api" in nav(province)
    assert nav(county)["nav-bulletin"] == "/reports/bulletin/440105/"
    assert "nav-api" not in nav(county)
    county.cookies["django_language"] = "en"
    english = lxml.html.fromstring(county.get("/search/").content)
    assert english.xpath("//a[@id='nav-home']/text()") == ["Workbench"]
    county.cookies["django_language"] = "zh-hans"
    chinese = lxml.html.fromstring(county.get("/search/").content)
    assert chinese.xpath("//a[@id='nav-home']/text()") == ["工作台"]


def _bulletin_job(user, state=Job.State.QUEUED) -> Job:
    from qingxie.reports import jobs

    payload = {"region": "440100", "as_of": "2021-05-06", "fmt": "docx"}
    return Job.objects.create(kind=jobs.JOB_KIND, owner=user, payload=payload, state=state)


def _worker_fired(minutes_ago: int) -> None:
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="qingxie:core.jobs_reap",
        defaults={
            "func": "qingxie.core.jobs.periodic_run",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "next_run": timezone.now() - datetime.timedelta(minutes=minutes_ago),
        },
    )


def test_a_queued_job_says_plainly_that_the_worker_is_stopped(make_user, settings):
    settings.QINGXIE_JOBS_SYNC = False
    user = make_user("city_admin", "440100")
    from django.test import Client

    client = Client()
    client.force_login(user)
    job = _bulletin_job(user)
    url = f"/reports/bulletin/440100/job/{job.pk}/"

    # No worker ever fired the reaper schedule: the job waits and the page says why.
    page = client.get(url).content.decode()
    assert STOPPED in page and 'id="job-worker-stopped"' in page
    assert STOPPED in client.get(url + "status/").content.decode()

    _worker_fired(minutes_ago=10)  # a worker that went silent long ago
    assert STOPPED in client.get(url).content.decode()

    _worker_fired(minutes_ago=0)  # a live worker: the job merely waits its turn
    page = client.get(url).content.decode()
    assert STOPPED not in page and "排队等待" in page


def test_no_notice_for_a_running_or_finished_job_or_jobs_run_inline(make_user, settings):
    settings.QINGXIE_JOBS_SYNC = False
    user = make_user("city_admin", "440100")
    for state in (Job.State.RUNNING, Job.State.FAILED):
        job = _bulletin_job(user, state)
        assert STOPPED not in render_to_string("web/_job_waiting.html", {"job": job})
    # The import pages pass their job as a dict.
    assert STOPPED in render_to_string("web/_job_waiting.html", {"job": {"state": "queued"}})
    settings.QINGXIE_JOBS_SYNC = True
    assert STOPPED not in render_to_string("web/_job_waiting.html", {"job": {"state": "queued"}})


def test_the_footer_names_the_newest_division_data_loaded(client_for):
    from qingxie.regions.models import DivisionDataset

    client = client_for("county_admin", "440105")

    def footer() -> str:
        page = lxml.html.fromstring(client.get("/search/").content)
        return " ".join(page.xpath("//footer")[0].text_content().split())

    DivisionDataset.objects.all().delete()
    assert "行政区划数据截至 （未载入）" in footer()
    DivisionDataset.objects.create(
        source="民政部", data_as_of=datetime.date(2023, 12, 31), sha256="0" * 64, item_count=1
    )
    DivisionDataset.objects.create(
        source="民政部", data_as_of=datetime.date(2024, 6, 30), sha256="1" * 64, item_count=1
    )
    assert "行政区划数据截至 2024年6月30日" in footer()
