"""The workbench (dashboard), the coverage map page, search across the ledger, health check."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from qingxie.accounts.permissions import home_region, user_may
from qingxie.core.cache import cached_figures, figures_stamp
from qingxie.core.extensions import workbench_panels
from qingxie.ledger import colours, coverage
from qingxie.regions import selectors as region_selectors
from qingxie.regions.models import ROOT_CODE, Region
from qingxie.regions.views import (
    RegionDetailView,
    RegionIndexView,
    _map_config,
    _map_panel_context,
)
from qingxie.web import search
from qingxie.web.dashboard import dashboard_for

#: No ledger date precedes the People's Republic; earlier dates are typing mistakes.
EARLIEST = datetime.date(1949, 10, 1)


def parse_as_of(request) -> datetime.date:
    """The as-of date of a page (?as_of=YYYY-MM-DD), today if absent; a bad one is named."""
    today = timezone.localdate()
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return today
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        messages.warning(
            request, _("日期“%(raw)s”格式不对，应为 YYYY-MM-DD；已按今天显示。") % {"raw": raw}
        )
        return today
    if day > today:
        messages.warning(
            request, _("统计日期（%(day)s）不能晚于今天；已按今天显示。") % {"day": day}
        )
        return today
    if day < EARLIEST:
        messages.warning(
            request, _("统计日期（%(day)s）早于1949年10月1日；已按今天显示。") % {"day": day}
        )
        return today
    return day


def region_in_scope(user, code: str) -> Region:
    """A county-level or higher region the user may view, else 404 (never say which)."""
    region = (
        Region.objects.restrict(user, "view")
        .filter(code=code.strip(), level__lt=Region.Level.TOWNSHIP)
        .select_related("parent")
        .first()
    )
    if region is None:
        raise Http404(_("未找到该行政区划，或不在您的权限范围内。"))
    return region


def _crumbs(user, region: Region) -> list[Region]:
    """Ancestors the user may open (a county cadre's trail starts at their county)."""
    # The ancestors are the same for everyone (cached with the divisions); which of them the
    # user may open is the gate's rule asked of their grants, without a query.
    ancestors = cached_figures(
        f"ancestors:{region.code}",
        lambda: list(Region.objects.filter(code__in=region.ancestor_codes).order_by("level")),
        path=region.path,
        domains=("regions",),
    )
    return [r for r in ancestors if user_may(user, Region, "view", r.path)]


def map_strings() -> dict:
    """The map script's words in the request's language ({n}-style placeholders)."""
    return {
        "labels": {
            "standardized": _("已规范化建设"),
            "established": _("已成立（未规范化）"),
            "none": _("未成立协会"),
            "uncounted": _("不设县级单位"),
            "not_counted_national": _("台湾、香港、澳门（未纳入统计）"),
        },
        "loading": _("地图加载中…"),
        "map_failed": _("地图文件无法读取（{status}）"),
        "data_failed": _("覆盖数据无法读取（{status}）"),
        "no_echarts": _("地图组件未能载入。"),
        "play": _("按月回放"),
        "pause": _("暂停"),
        "rate_all": _("覆盖率 100%"),
        "rate_below": _("{low} 以下"),
        "counts": _(
            "县级单位 {counties} 个：已成立 {established} 个（覆盖率 {rate}%），其中规范化建设 "
            "{standardized} 个（{std_rate}%）；尚未成立 {none} 个。"
        ),
        "no_counties": _("该区划下没有县级单位，不计算县级覆盖率。"),
        "province_tip": _(
            "县级单位 {counties} 个，已成立 {established} 个（覆盖率 {rate}%）<br>"
            "已规范化 {standardized} 个（{std_rate}%），未成立 {none} 个"
        ),
        # The English reads {y}-{mm}-{dd} (padded), which the Chinese does not use.
        # xgettext:no-python-brace-format
        "date_format": _("{y}年{m}月{d}日"),
        "inset": _("南海诸岛"),
        "direct": _("省直辖"),
        "shown": _("显示 {n} 个"),
    }


def _map_context(
    user, region: Region, as_of: datetime.date, *, link: str, stamp: str | None = None
) -> dict:
    # The user may view `region`, hence every unit under it: the map is the same for all
    # who open it, so it is cached with the figures.
    config = cached_figures(
        f"mapconfig:{region.code}",
        lambda: _map_config(user, region),
        path=region.path,
        domains=("regions",),
        stamp=stamp,
    )
    if config is None:
        return {}
    ctx = _map_panel_context(config)
    ctx["coverage_map"] = {
        "url": config["url"],
        "key": config["key"],
        "codes": config["codes"],
        "national": config["national"],
        "data_url": reverse("api:coverage-map") + f"?region={region.code}",
        "as_of": as_of.isoformat(),
        "today": timezone.localdate().isoformat(),
        "start": "2000-01-01",
        "colours": colours.as_config(),
        "link": link,
        "i18n": map_strings(),
    }
    return ctx


def _dashboard_map(user, region: Region, as_of: datetime.date, stamp: str):
    """The workbench's map panel, rendered once per region, date, day and data version: it
    is the same for everyone who opens the region (see `_map_context`)."""
    today = timezone.localdate()
    # Whether the map files are built is read on each visit, as the panel's context does.
    built = (settings.MAPS_DIR / "manifest.json").exists()

    def render() -> str:
        context = _map_context(user, region, as_of, link="dashboard", stamp=stamp)
        context.update(region=region, as_of=as_of, show_map_link=True)
        return render_to_string("web/_coverage_map.html", context)

    return mark_safe(
        cached_figures(
            f"html:dashboard-map:{region.code}:{as_of.isoformat()}:{today.isoformat()}:{built:d}",
            render,
            stamp=stamp,
        )
    )


class DashboardView(TemplateView):
    """The page a cadre opens every morning: their region against the targets, the lagging
    units on the map, and what needs them now (?region= another region in scope, ?as_of=)."""

    template_name = "web/dashboard.html"

    def get(self, request, *args, **kwargs):
        code = request.GET.get("region", "").strip()
        if not code:
            home = home_region(request.user)
            if home is None and not request.user.is_superuser:
                return self.render_to_response({"no_scope": True})
            if home is not None and home.level < Region.Level.TOWNSHIP:
                # The region of the user's own grant, read with their grants: no second query.
                self.region = home
                return super().get(request, *args, **kwargs)
            code = home.code if home else ROOT_CODE
        self.region = region_in_scope(request.user, code)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, region = self.request.user, self.region
        as_of = parse_as_of(self.request)
        stamp = figures_stamp(region.path, coverage.FIGURE_DOMAINS)
        board = dashboard_for(user, region, as_of, stamp=stamp)
        ctx.update(
            board=board,
            region=region,
            as_of=as_of,
            breadcrumbs=_crumbs(user, region),
            is_today=as_of == timezone.localdate(),
            title=region.name,
        )
        if region.level < Region.Level.COUNTY:
            ctx["map_html"] = _dashboard_map(user, region, as_of, stamp)
        ctx["figures_stamp"] = stamp
        # What the other apps add (trainings, plans, …), read through their own selectors.
        ctx["attention_panels"] = workbench_panels(user, region, as_of, placement="attention")
        ctx["main_panels"] = workbench_panels(user, region, as_of, placement="main")
        return ctx


class CoverageMapView(TemplateView):
    """挂图作战: the units of a region coloured by coverage status, replayable month by month."""

    template_name = "web/coverage_map.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        region = region_in_scope(user, kwargs["code"])
        as_of = parse_as_of(self.request)
        ctx.update(
            region=region,
            as_of=as_of,
            breadcrumbs=_crumbs(user, region),
            title=region.name,
            children=list(
                region_selectors.region_children(user, region).filter(
                    level__lt=Region.Level.TOWNSHIP
                )
            ),
        )
        ctx.update(_map_context(user, region, as_of, link="map"))
        return ctx


def map_home(request):
    """The coverage map of the region the user is responsible for."""
    home = home_region(request.user)
    if home is None and not request.user.is_superuser:
        raise Http404(_("您的账号尚未被授予任何行政区划的角色。"))
    return redirect("coverage_map", code=home.code if home else ROOT_CODE)


class SearchView(TemplateView):
    """One search box: association name or unified number, region name or code."""

    template_name = "web/search.html"

    def get(self, request, *args, **kwargs):
        q = request.GET.get("q", "").strip()
        found = search.search(request.user, q)
        if found.exact_url:
            return redirect(found.exact_url)
        return self.render_to_response({"q": q, "found": found, "title": _("搜索")})


@login_not_required
def healthz(request):
    """A trivial page: the baseline for benchmarks and a liveness probe for operators."""
    return HttpResponse("ok", content_type="text/plain")


def _region_figures(user, region: Region, children: list[Region], as_of: datetime.date) -> dict:
    """The region page's real figures: coverage and standardized rates of the region and of each
    child, and, for a county, which of its townships have an active team on `as_of`."""
    from qingxie.teams.selectors import township_teams_on

    stamp = figures_stamp(region.path, coverage.FIGURE_DOMAINS)
    node = cached_figures(
        f"regionpage:{region.code}:{as_of.isoformat()}",
        lambda: coverage.coverage_tree(region, as_of, depth=1),
        stamp=stamp,
    )
    by_code = {c.code: c for c in node.children}
    for child in children:
        child.figures = by_code.get(child.code)
    ctx = {"node": node, "as_of": as_of, "figures_stamp": stamp}
    if region.level >= Region.Level.COUNTY:
        served = set(
            township_teams_on(as_of)
            .filter(township_parent=region)
            .values_list("township_id", flat=True)
        )
        for child in children:
            child.has_team = child.pk in served
        ctx["township_teams"] = True
    return ctx


class RegionPageView(RegionDetailView):
    """A region's page with its real figures: the coverage map as on the workbench, the
    children's coverage and standardized rates, breadcrumbs only to the levels the user may
    open. (The regions app lies below the ledger; the shell adds the figures.)"""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, region = self.request.user, self.object
        as_of = parse_as_of(self.request)
        ctx["breadcrumbs"] = _crumbs(user, region)
        if region.level < Region.Level.TOWNSHIP:
            ctx.update(_region_figures(user, region, ctx["children"], as_of))
        if region.level < Region.Level.COUNTY:
            ctx.update(_map_context(user, region, as_of, link="map"))
        return ctx


class RegionIndexPageView(RegionIndexView):
    """The national region page, with the provinces' figures and the national coverage map."""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        region = ctx.get("region")
        if region is not None:
            user = self.request.user
            as_of = parse_as_of(self.request)
            ctx.update(_region_figures(user, region, ctx["children"], as_of))
            ctx.update(_map_context(user, region, as_of, link="map"))
        return ctx
