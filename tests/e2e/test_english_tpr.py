"""In a real Chromium, each demo user switches to English and walks the trainings, plans and
bulletin pages they can reach: the training lists, a training with its attendees, the yearly
rule, the plans with their tasks, map, obstacles and responsibilities, and the 工作信息
bulletin's preview of their own region. No Chinese may remain in the page's own words; what
the database holds (names, notes, checklist titles, the kinds of obstacle) is data.

The walk follows the links of each page inside /trainings/, /plans/ and /reports/, once per
kind of page (tests/e2e/test_english_projects.py's `page_kind`). Besides the chrome that
tests/e2e/test_english_browser.py reads, the sentences are read too (paragraphs, small print,
table cells, error lines), and the bulletin preview is read whole, the paragraphs other apps
add to it (the projects' and the assessment's) included. One province cadre also has an English Word file written and reads it.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import urlsplit

import pytest
from docx import Document
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_english_browser import (  # noqa: F401 - data_strings is a fixture
    USERS,
    chrome_problems,
    data_strings,
    english_page,
    leftover_chinese,
)
from tests.e2e.test_english_projects import page_kind, sentence_problems

pytestmark = pytest.mark.e2e

#: The links a page offers inside these apps; files (exports, sign-in sheets, downloads) and
#: the action endpoints are not pages.
LINKS_JS = """() => [...document.querySelectorAll('main a[href], .subnav a[href], a.btn[href]')]
  .map(a => a.getAttribute('href'))
  .filter(h => (h.startsWith('/trainings/') || h.startsWith('/plans/')
                || h.startsWith('/reports/') || h.startsWith('?'))
               && !/export|sign-in\\.|format=|\\/act\\/|\\.png/.test(h))"""


def start_pages(code: str) -> list[str]:
    return [
        "/trainings/",
        "/trainings/new/",
        "/trainings/compliance/",
        "/plans/",
        "/plans/tasks/",
        "/plans/map/",
        "/plans/blockers/",
        "/plans/responsibility/",
        "/plans/generate/",
        "/plans/notifications/",
        f"/reports/bulletin/{code}/?as_of=2021-05-06",
    ]


#: What the bulletin writes from the data: the short names of provinces and cities (广东 for
#: 广东省, as the seed bulletin does), a class's name without its （第一期）, the topics of a
#: training one by one.
DERIVED_DUMP = """
import json, sys
from qingxie.regions.models import Region
from qingxie.reports.bulletin import short_name
from qingxie.trainings.bulletin import class_name, topics_of
from qingxie.trainings.models import Training
found = {short_name(r) for r in Region.objects.filter(level__lte=2).select_related("parent")}
for t in Training.objects.all():
    found.add(class_name([t.title]))
    found.update(topics_of([t], limit=100))
