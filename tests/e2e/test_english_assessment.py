"""In a real Chromium, each demo user switches to English and walks every assessment page they
can reach from /assessment/: the rounds, a round with its ranking and tabs, the sheets, the
indicator library and its versions, the demonstration page and the forms opened from them. No
Chinese may remain in the page's own words; what the database holds (names, notes, the
indicators' titles written by the province) is data.

The walk follows the links of each page inside /assessment/, once per kind of page (the same
path with other ids or the same query keys counts once), and reads the chrome that
tests/e2e/test_english_browser.py reads and the sentences of the page (paragraphs, small print,
table cells, error lines). The assessment's demo (a 2021 round over Guangdong's library) is
loaded first, as tests/e2e/test_assessment_browser.py does.
"""

from __future__ import annotations

import re
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_english_browser import (  # noqa: F401 - data_strings is a fixture
    USERS,
    chrome_problems,
    data_strings,
    english_page,
    leftover_chinese,
)
from tests.e2e.test_english_projects import SENTENCES_JS, page_kind

pytestmark = pytest.mark.e2e

START = ["/assessment/", "/assessment/library/", "/assessment/demonstration/"]

#: The links a page offers inside the assessment (report downloads are files, not pages).
LINKS_JS = """() => [...document.querySelectorAll('main a[href], .subnav a[href], a.btn[href]')]
  .map(a => a.getAttribute('href'))
  .filter(h => (h.startsWith('/assessment/') || h.startsWith('?'))
               && !/report\\.[a-z]+/.test(h))"""


@pytest.fixture(scope="module")
def assessment_demo(server):
    """The assessment's demo on the server's database (the same command as the browser test)."""
    done = subprocess.run(
        [sys.executable, "-m", "qingxie", "assessment", "demo"],
        env=server["env"],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    assert "演示评估" in done.stdout
    return server


@pytest.fixture(scope="module")
def assessment_data(assessment_demo, data_strings):  # noqa: F811 - the imported fixture
    """The database's Chinese once the demo is loaded, less the assessment's model names."""
    from django.apps import apps
    from django.utils import translation

    with translation.override("zh-hans"):
        names = {
            str(name)
            for model in apps.get_app_config("assessment").get_models()
            for name in (model._meta.verbose_name, model._meta.verbose_name_plural)
        }
    return data_strings - names


def sentence_problems(page, path: str, data: set[str]) -> list[str]:
    problems = []
    for where, text in page.evaluate(SENTENCES_JS):
        if leftover_chinese(text, data):
            problems.append(f"{path} <{where}> {' '.join(text.split())[:120]}")
    return problems


def walk(page, base: str, data: set[str], name: str) -> tuple[list, set]:
    """Open each start page and every assessment page linked from them, once per kind."""
    queue = list(START)
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
        problems += chrome_problems(page, href, data)
        problems += sentence_problems(page, href, data)
        shot = re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")
        page.screenshot(path=str(ARTIFACTS / f"english-{name}-{shot}.png"), full_page=True)
        here = urlsplit(href).path
        for link in page.evaluate(LINKS_JS):
            target = here + link if link.startswith("?") else link
            if page_kind(target) not in seen_kinds:
                queue.append(target)
    return problems, seen_kinds


@pytest.mark.parametrize("username", list(USERS))
def test_the_assessment_pages_keep_no_chinese_in_english(
    browser, server, assessment_data, username
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = english_page(browser, server, username)
    assert page.locator("html").get_attribute("lang") == "en"
    problems, kinds = walk(page, server["url"], assessment_data, username)
    page.context.close()
    # Each user reaches the rounds, a round, a sheet and the library.
    for needed in ("/assessment/", "/assessment/rounds/N/", "/assessment/sheets/N/"):
        assert needed in kinds, sorted(kinds)
    assert "/assessment/library/" in kinds
    assert not problems, f"{len(problems)} untranslated:\n" + "\n".join(dict.fromkeys(problems))


def test_the_check_sees_chinese_in_the_assessment_pages(browser, server, assessment_data):
    """Honest: the same pages in Chinese fail the check, chrome and sentences both."""
    page = english_page(browser, server, "demo-gz")
    page.click("footer button[name=language][value=zh-hans]")
    page.wait_for_load_state("networkidle")
    page.goto(server["url"] + "/assessment/")
    page.click("#rounds a")
    page.wait_for_load_state("networkidle")
    chrome = chrome_problems(page, "round", assessment_data)
    sentences = sentence_problems(page, "round", assessment_data)
    page.context.close()
    assert any("<title>" in p for p in chrome), chrome
    # Headings and sentences too (table headings may all be words the change log stores).
    assert any("<h2>" in p or "<p>" in p for p in chrome + sentences), chrome + sentences
