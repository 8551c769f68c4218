"""Chinese by default, English on request: the switch, and the English catalogue kept whole."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "qingxie"
LOCALE = SRC / "locale" / "en" / "LC_MESSAGES"
# The project catalogue plus each app's own (an app's strings land in its locale/ when it has one).
CATALOGUES = sorted(SRC.glob("**/locale/en/LC_MESSAGES/django.po"))


def _po_entries(path: Path) -> dict[str, str | tuple]:
    """msgid → msgstr (or (singular, plural) msgstrs) from a .po file, header skipped. A msgid
    with a context is keyed as the .mo file keys it: "context\x04msgid"."""
    entries = {}
    for block in path.read_text("utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if m:
                key = m.group(1)
                fields[key] = m.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if fields.get("msgid"):
            unescape = lambda s: s.replace('\\"', '"').replace("\\n", "\n")  # noqa: E731
            if "msgctxt" in fields:
                fields["msgid"] = f"{fields['msgctxt']}\x04{fields['msgid']}"
            if "msgid_plural" in fields:
                entries[unescape(fields["msgid"])] = (
                    unescape(fields["msgstr[0]"]),
                    unescape(fields["msgstr[1]"]),
                )
            else:
                entries[unescape(fields["msgid"])] = unescape(fields["msgstr"])
    return entries


def test_the_project_catalogue_is_among_those_checked():
    assert LOCALE / "django.po" in CATALOGUES
    assert len(_po_entries(LOCALE / "django.po")) > 100


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_english_message_is_translated_and_compiled(po):
    """No message is left untranslated, and the compiled .mo says what the .po says."""
    entries = _po_entries(po)
    untranslated = [k for k, v in entries.items() if not v or (isinstance(v, tuple) and not all(v))]
    assert not untranslated
    with open(po.with_suffix(".mo"), "rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    for msgid, msgstr in entries.items():
        if isinstance(msgstr, tuple):
            assert catalogue.ngettext(msgid, msgid, 1) == msgstr[0], msgid
            assert catalogue.ngettext(msgid, msgid, 5) == msgstr[1], msgid
        else:
            assert catalogue.gettext(msgid) == msgstr, f"{msgid}: run msgfmt (docs/i18n.md)"


@pytest.mark.django_db
def test_pages_are_chinese_even_for_an_english_browser_until_english_is_chosen(client_for):
    client = client_for("county_admin", "440105")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "工作台" in page and "Workbench" not in page
    assert 'lang="zh-Hans"' in page

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "Workbench" in page and "Needs attention" in page
    assert 'lang="en"' in page
    assert "海珠区" in page  # data stays as recorded

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "需要处理" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_language_can_be_chosen_before_signing_in(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert "Sign in" in client.get("/accounts/login/").content.decode()


def test_spreadsheet_choice_labels_stay_chinese_in_an_english_request():
    """A sheet's choice labels are its file format: English pages must not change them."""
    from django.utils import translation

    from qingxie.core.tabular.spec import choice_pairs
    from qingxie.teams.choices import TeamStatus

    with translation.override("en"):
        assert str(TeamStatus.ACTIVE.label) == "Active"
        assert dict(choice_pairs(TeamStatus.choices))["active"] == "正常"


@pytest.mark.django_db
def test_english_ledger_page_and_a_translated_404(client_for):
    client = client_for("county_admin", "440105")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/associations/").content.decode()
    assert "New association" in page and "新增协会" not in page
    missing = client.get("/associations/440105-3-99-0/")
    assert missing.status_code == 404
    assert "Association not found" in missing.content.decode()


def test_the_workbench_counts_agree_with_their_number_in_english():
    """The workbench's badge and county sentence, as the dashboard renders them: "1 point
    behind", "2.5 points behind", "of its 1 township" (not "1 points", "1 townships")."""
    from django.template import Context, Template
    from django.utils import translation

    from qingxie.web.dashboard import Card

    source = Path(__file__).parents[1] / "src/qingxie/web/templates/web/dashboard.html"
    text = source.read_text()
    badge = re.search(
        r"\{% blocktranslate with gap=c\.gap count n=c\.gap_form %\}.*?\{% endblocktranslate %\}",
        text,
    )
    towns = re.search(
        r"\{% blocktranslate with done=node\.townships_with_team count total=node\.townships %\}"
        r".*?\{% endblocktranslate %\}",
        text,
    )
    assert badge and towns, "the dashboard counts with {% blocktranslate count %}"
    template = Template("{% load i18n %}" + badge.group(0) + "|" + towns.group(0))

    def render(actual, required, done, total):
        # A real card: its gap (percentage points, a fraction) and the gap's plural form.
        card = Card("coverage", "", actual, 0, 0, required_now=required)
        with translation.override("en"):
            return template.render(
                Context({"c": card, "node": {"townships": total, "townships_with_team": done}})
            )

    assert render(89.0, 90.0, 1, 1) == "1.0 point behind| Grassroots teams: 1 of its 1 township."
    assert render(87.5, 90.0, 3, 12) == (
        "2.5 points behind| Grassroots teams: 3 of its 12 townships."
    )


def test_the_trainings_and_projects_kinds_explain_their_columns_in_english():
    """The import page's column help and notes of the attendee and project kinds read English;
    the template file keeps them Chinese. (The target groups' help lists Chinese choices.)"""
    from django.utils import translation

    from qingxie.projects.sheets import PROJECT_KIND
    from qingxie.sheets.templatetags.sheets_i18n import sheet_text
    from qingxie.trainings.sheets import ATTENDEE_KIND, TRAINING_KIND

    cjk = re.compile(r"[\u3400-\u9fff]")
    left = []
    with translation.override("en"):
        for kind in (ATTENDEE_KIND, TRAINING_KIND, PROJECT_KIND):
            texts = [c.help for c in kind.columns if c.help] + list(kind.notes)
            for text in texts:
                shown = sheet_text(text)
                # Chinese left only inside quotes or brackets (a choice or a programme's name).
                bare = re.sub(r"“[^”]*”|\([^)]*\)|（[^）]*）", "", shown)
                if cjk.search(bare) and not text.startswith("可填多个"):
                    left.append(shown)
    assert not left, left
    assert PROJECT_KIND.notes[0].startswith("每行一个志愿服务项目")
