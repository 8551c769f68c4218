"""In a real Chromium, each demo user switches to English and walks the main pages of the shell
and the older apps (workbench, maps, region pages, ledger, verification, coverage, teams,
trainings, plans, users, audit, search): no Chinese may remain in the page's own words.

What is data stays as recorded — region, association, team and people's names, checklist item
titles, notes. To tell the two apart the test reads every Chinese text the database holds (all
character columns of the platform's tables) and removes those strings from what the page shows;
Chinese that is left is the page's own chrome, untranslated. Only the chrome is read: headings,
table headers, labels, buttons, links of the navigation, notices, legends, placeholders and
titles, and the chart and map legends drawn by ECharts (their option's legend and series names).
The assessment's and projects' panels on the workbench are read too (their apps keep their own
catalogues).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.e2e.conftest import ARTIFACTS, DEMO_PASSWORD

pytestmark = pytest.mark.e2e

USERS = {"demo": "000000", "demo-gd": "440000", "demo-gz": "440100", "demo-haizhu": "440105"}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

#: The chrome of a page, as (where, text) pairs. Data cells (td) are read only through their
#: buttons, links of actions and badges; the language switch is named in its own language.
CHROME_JS = """() => {
  const skip = '[lang="zh-Hans"]';
  const out = [];
  const sel = 'h1, h2, h3, h4, th, label, button, legend, summary, caption, dt, .btn, '
    + '.topbar nav a, .breadcrumbs, .notice, .messages li, .badge, .pill, .card-title, '
    + '.card-label, footer, p.muted, .help, .helptext, .errorlist li, option';
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest(skip)) continue;
    if (el.closest('td') && !el.matches('button, .btn, .badge, .pill, label')) continue;
    const copy = el.cloneNode(true);
    copy.querySelectorAll(skip).forEach(n => n.remove());
    const text = copy.textContent;
    if (text && text.trim()) out.push([el.tagName.toLowerCase(), text.trim()]);
  }
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label]')) {
    if (el.closest(skip)) continue;
    for (const a of ['placeholder', 'title', 'aria-label']) {
      const v = el.getAttribute(a);
      if (v) out.push(['@' + a, v]);
    }
  }
  out.push(['title', document.title]);
  if (window.echarts) {
    for (const dom of document.querySelectorAll('[_echarts_instance_]')) {
      const chart = echarts.getInstanceByDom(dom);
      if (!chart) continue;
      const opt = chart.getOption();
      for (const l of opt.legend || []) for (const d of l.data || []) {
        out.push(['legend', typeof d === 'string' ? d : d.name]);
      }
      for (const v of opt.visualMap || []) for (const p of v.pieces || []) {
        if (p.label) out.push(['legend', p.label]);
      }
      for (const s of opt.series || []) if (s.name) out.push(['series', String(s.name)]);
      for (const t of opt.title || []) if (t.text) out.push(['chart title', t.text]);
    }
  }
  return out;
}"""

#: Every Chinese string the database holds in a character column: that is data, not chrome.
DATA_DUMP = """
import json, re, sys
from django.apps import apps
from django.db import models
cjk = re.compile(r"[\\u3400-\\u9fff]")
found = set()
for model in apps.get_models():
    if model._meta.app_label in {"admin", "auth", "contenttypes", "sessions", "axes"}:
        continue
    fields = [f.attname for f in model._meta.concrete_fields
              if isinstance(f, (models.CharField, models.TextField, models.FileField))
              and not f.__class__.__name__.startswith("Encrypted")]
    for row in model.objects.values_list(*fields) if fields else ():
        for value in row:
            if isinstance(value, str) and cjk.search(value):
                found.add(value.strip())
                # An uploaded file is shown by its name (its path is the storage's).
                found.add(value.rsplit("/", 1)[-1].strip())
