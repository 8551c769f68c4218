"""Values every page shows: the division data version, the navigation by role."""

from __future__ import annotations

import threading

from qingxie.regions.models import DivisionDataset


def may_read_api_docs(user) -> bool:
    """The API docs are for those who connect other systems: superusers and the national and
    provincial administrators (a county cadre has nothing to integrate)."""
    from qingxie.accounts.policies import user_grants
    from qingxie.accounts.roles import Role

    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return any(g.role in (Role.NATIONAL_ADMIN, Role.PROVINCE_ADMIN) for g in user_grants(user))


#: The main navigation's HTML by everything it shows (language, links, home region, URL
#: prefix): the same few variants for every user and page, where rendering it (twenty-odd
#: `{% url %}` and as many translations) was a third of a trivial signed-in page's CPU.
_NAV_HTML: dict[tuple, str] = {}
_NAV_HTML_LIMIT = 5000
_nav_lock = threading.Lock()


def nav_html(entries, home_code, can_audit: bool, can_api_docs: bool) -> str:
    """The `<nav>` of the top bar (web/_nav.html) for these links, rendered once per variant."""
    from django.template.loader import render_to_string
    from django.urls import get_script_prefix, get_urlconf
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    key = (
        get_language(),
        get_script_prefix(),
        get_urlconf(),
        tuple((e.key, e.url_name) for e in entries),
        home_code,
        bool(can_audit),
        bool(can_api_docs),
    )
    html = _NAV_HTML.get(key)
    if html is None:
        html = render_to_string(
            "web/_nav.html",
            {
                "nav_entries": entries,
                "nav_home_code": home_code,
                "can_audit": can_audit,
                "can_api_docs": can_api_docs,
            },
        ).strip()
        with _nav_lock:
            if len(_NAV_HTML) >= _NAV_HTML_LIMIT:
                _NAV_HTML.clear()
            _NAV_HTML[key] = html
    return mark_safe(html)


class _Once:
    """A value computed on first use and kept for the rest of the request; the template engine
    calls it, so a page (or htmx fragment) that never shows the value never computes it."""

    __slots__ = ("compute", "done", "value")

    def __init__(self, compute):
        self.compute = compute
        self.done = False

    def __call__(self):
        if not self.done:
            self.value = self.compute()
            self.done = True
        return self.value


def division_data_as_of():
    """The newest division dataset's date (None before any is loaded), in one plain statement:
    the footer of every page shows it, and the ORM's query building cost more than the read."""
    from django.db import connection

    field = DivisionDataset._meta.get_field("data_as_of")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX({quote(field.column)}) FROM {quote(DivisionDataset._meta.db_table)}"
        )
        (value,) = cursor.fetchone()
    return None if value is None else field.to_python(value)


def site(request) -> dict:
    from qingxie.accounts.audit import may_read_audit
    from qingxie.accounts.permissions import home_region
    from qingxie.core.extensions import nav_entries
    from qingxie.regions.models import ROOT_CODE

    user = getattr(request, "user", None)

    def authenticated():
        return user is not None and user.is_authenticated

    def home_code():
        if not authenticated():
            return None
        home = home_region(user)
        return home.code if home else (ROOT_CODE if user.is_superuser else None)

    entries = _Once(lambda: nav_entries(user) if authenticated() else [])
    home = _Once(home_code)
    audit = _Once(lambda: bool(authenticated() and may_read_audit(user)))
    api_docs = _Once(lambda: may_read_api_docs(user))
    return {
        "nav_entries": entries,
        "division_data_as_of": _Once(division_data_as_of),
        "can_audit": audit,
        "can_api_docs": api_docs,
        "nav_home_code": home,
        "nav_html": _Once(lambda: nav_html(entries(), home(), audit(), api_docs())),
    }
