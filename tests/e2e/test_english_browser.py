"""In a real Chromium, each demo user switches to English and walks, once, the pages of every
app (tests/e2e/english.py's `walk`): no Chinese may remain in the page's own words — no
ideograph, no full-width punctuation.

- The shell and the older apps (workbench, maps, region pages, ledger, verification, coverage,
  teams, trainings, plans, users, audit, search), with the first object of each list: their
  chrome is read — headings, table headers, labels, buttons, links of the navigation, notices,
  legends, placeholders and titles, and the chart and map legends drawn by ECharts. The
  assessment's and projects' panels on the workbench are read too.
- Projects and competitions: the lists, the project library and its catalogue, the sinking
  pages (with the county map where there is one), pilots, the competition editions, their
  entries, set-up, ranking and judging pages, and the forms opened from them; the two judges
  walk their own tasks and score forms.
- The assessment (its demo, a 2021 round over Guangdong's library, loaded first): the rounds,
  a round with its ranking and tabs, the sheets, the indicator library and its versions, the
  demonstration page and the forms opened from them.
- Trainings, plans and the 工作信息 bulletin: the training lists, a training with its
  attendees, the yearly rule, the plans with their tasks, map, obstacles and responsibilities,
  and the bulletin's preview of the user's own region, read whole (the projects' and the
  assessment's paragraphs included); one province cadre also has an English Word file written
  and reads it.

An app's pages are read beyond their chrome: their sentences too (paragraphs, small print,
table cells, error lines). What is data stays as recorded — region, association, team and
people's names, checklist item titles, notes, the indicators' titles written by the province,
the kinds of obstacle: the test reads every Chinese text the database holds (all character
columns of the platform's tables) and removes those strings from what the page shows; Chinese
that is left is the page's own, untranslated. An app's model names are its own words, not data,
on its pages; the bulletin's derived names (广东 for 广东省, a class without its （第一期）, the
topics of a training one by one) are data on the trainings', plans' and bulletin's pages.

Each check has a self-check: the same pages in Chinese fail it.
"""

from __future__ import annotations

import re

import pytest
from docx import Document

from tests.e2e.english import (
    CHINESE,
    USERS,
    App,
    chrome_problems,
    database_strings,
    english_page,
    leftover_chinese,
    model_names,
    qingxie_json,
    sentence_problems,
    shell_pages,
    walk,
)

pytestmark = pytest.mark.e2e

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

PROJECTS_START = [
    "/projects/",
    "/projects/new/",
    "/projects/library/",
    "/projects/catalogue/",
    "/projects/sinking/",
    "/projects/pilots/",
    "/competitions/",
    "/competitions/new/",
]
ASSESSMENT_START = ["/assessment/", "/assessment/library/", "/assessment/demonstration/"]


def tpr_start(code: str) -> list[str]:
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


@pytest.fixture(scope="module")
def data_strings(assessment_demo):
    """Every Chinese string of the database, the assessment's demo loaded."""
    return database_strings(assessment_demo)


@pytest.fixture(scope="module")
def project_data(data_strings):
    """The database's Chinese, less the projects' model names (those are the app's words)."""
    return data_strings - model_names("projects")


@pytest.fixture(scope="module")
def assessment_data(data_strings):
    """The database's Chinese, less the assessment's model names."""
    return data_strings - model_names("assessment")


@pytest.fixture(scope="module")
def tpr_data(data_strings, server):
    """The database's Chinese and what the bulletin derives from it, less the trainings' and
    plans' model names (the apps' words, even where the change log repeats them)."""
    derived = {d for d in qingxie_json(server, DERIVED_DUMP) if len(d) >= 2}
    return (data_strings | derived) - model_names("trainings", "plans")


def projects_app(data: set[str], start=PROJECTS_START) -> App:
    return App("projects", ("/projects/", "/competitions/"), start, data)


@pytest.mark.parametrize("username", list(USERS))
def test_every_app_keeps_no_chinese_in_english(
    browser, server, data_strings, project_data, assessment_data, tpr_data, username
):
    code = USERS[username]
    apps = [
        projects_app(project_data),
        # Report downloads are files, not pages.
        App(
            "assessment",
            ("/assessment/",),
            ASSESSMENT_START,
            assessment_data,
            re.compile(r"report\.[a-z]+"),
        ),
        # Files (exports, sign-in sheets, downloads) and the action endpoints are not pages.
        App(
            "tpr",
            ("/trainings/", "/plans/", "/reports/"),
            tpr_start(code),
            tpr_data,
            re.compile(r"export|sign-in\.|format=|/act/|\.png"),
        ),
    ]
    page = english_page(browser, server, username)
    assert page.locator("html").get_attribute("lang") == "en"
    found = walk(page, server["url"], username, apps, shell_pages(code), data_strings)
    page.context.close()
    kinds = found.kinds
    assert found.shell_seen >= 12
    # Each user reaches a project, an edition with its ranking and judging pages; the rounds,
    # a round, a sheet and the library; a training, the plans and the bulletin preview.
    for needed in (
        "/projects/N/",
        "/competitions/N/",
        "/competitions/N/ranking/",
        "/competitions/N/judge/",
        "/assessment/",
        "/assessment/rounds/N/",
        "/assessment/sheets/N/",
        "/assessment/library/",
        "/trainings/",
        "/trainings/N/",
        "/plans/",
        "/plans/tasks/",
    ):
        assert needed in kinds, (needed, sorted(kinds))
    assert any(k.startswith("/reports/bulletin/") for k in kinds), sorted(kinds)
    problems = found.problems
    assert not problems, f"{len(problems)} untranslated:\n" + "\n".join(dict.fromkeys(problems))