json.dump(sorted(found), sys.stdout, ensure_ascii=False)
"""


@pytest.fixture(scope="module")
def data_strings(server):
    out = subprocess.run(
        [sys.executable, "-m", "qingxie", "shell", "--no-imports", "-c", DATA_DUMP],
        env=server["env"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    # The search page repeats what was searched for.
    return {s for s in json.loads(out) if len(s) >= 2} | {"广州"}


#: Data strings longer than the span `leftover_chinese` looks for, whitespace folded, per set.
_LONG: dict[int, tuple[set[str], set[str]]] = {}


def _long_data(data: set[str]) -> set[str]:
    cached = _LONG.get(id(data))
    if cached is None or cached[0] is not data:
        cached = (data, {" ".join(s.split()) for s in data if len(s) > 60})
        _LONG[id(data)] = cached
    return cached[1]


def leftover_chinese(text: str, data: set[str]) -> str:
    """`text` with every data string in it removed (longest first); "" when only data was Chinese.

    Data strings are looked for up to 60 characters long; a longer one (a stored note or
    description) counts when it is the whole text, whitespace aside."""
    if " ".join(text.split()) in _long_data(data):
        return ""
    spans = []
    n = len(text)
    i = 0
    while i < n:
        if not CJK.match(text[i]):
            i += 1
            continue
        # The longest data string starting at or just before i that covers text[i].
        best = None
        for start in range(max(0, i - 30), i + 1):
            for end in range(min(n, start + 60), i, -1):
                if end - start >= 2 and text[start:end] in data:
                    best = (start, end) if best is None or end > best[1] else best
                    break
        if best:
            spans.append(best)
            i = best[1]
        else:
            i += 1
    chars = list(text)
    for start, end in spans:
        for k in range(start, end):
            chars[k] = " "
    rest = "".join(chars)
    return rest if CJK.search(rest) else ""


def main_pages(code: str) -> list[str]:
    return [
        "/",
        "/map/",
        "/regions/" if code == "000000" else f"/regions/{code}/",
        "/associations/",
        "/associations/new/",
        f"/coverage/{code}/",
        "/verification/",
        "/targets/",
        "/teams/",
        "/teams/new/",
        "/trainings/",
        "/trainings/compliance/",
        "/plans/",
        "/plans/tasks/",
        "/plans/map/",
        "/plans/blockers/",
        "/plans/responsibility/",
        "/users/",
        "/users/me/password/",
        "/audit/",
        "/search/?q=广州",
    ]


#: The first object page of each list, opened from the list itself.
DETAIL_LINKS = {
    "/associations/": "table a[href^='/associations/']",
    "/teams/": "table a[href^='/teams/']",
    "/trainings/": "table a[href^='/trainings/']",
    "/plans/": "table a[href^='/plans/']",
    "/users/": "table a[href^='/users/']",
}


def english_page(browser, server, username: str):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    page.goto(server["url"] + "/accounts/login/")
    page.click("footer button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def chrome_problems(page, path: str, data: set[str]) -> list[str]:
    page.wait_for_load_state("networkidle")
    problems = []
    for where, text in page.evaluate(CHROME_JS):
        rest = leftover_chinese(text, data)
        if rest:
            problems.append(f"{path} <{where}> {' '.join(text.split())[:120]}")
    return problems


@pytest.mark.parametrize("username", list(USERS))
def test_english_pages_keep_no_chinese_chrome(browser, server, data_strings, username):
    page = english_page(browser, server, username)
    assert page.locator("html").get_attribute("lang") == "en"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    seen = 0
    for path in main_pages(USERS[username]):
        response = page.goto(server["url"] + path)
        if response.status in (403, 404):  # not every user may open every page
            continue
        assert response.ok, f"{path}: {response.status}"
        seen += 1
        problems += chrome_problems(page, path, data_strings)
        name = path.strip("/").replace("/", "-").replace("?q=", "-") or "workbench"
        page.screenshot(path=str(ARTIFACTS / f"english-{username}-{name}.png"), full_page=True)
        if path in DETAIL_LINKS:
            link = page.locator(DETAIL_LINKS[path]).first
            if link.count():
                href = link.get_attribute("href")
                page.goto(server["url"] + href)
                problems += chrome_problems(page, href, data_strings)
    page.context.close()
    assert seen >= 12
    assert not problems, f"{len(problems)} untranslated:\n" + "\n".join(dict.fromkeys(problems))


def test_the_check_sees_chinese_chrome(browser, server, data_strings):
    """Honest: the Chinese page fails the same check, and data alone passes it."""
    page = english_page(browser, server, "demo-haizhu")
    page.click("footer button[name=language][value=zh-hans]")
    page.wait_for_load_state("networkidle")
    assert chrome_problems(page, "/", data_strings)
    assert leftover_chinese("海珠区 Workbench", data_strings) == ""
    assert leftover_chinese("海珠区 工作台", data_strings)
    # A long stored text is data when it is the whole text, not when chrome is added to it.
    note = "这是一段很长的备注，" * 8
    with_note = data_strings | {note}
    assert leftover_chinese(f"  {note}\n", with_note) == ""
    assert leftover_chinese(f"备注：{note}", with_note)
    page.context.close()
