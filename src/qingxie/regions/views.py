"""Region pages: the drill-down from the country to a township, with maps and search."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from qingxie.accounts.permissions import home_region
from qingxie.core.views import ObjectDetailView
from qingxie.regions import selectors
from qingxie.regions.maps import map_file_for
from qingxie.regions.models import ROOT_CODE, Region


class RegionDetailView(ObjectDetailView):
    """One region: its children, the map of its units, its history."""

    model = Region
    slug_field = slug_url_kwarg = "code"
    template_name = "regions/region_detail.html"
    not_found_message = gettext_lazy("未找到该行政区划，或不在您的权限范围内。")
    context_object_name = "region"

    def get(self, request, *args, **kwargs):
        if kwargs.get("code") == ROOT_CODE:
            return redirect("regions:index")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().select_related("parent", "successor")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        region = self.object
        user = self.request.user
        children = list(selectors.region_children(user, region))
        ctx.update(
            breadcrumbs=selectors.region_breadcrumbs(region),
            children=children,
            child_level=_child_level_label(region, children),
            retired_children=selectors.region_children(user, region, include_retired=True).filter(
                valid_to__isnull=False
            ),
            names=region.names.all(),
            predecessors=region.predecessors.all(),
            map_config=_map_config(user, region),
        )
        ctx.update(_map_panel_context(ctx["map_config"]))
        ctx.update(_association_context(user, region))
        return ctx


def _association_context(user, region: Region) -> dict:
    """The region's own association (live, else the latest) and whether the user may enter one."""
    from qingxie.accounts.permissions import user_may
    from qingxie.ledger.models import Association

    if region.level == Region.Level.TOWNSHIP:
        return {}
    own = Association.objects.restrict(user).filter(region=region)
    live = own.filter(status__in=["active", "suspended"]).first()
    return {
        "association": live or own.order_by("-established_on").first(),
        "may_add_association": live is None
        and region.is_current
        and user_may(user, Association, "add", region.path),
    }


class RegionIndexView(TemplateView):
    """The national page (or search results with ?q=); users below national level go home."""

    template_name = "regions/region_index.html"

    def get(self, request, *args, **kwargs):
        root = selectors.region_get(request.user, ROOT_CODE)
        if root is None and not request.GET.get("q"):
            home = home_region(request.user)
            if home is None:
                return self.render_to_response({"no_scope": True})
            return redirect("regions:detail", code=home.code)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        q = self.request.GET.get("q", "").strip()
        ctx["q"] = q
        if q:
            ctx["results"] = selectors.region_search(user, q=q, include_retired=True)[:200]
            return ctx
        root = selectors.region_get(user, ROOT_CODE)
        if root is None:
            raise Http404(_("未找到该行政区划，或不在您的权限范围内。"))
        ctx["region"] = root
        ctx["children"] = list(selectors.region_children(user, root))
        ctx["map_config"] = _map_config(user, root)
        ctx.update(_map_panel_context(ctx["map_config"]))
        return ctx


def _child_level_label(region: Region, children: list[Region]) -> str:
    levels = {c.level for c in children}
    if levels == {Region.Level.TOWNSHIP}:
        return _("乡级单位（乡、镇、街道）")
    if region.level == Region.Level.NATION:
        return _("省级行政区")
    if levels == {Region.Level.COUNTY}:
        return _("县级行政区")
    return _("下级行政区")


def _map_config(user, region: Region) -> dict | None:
    """What the page's map draws: the file, the features kept and the value of each unit."""
    if region.level == Region.Level.TOWNSHIP:
        return None
    name, codes = map_file_for(region)
    if region.level == Region.Level.NATION:
        units = list(selectors.region_children(user, region))
        measure = _("县级单位数")
    elif region.level == Region.Level.COUNTY or codes:
        units = [region]
        codes = [region.code]
        measure = _("乡级单位数") if region.level == Region.Level.COUNTY else _("县级单位数")
    else:
        units = list(selectors.map_units_for(region).restrict(user, "view"))
        codes = [u.code for u in units]
        measure = _("乡级单位数")
    data = [
        {
            "code": u.code,
            "name": u.name,
            "value": u.county_count if measure == _("县级单位数") else u.township_count,
            "url": reverse("regions:detail", args=[u.code]),
            "shape": u.has_shape,
        }
        for u in units
    ]
    return {
        "key": f"{name}:{region.code}",
        "url": selectors.map_url(name),
        "codes": codes,
        "measure": measure,
        "data": data,
        "national": region.level == Region.Level.NATION,
        # The script's words, translated here (it has none of its own).
        "strings": {"loading": _("地图加载中…"), "more": _("多"), "less": _("少")},
    }


def _map_panel_context(config: dict | None) -> dict:
    if not config:
        return {}
    missing = [d for d in config["data"] if not d["shape"]]
    return {"map_missing": missing, "maps_built": (settings.MAPS_DIR / "manifest.json").exists()}
