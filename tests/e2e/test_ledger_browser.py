"""In a real Chromium: a county cadre enters its association and submits a checklist item,
sees it in the ledger and the coverage figure move; the city cadre above verifies the item."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys

import pytest

from tests.e2e.conftest import ARTIFACTS, DEMO_PASSWORD

pytestmark = pytest.mark.e2e

#: Run inside the server's data directory: pick a Guangdong county with no live association
#: (南澳县 first, which the demo leaves empty; otherwise any), and give it and its city an admin.
SETUP = """
import json
from qingxie.accounts.models import User
from qingxie.accounts.services import role_grant_create, user_create
from qingxie.core.context import change_context
from qingxie.ledger.choices import LIVE_STATUSES
from qingxie.regions.models import Region

live = Region.objects.filter(associations__status__in=LIVE_STATUSES)
free = (
    Region.objects.filter(level=3, valid_to__isnull=True, parent__level=2, code__startswith="44")
    .exclude(pk__in=live)
)
county = free.filter(code="440523").first() or free.order_by("code").first()
with change_context(channel="cli"):
    for name, role, region in (
        ("e2e-county", "county_admin", county),
        ("e2e-city", "city_admin", county.parent),
    ):
        if not User.objects.filter(username=name).exists():
            # Marked demo like the demo accounts, so the administrators' two-step sign-in
            # (covered in tests/security/test_login.py) does not stand between them and the pages.
            user = user_create(username=name, password=PASSWORD, validate=False, is_demo=True)
            role_grant_create(actor=None, user=user, role=role, region=region)
print(json.dumps({"code": county.code, "name": county.name, "city": county.parent.code}))
"""


@pytest.fixture(scope="module")
def county(server):
    """The county the test founds an association in, with e2e-county and e2e-city admins."""
    result = subprocess.run(
        [sys.executable, "-m", "qingxie", "shell", "-c", f"PASSWORD = {DEMO_PASSWORD!r}\n{SETUP}"],
        env=server["env"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ledger-{name}.png"), full_page=True)


def test_county_founds_an_association_and_the_city_verifies_an_item(
    page_as, server, county, tmp_path
):
    base = server["url"]
    code = county["code"]
    page = page_as("e2e-county")

    # Coverage of the county before: nothing established.
    page.goto(f"{base}/coverage/{code}/")
    page.wait_for_selector("#coverage-chart[data-ready=true]", timeout=20000)
    assert page.locator("#fig-established").inner_text() == "0"
    assert page.locator("#fig-coverage-rate").inner_text() == "0.0%"

    # The ledger link in the navigation leads to an empty ledger with an "add" button.
    page.click("#nav-ledger")
    page.wait_for_url("**/associations/")
    page.click("#add-association")
    page.wait_for_url("**/associations/new/")
    page.goto(f"{base}/associations/new/?region={code}")
    assert page.input_value("#id_region") == code
    name = f"{county['name']}青年志愿者协会"
    page.fill("#id_name", name)
    page.fill("#id_established_on", datetime.date.today().replace(day=1).isoformat())
    page.check("#id_registered")
    page.fill("#id_uscc", "91440101MA59ABCDE0")  # wrong check character
    page.click("#association-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "校验位错误" in page.locator("#field-uscc .field-error").inner_text()
    shot(page, "create-error")

    page.fill("#id_uscc", "")
    page.uncheck("#id_registered")
    page.fill("#id_president_name", "王五")
    page.fill("#id_president_phone", "13812345678")
    page.click("#association-form button[type=submit]")
    page.wait_for_url(f"**/associations/{code}-3-*/")
    number = page.locator("#number").inner_text()
    assert f"统一编号 {number}" in page.locator(".messages").inner_text()
    assert "138****5678" in page.locator("#president").inner_text()

    # It is in the ledger list, and the coverage figure moved.
    page.click("#nav-ledger")
    page.wait_for_url("**/associations/")
    assert page.locator(f"#associations tr[data-number='{number}']").count() == 1
    shot(page, "list")
    page.goto(f"{base}/coverage/{code}/")
    page.wait_for_selector("#coverage-chart[data-ready=true]", timeout=20000)
    assert page.locator("#fig-established").inner_text() == "1"
    assert page.locator("#fig-coverage-rate").inner_text() == "100.0%"
    shot(page, "county-coverage")

    # Submit the first checklist item with a note and an evidence file.
    page.goto(f"{base}/associations/{number}/")
    row = page.locator("#checklist tbody tr").first
    item_title = row.locator("td strong").inner_text()
    row.locator("summary").click()
    row.locator("textarea[name=note]").fill("章程已经会员大会通过。")
    evidence = tmp_path / "章程.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% qingxie e2e evidence\n")
    row.locator("input[type=file]").set_input_files(str(evidence))
    row.locator(".submit-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "材料已提交" in page.locator(".messages").inner_text()
    row = page.locator("#checklist tbody tr").first
    assert row.get_attribute("data-state") == "submitted"
    assert row.locator(".verify-form").count() == 0  # the county cannot verify its own item
    assert row.locator("a.evidence").count() == 1
    shot(page, "county-detail")

    # The city admin above finds it in the queue and verifies it.
    city = page_as("e2e-city")
    city.click("#nav-verification")
    city.wait_for_url("**/verification/")
    queued = city.locator("#pending tbody tr", has_text=name)
    assert queued.count() >= 1
    assert item_title in queued.first.inner_text()
    shot(city, "queue")
    queued.first.locator(".verify-form button").click()
    city.wait_for_load_state("networkidle")
    assert f"已核验“{item_title}”" in city.locator(".messages").inner_text()
    assert city.locator("#pending tbody tr", has_text=name).count() == 0
    city.goto(f"{base}/associations/{number}/")
    assert city.locator("#checklist tbody tr").first.get_attribute("data-state") == "verified"
    with city.expect_download() as download:
        city.locator("#checklist a.evidence").first.click()
    assert download.value.suggested_filename.endswith(".pdf")

    # The city's coverage page lists the county among its children, worst first.
    city.goto(f"{base}/coverage/{county['city']}/")
    city.wait_for_selector("#coverage-chart[data-ready=true]", timeout=20000)
    assert city.locator(f"#children tr[data-code='{code}']").count() == 1
    shot(city, "city-coverage")