@pytest.mark.parametrize("username", ["demo-judge1", "demo-judge3"])
def test_the_judges_pages_keep_no_chinese_in_english(browser, server, project_data, username):
    """A judge's own pages: their tasks, each entry's score form (with its criteria), and the
    stand-aside note for an entry from the judge's own region."""
    page = english_page(browser, server, username)
    found = walk(
        page, server["url"], username, [projects_app(project_data, ["/competitions/"])], []
    )
    page.context.close()
    assert "/competitions/N/judge/" in found.kinds, sorted(found.kinds)
    problems = found.problems
    assert not problems, f"{len(problems)} untranslated:\n" + "\n".join(dict.fromkeys(problems))


def test_the_sinking_map_has_english_legends(browser, server, project_data):
    """The province's county map: its legend pieces and tooltips' words in English."""
    page = english_page(browser, server, "demo-gd")
    page.goto(server["url"] + "/projects/sinking/")
    page.wait_for_selector("#region-map[data-ready=true]", timeout=20000)
    legend = page.evaluate(
        """() => echarts.getInstanceByDom(document.querySelector('#region-map'))
             .getOption().visualMap[0].pieces.map(p => p.label)"""
    )
    page.context.close()
    assert legend == ["Reached (a project is running)", "Not reached"]


def test_an_english_cadre_gets_an_english_word_bulletin(browser, server, tpr_data):
    """The job page in English, then a Word file written in English (the names are data)."""
    page = english_page(browser, server, "demo-gd")
    # A date no other test asks for, so the file is written now, through the job page.
    page.goto(server["url"] + "/reports/bulletin/440000/?as_of=2021-06-01")
    page.click("#download-docx")
    page.wait_for_url("**/reports/bulletin/440000/job/*/")
    problems = chrome_problems(page, "job page", tpr_data)
    page.wait_for_selector("#job-download", timeout=90000)
    problems += chrome_problems(page, "job page, done", tpr_data)
    problems += sentence_problems(page, "job page, done", tpr_data)
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
    left = [line for line in lines if leftover_chinese(line, tpr_data)]
    assert not left, left


def test_the_check_sees_chinese_chrome(browser, server, data_strings):
    """Honest: the Chinese page fails the same check, and data alone passes it; full-width
    punctuation around English words fails it too."""
    page = english_page(browser, server, "demo-haizhu")
    # An English page with a full-width bracket and semicolon in a heading fails.
    page.evaluate(
        "() => document.querySelector('h1, h2').insertAdjacentText('beforeend', '（79.0%）；')"
    )
    assert any("（79.0%）；" in p for p in chrome_problems(page, "/", data_strings))
    page.click("footer button[name=language][value=zh-hans]")
    page.wait_for_load_state("networkidle")
    assert chrome_problems(page, "/", data_strings)
    page.context.close()
    assert leftover_chinese("海珠区 Workbench", data_strings) == ""
    assert leftover_chinese("海珠区 工作台", data_strings)
    # Full-width punctuation is Chinese (not data) around English words …
    for chrome in ("Coverage（79.0%）", "Done；", "Targets：3", "a、b", "End。", "「Plan」"):
        assert CHINESE.search(leftover_chinese(chrome, data_strings)), chrome
    # … and data where the database holds it.
    assert (
        leftover_chinese(
            "青年志愿者培训班（第一期） Attendees", data_strings | {"青年志愿者培训班（第一期）"}
        )
        == ""
    )
    assert leftover_chinese("Note: OK！", data_strings | {"OK！"}) == ""
    # A long stored text is data when it is the whole text, not when chrome is added to it.
    note = "这是一段很长的备注，" * 8
    with_note = data_strings | {note}
    assert leftover_chinese(f"  {note}\n", with_note) == ""
    assert leftover_chinese(f"备注：{note}", with_note)
    assert leftover_chinese(f"Note：{note}", with_note)


def test_the_check_sees_chinese_in_the_projects_pages(browser, server, project_data):
    """Honest: the same pages in Chinese fail the check, chrome and sentences both."""
    page = english_page(browser, server, "demo-gd")
    page.click("footer button[name=language][value=zh-hans]")
    page.wait_for_load_state("networkidle")
    page.goto(server["url"] + "/projects/sinking/")
    page.wait_for_load_state("networkidle")
    chrome = chrome_problems(page, "/projects/sinking/", project_data)
    sentences = sentence_problems(page, "/projects/sinking/", project_data)
    page.context.close()
    assert any("<title>" in p for p in chrome), chrome
    assert any("共有县级单位" in p for p in sentences), sentences
    assert any("按下级区划" in p for p in sentences), sentences


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


def test_the_check_sees_chinese_in_the_trainings_plans_and_bulletin_pages(
    browser, server, tpr_data
):
    """Honest: the same pages with the switch back on Chinese fail the check."""
    page = english_page(browser, server, "demo-gz")
    page.click("footer button[name=language][value=zh-hans]")
    page.wait_for_load_state("networkidle")
    found = {}
    for path in ("/trainings/compliance/", "/plans/", "/reports/bulletin/440100/"):
        page.goto(server["url"] + path)
        page.wait_for_load_state("networkidle")
        found[path] = chrome_problems(page, path, tpr_data) + sentence_problems(
            page, path, tpr_data
        )
    page.context.close()
    for path, problems in found.items():
        assert any("<title>" in p for p in problems), (path, problems)
    assert any("工作信息" in p for p in found["/reports/bulletin/440100/"])
