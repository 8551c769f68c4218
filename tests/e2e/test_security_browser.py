"""In a real Chromium, with the Content-Security-Policy qingxie sends: the main pages draw their
maps and charts, the import page runs its htmx job, and the browser reports no CSP violation."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

# Playwright's init script is injected by the browser itself, outside the page's CSP; it records
# every violation event so a refused inline style (which logs nothing if a library ignores it)
# is caught as well as console errors.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber);
});
"""


def _watch(page):
    problems = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" or "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.context.add_init_script(RECORD_VIOLATIONS)
    return problems


def _violations(page) -> list[str]:
    return page.evaluate("window.__csp || []")


# (path, a selector that shows the page's script did its work)
PAGES = [
    ("/", "#coverage-map[data-ready=true]"),
    ("/", "#coverage-chart[data-ready=true]"),
    ("/regions/440000/map/", "#coverage-map[data-ready=true]"),
    ("/coverage/440000/", "#coverage-chart[data-ready=true]"),
    # The region pages show the coverage map since the workbench rework (web/views.py).
    ("/regions/", "#coverage-map[data-ready=true]"),
    ("/regions/440100/", "#coverage-map[data-ready=true]"),
    ("/reports/bulletin/440000/?as_of=2021-05-06", ".bulletin-sheet figure img"),
    ("/", "#nav-audit"),
    ("/audit/", "form"),
    ("/teams/", "#team-sheets"),
    ("/sheets/", "main"),
    ("/api/docs/", ".swagger-ui .info"),
]


def test_main_pages_work_under_the_csp_without_a_violation(page_as, server):
    page = page_as("demo")
    problems = _watch(page)
    seen = {}
    for path, ready in PAGES:
        response = page.goto(server["url"] + path)
        csp = response.headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "script-src 'self'" in csp
        page.wait_for_selector(ready, timeout=30000)
        page.wait_for_load_state("networkidle")
        seen[path] = _violations(page)
    assert all(v == [] for v in seen.values()), seen
    assert problems == []
    # ECharts drew the map and the trend (its styles go through the CSSOM, which CSP allows).
    page.goto(server["url"] + "/")
    page.wait_for_selector("#coverage-map[data-ready=true]", timeout=30000)
    assert page.locator("#coverage-map svg path").count() > 30  # the provinces
    assert page.locator("#coverage-chart svg path").count() > 2
    # The bulletin's figures load, and the page is laid out by its (now external) stylesheet.
    page.goto(server["url"] + "/reports/bulletin/440000/?as_of=2021-05-06")
    img = page.locator(".bulletin-sheet figure img").first
    img.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    masthead = page.locator(".bulletin-sheet .masthead")
    assert masthead.evaluate("e => getComputedStyle(e).color") == "rgb(192, 0, 0)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "security-csp-bulletin.png"), full_page=True)
    assert _violations(page) == [] and problems == []


def test_an_inline_script_would_be_refused_and_reported(page_as, server):
    """The watch above can fail: an inline script added to a page is blocked and reported."""
    page = page_as("demo-gd")
    problems = _watch(page)
    page.goto(server["url"] + "/regions/440000/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        " document.body.appendChild(s); const d = document.createElement('div');"
        " d.setAttribute('style', 'color: red'); document.body.appendChild(d); }"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.__ran") is None
    violations = _violations(page)
    assert any(v.startswith("script-src") for v in violations), violations
    assert any(v.startswith("style-src") for v in violations), violations
    assert any("Content Security Policy" in p for p in problems)


def test_import_page_runs_its_htmx_job_under_the_csp(page_as, server, tmp_path):
    page = page_as("demo-haizhu")
    problems = _watch(page)
    page.goto(server["url"] + "/teams/")
    with page.expect_download() as download:
        page.click("#team-sheets a:has-text('下载模板')")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook["基层队伍"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("队伍名称") + 1, value="CSP测试队")
    sheet.cell(row=2, column=headers.index("负责人电话") + 1, value="12345")
    broken = tmp_path / "队伍.xlsx"
    workbook.save(broken)
    page.click("#team-sheets a:has-text('导入')")
    page.set_input_files("#id_file", str(broken))
    page.click("#upload-submit")
    page.wait_for_selector("#job[data-state=done]", timeout=60_000)
    assert page.locator("#problem-table tbody tr").count() >= 1
    assert "未写入任何数据" in page.locator("#problem-summary").inner_text()
    # htmx did not inject its indicator <style> (turned off by the htmx-config meta tag).
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert _violations(page) == [] and problems == []