json.dump(sorted(found), sys.stdout, ensure_ascii=False)
"""


@pytest.fixture(scope="module")
def app_data(data_strings, server):  # noqa: F811 - the imported fixture
    """The database's Chinese and what the bulletin derives from it, less these apps' own
    model names (those are the apps' words, even where the change log repeats them)."""
    import json
    import subprocess
    import sys

    from django.apps import apps
    from django.utils import translation

    derived = subprocess.run(
        [sys.executable, "-m", "qingxie", "shell", "--no-imports", "-c", DERIVED_DUMP],
        env=server["env"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout

    with translation.override("zh-hans"):
        names = {
            str(name)
            for label in ("trainings", "plans")
            for model in apps.get_app_config(label).get_models()
            for name in (model._meta.verbose_name, model._meta.verbose_name_plural)
        }
    return (data_strings | {d for d in json.loads(derived) if len(d) >= 2}) - names


def walk(page, base: str, data: set[str], start: list[str], name: str) -> tuple[list, set]:
    """Open each start page and every page linked from them inside the three apps, once per
    kind; the problems found and the kinds of page seen."""
    queue = list(start)
    seen_kinds: set[str] = set()
    problems: list[str] = []
    while queue:
        href = queue.pop(0)
        kind = page_kind(href)
        if kind in seen_kinds:
            continue
        seen_kinds.add(kind)
        response = page.goto(base + href)
        if response.status in (403, 404):  # not every user may open every page
            continue
        assert response.ok, f"{href}: {response.status}"
        page.wait_for_load_state("networkidle")
        if page.locator("#region-map").count():
            page.wait_for_selector("#region-map[data-ready]", timeout=20000)
        if page.locator("#bulletin-preview").count():
            assert page.locator("#bulletin-preview").get_attribute("lang") == "en"
        problems += chrome_problems(page, href, data)
        problems += sentence_problems(page, href, data)
        shot = re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")
        # A nationwide page can be too tall to shoot in time; the check has read it already.
        with contextlib.suppress(PlaywrightTimeout):
            page.screenshot(path=str(ARTIFACTS / f"english-tpr-{name}-{shot}.png"), full_page=True)
        here = urlsplit(href).path
        for link in page.evaluate(LINKS_JS):
            target = here + link if link.startswith("?") else link
            if page_kind(target) not in seen_kinds:
                queue.append(target)
    return problems, seen_kinds


@pytest.mark.parametrize("username", list(USERS))
def test_the_trainings_plans_and_bulletin_pages_keep_no_chinese_in_english(
    browser, server, app_data, username
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = english_page(browser, server, username)
    assert page.locator("html").get_attribute("lang") == "en"
    problems, kinds = walk(page, server["url"], app_data, start_pages(USERS[username]), username)
    page.context.close()
    # Each user reaches the lists, a training, the plans and the bulletin preview.
    for needed in ("/trainings/", "/trainings/N/", "/plans/", "/plans/tasks/"):
        assert needed in kinds, sorted(kinds)
    assert any(k.startswith("/reports/bulletin/") for k in kinds), sorted(kinds)
    assert not problems, f"{len(problems)} untranslated:\n" + "\n".join(dict.fromkeys(problems))


def test_an_english_cadre_gets_an_english_word_bulletin(browser, server, app_data):
    """The job page in English, then a Word file written in English (the names are data)."""
    page = english_page(browser, server, "demo-gd")
    # A date no other test asks for, so the file is written now, through the job page.
    page.goto(server["url"] + "/reports/bulletin/440000/?as_of=2021-06-01")
    page.click("#download-docx")
    page.wait_for_url("**/reports/bulletin/440000/job/*/")
    problems = chrome_problems(page, "job page", app_data)
    page.wait_for_selector("#job-download", timeout=90000)
    problems += chrome_problems(page, "job page, done", app_data)
    problems += sentence_problems(page, "job page, done", app_data)
    with page.expect_download() as info:
        page.click("#job-download")
    download = info.value
    doc = Document(download.path())
    page.context.close()
    assert not problems, problems
    assert download.suggested_filename == "广东省 work bulletin (2021-06-01).docx"
    lines = [p.text for p in doc.paragraphs] + [
        c.text for t in doc.tables for row in t.rows for c in row.cells
    ]
    text = "\n".join(lines)
    assert "广东 Volunteer Work Bulletin" in text and "Overview" in text
    assert "As of 1 June 2021, " in text
    # Only data is Chinese, the other apps' sections (projects, assessment) included.
    left = [line for line in lines if leftover_chinese(line, app_data)]
    assert not left, left


def test_the_check_sees_chinese_in_these_pages(browser, server, app_data):
    """Honest: the same pages with the switch back on Chinese fail the check."""
    page = english_page(browser, server, "demo-gz")
    page.click("footer button[name=language][value=zh-hans]")
    page.wait_for_load_state("networkidle")
    found = {}
    for path in ("/trainings/compliance/", "/plans/", "/reports/bulletin/440100/"):
        page.goto(server["url"] + path)
        page.wait_for_load_state("networkidle")
        found[path] = chrome_problems(page, path, app_data) + sentence_problems(
            page, path, app_data
        )
    page.context.close()
    for path, problems in found.items():
        assert any("<title>" in p for p in problems), (path, problems)
    assert any("工作信息" in p for p in found["/reports/bulletin/440100/"])
