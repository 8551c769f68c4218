"""Words the sheet kinds hold in Chinese, shown on the import and export pages in the page's
language: kind titles and value kinds. Inside the files they stay Chinese (the file format)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext, gettext_noop, pgettext, pgettext_lazy

register = template.Library()

#: The titles of the kinds registered today and the value kinds of core.tabular, marked here
#: so that this app's catalogue translates them; a kind whose app translates its own title in
#: its own catalogue is translated as well, and an unknown word is shown as it is. Titles carry
#: a context: the project catalogue wins over this app's and has some of these words in another
#: sense (团体会员 "Group member", one member; the sheet lists them all).
TITLES = (
    pgettext_lazy("sheet kind", "协会台账"),
    pgettext_lazy("sheet kind", "基层队伍"),
    pgettext_lazy("sheet kind", "团体会员"),
    pgettext_lazy("sheet kind", "覆盖率统计表"),
    pgettext_lazy("sheet kind", "培训"),
)
WORDS = (
    gettext_noop("培训签到表"),
    gettext_noop("倒排工期表"),
    gettext_noop("志愿服务项目"),
    gettext_noop("评估自评"),
    gettext_noop("下拉选择"),
    gettext_noop("文本"),
    gettext_noop("代码"),
    gettext_noop("整数"),
    gettext_noop("日期"),
)


@register.filter
def sheet_title(title) -> str:
    """A kind's title in the page's language."""
    if not title:
        return ""
    text = str(title)
    titled = pgettext("sheet kind", text)
    return titled if titled != text else gettext(text)


@register.filter
def sheet_value_kind(value_kind) -> str:
    """How a column is filled (文本, 日期 …) in the page's language."""
    return gettext(str(value_kind)) if value_kind else ""


@register.filter
def sheet_text(text) -> str:
    """A kind's note or a column's help (marked with gettext_noop where the kind is declared;
    the template file writes them in Chinese) in the page's language."""
    return gettext(str(text)) if text else ""
