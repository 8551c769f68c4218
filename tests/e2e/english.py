"""What the English browser tests share: signing in in English, reading a page's own words (its
chrome and its sentences), telling them from the data the database holds, and one walk over the
pages of every app.

A page's own words must hold no Chinese: no ideograph, and no full-width punctuation either
(（79.0%）； around English words is as Chinese as a word is). What the database holds stays as
recorded — names, notes, titles — so every such string is removed from what the page shows
before the check; Chinese that is left is the page's own, untranslated.

The walk (`walk`) opens, for one user, each page of the shell (`shell_pages`) and the start pages
of the apps given, and follows each app page's links inside its app, once per kind of page (the
same path with other ids or the same query keys counts once). Each page is read once, and
checked as each app that owns it asks: the shell's pages for their chrome against all the data,
an app's pages for chrome and sentences against the data as that app counts it (less its own
model names, plus what its documents derive from the data).
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import ARTIFACTS, DEMO_PASSWORD

USERS = {"demo": "000000", "demo-gd": "440000", "demo-gz": "440100", "demo-haizhu": "440105"}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: Ideographs and the punctuation of Chinese text: the CJK symbols block (、。「」《》【】 and
#: the ideographic space), the full-width forms (（）；，：！？ and full-width letters and
#: digits, half-width 「」、 included) and the vertical and small forms.
CHINESE = re.compile(
    r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff65\ufe10-\ufe19\ufe30-\ufe6b]"
)

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

#: The sentences of a page (beyond the chrome): whole paragraphs, small print, cells, errors.
SENTENCES_JS = """() => {
  const out = [];
  const main = document.querySelector('main') || document.body;
  for (const el of main.querySelectorAll('p, small, td, li, .error, h1, h2, h3')) {
    // Words marked Chinese on purpose (the language switch), not the page's own language.
    const marked = el.closest('[lang="zh-Hans"]');
    if ((marked && marked !== document.documentElement) || el.closest('footer')) continue;
    const text = el.textContent;
    if (text && text.trim()) out.push([el.tagName.toLowerCase(), text.trim()]);
  }
  return out;
}"""

#: Every Chinese string the database holds in a character column: that is data, not chrome.
#: (Chinese as CHINESE reads it: a stored "OK！" is data too.)
DATA_DUMP = """
import json, re, sys
from django.apps import apps
from django.db import models
cjk = re.compile(CHINESE_PATTERN)
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
""".replace("CHINESE_PATTERN", repr(CHINESE.pattern))


def qingxie_json(server, code: str):
    """What a `qingxie shell` script prints as JSON, run on the server's installation."""
    out = subprocess.run(
        [sys.executable, "-m", "qingxie", "shell", "--no-imports", "-c", code],
        env=server["env"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    return json.loads(out)


def database_strings(server) -> set[str]:
    """Every Chinese string of the server's database (two characters or more)."""
    # The search page repeats what was searched for.
    return {s for s in qingxie_json(server, DATA_DUMP) if len(s) >= 2} | {"广州"}


@pytest.fixture(scope="module")
def data_strings(server) -> set[str]:
    """Every Chinese string of the server's database, read once per module."""
    return database_strings(server)


def model_names(*labels: str) -> set[str]:
    """The Chinese verbose names of the apps' models: the apps' own words, not data (even where
    the change log stores them)."""
    from django.apps import apps
    from django.utils import translation

    with translation.override("zh-hans"):
        return {
            str(name)
            for label in labels
            for model in apps.get_app_config(label).get_models()
            for name in (model._meta.verbose_name, model._meta.verbose_name_plural)
        }


#: Per data set: its strings longer than the span `leftover_chinese` looks for (whitespace
#: folded), and the answers given so far (the same names recur on every page and user).
_LONG: dict[int, tuple[set[str], set[str], dict[str, str]]] = {}


def _of(data: set[str]) -> tuple[set[str], dict[str, str]]:
    cached = _LONG.get(id(data))
    if cached is None or cached[0] is not data:
        cached = (data, {" ".join(s.split()) for s in data if len(s) > 60}, {})
        _LONG[id(data)] = cached
    return cached[1], cached[2]


def leftover_chinese(text: str, data: set[str]) -> str:
    """`text` with every data string in it removed (longest first); "" when only data was
    Chinese (ideographs and full-width punctuation both).

    Data strings are looked for up to 60 characters long; a longer one (a stored note or
    description) counts when it is the whole text, whitespace aside."""
    long, answers = _of(data)
    if text in answers:
        return answers[text]
    if " ".join(text.split()) in long:
        answers[text] = ""
        return ""
    spans = []
    n = len(text)
    i = 0
    while i < n:
        if not CHINESE.match(text[i]):
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
    answers[text] = rest if CHINESE.search(rest) else ""
    return answers[text]


def english_page(browser, server, username: str):
    """A page signed in as `username` after choosing English on the sign-in page."""
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


def _problems(path: str, pairs, data: set[str]) -> list[str]:
    return [
        f"{path} <{where}> {' '.join(text.split())[:120]}"
        for where, text in pairs
        if leftover_chinese(text, data)
    ]


def chrome_problems(page, path: str, data: set[str]) -> list[str]:
    page.wait_for_load_state("networkidle")
    return _problems(path, page.evaluate(CHROME_JS), data)


def sentence_problems(page, path: str, data: set[str]) -> list[str]:
    return _problems(path, page.evaluate(SENTENCES_JS), data)


def page_kind(url: str) -> str:
    """The kind of page a URL opens: its path with ids replaced, and its query's keys."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+/", "/N/", parts.path)
    path = re.sub(r"/\d+/", "/N/", path)
    keys = sorted({k for k, _ in parse_qsl(parts.query)})
    return path + ("?" + "&".join(keys) if keys else "")


def shell_pages(code: str) -> list[str]:
    """The shell's and the older apps' main pages for a user of region `code`."""
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


#: The first object page of each shell list, opened from the list itself.
DETAIL_LINKS = {
    "/associations/": "table a[href^='/associations/']",
    "/teams/": "table a[href^='/teams/']",
    "/trainings/": "table a[href^='/trainings/']",
    "/plans/": "table a[href^='/plans/']",
    "/users/": "table a[href^='/users/']",
}


@dataclass
class App:
    """An app whose pages the walk follows: where its pages live, which of their links are
    files or actions rather than pages, and the data its pages may show."""

    name: str
    prefixes: tuple[str, ...]
    start: list[str]
    data: set[str]
    #: Links that are not pages (downloads, exports, action endpoints).
    not_pages: re.Pattern | None = None
    links_js: str = field(init=False)

    def __post_init__(self):
        prefixes = " || ".join(f"h.startsWith('{p}')" for p in (*self.prefixes, "?"))
        self.links_js = (
            "() => [...document.querySelectorAll('main a[href], .subnav a[href], a.btn[href]')]"
            f".map(a => a.getAttribute('href')).filter(h => {prefixes})"
        )

    def owns(self, path: str) -> bool:
        return path.startswith(self.prefixes)

    def links(self, page, here: str) -> list[str]:
        out = []
        for link in page.evaluate(self.links_js):
            if self.not_pages and self.not_pages.search(link):
                continue
            out.append(here + link if link.startswith("?") else link)
        return out


@dataclass
class Walk:
    """What a walk found: the problems, the kinds of page asked for, and how many shell pages
    opened."""

    problems: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    shell_seen: int = 0


#: The kinds of page shot so far in this run: one full-page shot of each kind is kept (by the
#: first user to open it), not one per user (they cost more than reading the page).
_SHOT: set[str] = set()


def _shoot(page, name: str, kind: str) -> None:
    if kind in _SHOT:
        return
    shot = re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-") or "workbench"
    # A nationwide page can be too tall to shoot in time; the check has read it already, and
    # the next user (a smaller region) shoots it instead.
    with contextlib.suppress(PlaywrightTimeout):
        path = ARTIFACTS / f"english-{name}-{shot}.png"
        page.screenshot(path=str(path), full_page=True, timeout=10_000)
        _SHOT.add(kind)


def _settle(page) -> None:
    page.wait_for_load_state("networkidle")
    if page.locator("#region-map").count():
        page.wait_for_selector("#region-map[data-ready]", timeout=20000)
    if page.locator("#bulletin-preview").count():
        assert page.locator("#bulletin-preview").get_attribute("lang") == "en"


def walk(page, base: str, name: str, apps: list[App], shell: list[str], shell_data=None) -> Walk:
    """Open the shell pages (with the first object of each list) and the apps' start pages,
    and follow the apps' links, each kind of page once; see the module's docstring."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found = Walk()
    shell_kinds = {page_kind(h) for h in shell}
    queue = list(dict.fromkeys([*shell, *(h for app in apps for h in app.start)]))
    while queue:
        href = queue.pop(0)
        kind = page_kind(href)
        if kind in found.kinds:
            continue
        found.kinds.add(kind)
        response = page.goto(base + href)
        if response.status in (403, 404):  # not every user may open every page
            continue
        assert response.ok, f"{href}: {response.status}"
        if href in shell:
            found.shell_seen += 1
        _settle(page)
        path = urlsplit(href).path
        owners = [app for app in apps if app.owns(path)]
        chrome = page.evaluate(CHROME_JS) if owners or kind in shell_kinds else []
        if kind in shell_kinds:
            found.problems += _problems(href, chrome, shell_data)
        if owners:
            sentences = page.evaluate(SENTENCES_JS)
            for app in owners:
                found.problems += _problems(href, chrome, app.data)
                found.problems += _problems(href, sentences, app.data)
        _shoot(page, name, kind)
        ahead = []
        if href in DETAIL_LINKS:
            link = page.locator(DETAIL_LINKS[href]).first
            if link.count():
                detail = link.get_attribute("href")
                shell_kinds.add(page_kind(detail))
                ahead.append(detail)
        for app in owners:
            queue += [t for t in app.links(page, path) if page_kind(t) not in found.kinds]
        queue[:0] = ahead
    return found
