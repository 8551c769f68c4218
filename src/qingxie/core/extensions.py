"""Extension points of the shell: what each app adds to the navigation, the workbench, the
bulletin and the URL tree, and what it does when an association moves.

Each app registers its contributions in its `AppConfig.ready()`; the shell (`web`, `reports`,
the top-level `urls.py`) and the ledger read them here and never name the app. Registering
the same key again replaces the entry (a reloaded app), never duplicates it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NavEntry:
    """A link in the top navigation: `url_name` reversed, shown when `visible(user)` is true."""

    key: str
    label: str
    url_name: str
    order: int = 100
    visible: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class WorkbenchPanel:
    """A panel on the workbench of a region.

    `context(user, region, as_of)` returns the template's context, or None to leave the panel
    out (nothing for this level, or nothing the user may see). It must read through the gate.
    `placement` is "attention" (inside 需要处理, listed first on a phone) or "main" (beside the
    map and the trend). `levels` limits the panel to regions of those levels (0 nation … 3
    county); empty means every level.

    `fragment_domains` lets the shell keep the panel's rendered HTML: when the context holds
    a `"fragment"` string, the panel promises that its HTML is the same for every user whose
    context carries that string, given the region, the date, the language and the data of
    these domains (`core.cache`). Put the per-user values the template shows in it (a
    count, whether the user may add), or leave the key out when the context was read for
    this user alone. The template must use `panel` only (no `request` or `user`).
    """

    key: str
    template: str
    context: Callable[[Any, Any, datetime.date], dict | None]
    order: int = 100
    placement: str = "attention"
    levels: tuple[int, ...] = ()
    fragment_domains: tuple[str, ...] = ()


@dataclass
class BulletinSection:
    """A section an app writes for the 工作信息 bulletin: a title and paragraphs of prose."""

    title: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BulletinContribution:
    """`build(region, as_of)` returns the app's sections for the bulletin, or [] when the region
    has nothing to report in the period (the paragraph is then left out, not written empty)."""

    key: str
    build: Callable[[Any, datetime.date], list[BulletinSection]]
    order: int = 100


@dataclass(frozen=True)
class UrlMount:
    """An app's pages under `prefix` (`urls` is its URLconf module) and, when `api` is given,
    its API module: `register(router)` adds its viewsets and `urlpatterns` (optional) its
    non-router API paths, mounted before the router's so that fixed paths win."""

    key: str
    prefix: str
    urls: str | None = None
    api: str | None = None


_NAV: dict[str, NavEntry] = {}
_PANELS: dict[str, WorkbenchPanel] = {}
_BULLETIN: dict[str, BulletinContribution] = {}
_MOUNTS: dict[str, UrlMount] = {}
_MOVE_HOOKS: dict[str, Callable[..., None]] = {}


def register_nav_entry(entry: NavEntry) -> NavEntry:
    """Add `entry` to the top navigation."""
    _NAV[entry.key] = entry
    return entry


def nav_entries(user) -> list[NavEntry]:
    """The registered navigation entries `user` may see, by order then key."""
    return [
        e
        for e in sorted(_NAV.values(), key=lambda e: (e.order, e.key))
        if e.visible is None or e.visible(user)
    ]


def register_workbench_panel(panel: WorkbenchPanel) -> WorkbenchPanel:
    """Add `panel` to the workbench."""
    _PANELS[panel.key] = panel
    return panel


def workbench_panels(user, region, as_of: datetime.date, *, placement: str) -> list[dict]:
    """The panels of `placement` for `user` on `region`'s workbench on `as_of`, each as
    `{"key", "template", "context", "html"}`, skipping those whose context is None; `html`
    is the kept rendering of a panel that allows it (see `WorkbenchPanel`), else None."""
    from qingxie.core.cache import cached_fragment

    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        if panel.placement != placement or (panel.levels and region.level not in panel.levels):
            continue
        context = panel.context(user, region, as_of)
        if context is not None:
            html = None
            if panel.fragment_domains and "fragment" in context:
                html = cached_fragment(
                    f"panel:{panel.key}:{region.code}:{as_of.isoformat()}:{context['fragment']}",
                    panel.template,
                    {"panel": context},
                    path=region.path,
                    domains=panel.fragment_domains,
                )
            shown.append(
                {"key": panel.key, "template": panel.template, "context": context, "html": html}
            )
    return shown


def register_bulletin_contribution(contribution: BulletinContribution) -> BulletinContribution:
    """Add an app's sections to the bulletin."""
    _BULLETIN[contribution.key] = contribution
    return contribution


def bulletin_sections(region, as_of: datetime.date) -> list[BulletinSection]:
    """Every app's sections for `region`'s bulletin on `as_of`, in registration order."""
    sections: list[BulletinSection] = []
    for c in sorted(_BULLETIN.values(), key=lambda c: (c.order, c.key)):
        sections.extend(s for s in c.build(region, as_of) if s.paragraphs)
    return sections


def register_url_mount(mount: UrlMount) -> UrlMount:
    """Mount an app's pages and API (read once, when the URLconf is loaded)."""
    _MOUNTS[mount.key] = mount
    return mount


def url_mounts() -> list[UrlMount]:
    """The registered mounts, by key."""
    return [_MOUNTS[k] for k in sorted(_MOUNTS)]


def register_association_move_hook(key: str, hook: Callable[..., None]) -> None:
    """Call `hook(association=, old_region=, new_region=)` inside the transaction that moves an
    association onto a successor region, so the app's rows that copy the association's region
    follow it with their own change-log entries (rows that only copy its path follow anyway)."""
    _MOVE_HOOKS[key] = hook


def association_moved(*, association, old_region, new_region) -> None:
    """Run every registered move hook (the ledger calls this; an app never does)."""
    for key in sorted(_MOVE_HOOKS):
        _MOVE_HOOKS[key](association=association, old_region=old_region, new_region=new_region)


# ------------------------------------------------------------------ checklist item sources


@dataclass(frozen=True)
class ChecklistSource:
    """Facts held by another app that verify a standardization checklist item by themselves.

    `spans(association_id)` returns the dated spans [start, end) (end None: open) during which
    the item counts as verified for that association because of the app's records, e.g. the
    trainings app: "a leader attended a held training" verifies 负责人年度培训 from the
    training's end date until the first of January after it. The ledger's standardization
    adds these spans to the level above's own verifications (never removes one), so the
    standardized status on any past date stays exact. `describe(association_id, on)` gives
    a short Chinese line for the checklist page ("" when the source says nothing that day).
    """

    key: str
    item_code: str
    spans: Callable[[int], list[tuple[datetime.date, datetime.date | None]]]
    describe: Callable[[int, datetime.date], str] | None = None


_CHECKLIST_SOURCES: dict[str, ChecklistSource] = {}


def register_checklist_source(source: ChecklistSource) -> ChecklistSource:
    """Let an app's records verify a checklist item (the ledger asks at every rebuild)."""
    _CHECKLIST_SOURCES[source.key] = source
    return source


def checklist_sources(item_code: str | None = None) -> list[ChecklistSource]:
    """The registered sources, of one item when `item_code` is given, by key."""
    return [
        _CHECKLIST_SOURCES[k]
        for k in sorted(_CHECKLIST_SOURCES)
        if item_code is None or _CHECKLIST_SOURCES[k].item_code == item_code
    ]


# ------------------------------------------------------------------------------ demo steps


@dataclass(frozen=True)
class DemoStep:
    """Demo data an app adds after the demo ledger (`qingxie demo`): `load()` must be
    idempotent (skip when its data is there) and mark everything as demo."""

    key: str
    load: Callable[[], Any]
    order: int = 100
    # What `qingxie demo` prints while the step runs (Chinese, like the rest of the CLI).
    label: str = ""


_DEMO_STEPS: dict[str, DemoStep] = {}


def register_demo_step(step: DemoStep) -> DemoStep:
    """Add an app's demo data to `qingxie demo` (run after the ledger's, by order)."""
    _DEMO_STEPS[step.key] = step
    return step


def demo_steps() -> list[DemoStep]:
    """The registered demo steps, by order then key."""
    return sorted(_DEMO_STEPS.values(), key=lambda s: (s.order, s.key))


@dataclass(frozen=True)
class AssociationPanel:
    """A panel an app adds to an association's page (its tier, its trainings, its plan…).

    `context(user, association)` returns the template's context (included as `panel`), or
    None to leave the panel out; it must read through the gate.
    """

    key: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100


_ASSOCIATION_PANELS: dict[str, AssociationPanel] = {}


def register_association_panel(panel: AssociationPanel) -> AssociationPanel:
    """Add `panel` to every association's page."""
    _ASSOCIATION_PANELS[panel.key] = panel
    return panel


def association_panels(user, association) -> list[dict]:
    """The panels for `user` on `association`'s page, each as `{"key", "template", "context"}`,
    skipping those whose context is None."""
    shown = []
    for panel in sorted(_ASSOCIATION_PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(user, association)
        if context is not None:
            shown.append({"key": panel.key, "template": panel.template, "context": context})
    return shown
