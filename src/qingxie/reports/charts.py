"""The bulletin's images, drawn offline with matplotlib: the coverage map and the trend chart.

Shapes are the map files `qingxie setup` builds into settings.MAPS_DIR (regions/maps.py);
labels use the Noto Sans CJK SC face found by `fonts`. Figures are built with the object API
(no pyplot), so concurrent requests in one server process share no drawing state.
"""

from __future__ import annotations

import functools
import io
import math
import threading

from django.utils.translation import gettext, gettext_lazy

from qingxie.ledger import colours
from qingxie.ledger.coverage import CountyStatus
from qingxie.reports.bulletin import (
    MAP_LABELS,
    NOT_COUNTED,
    Bulletin,
    MapData,
    map_features,
    pct,
)

#: Colours of the county map: the web map's (ledger.colours), so screen and paper agree.
STATUS_COLOURS = {
    CountyStatus.NONE: colours.STATUS_COLOURS["none"],
    CountyStatus.ESTABLISHED: colours.STATUS_COLOURS["established"],
    CountyStatus.STANDARDIZED: colours.STATUS_COLOURS["standardized"],
    NOT_COUNTED: colours.STATUS_COLOURS["uncounted"],
}
#: National map: provinces by coverage rate, in these bands (lower bound, label, colour).
_BAND_LABELS = {
    100.0: gettext_lazy("100%（全覆盖）"),
    90.0: "90%–99.9%",
    70.0: "70%–89.9%",
    50.0: "50%–69.9%",
}
RATE_BANDS = [
    (lower, _BAND_LABELS.get(lower, gettext_lazy("50%以下")), colour)
    for lower, colour in colours.RATE_BANDS
]
NO_RATE = (gettext_lazy("不设县级单位"), colours.STATUS_COLOURS["uncounted"])
DPI = 200
#: Prefecture outlines, darker than the county borders (the web map's colour).
OUTLINE_COLOUR = "#2f3a45"
_lock = threading.Lock()


@functools.cache
def _font_family() -> str:
    """Register the CJK sans face with matplotlib once; return its family name."""
    from matplotlib import font_manager

    from qingxie.reports.fonts import cjk_fonts

    face = cjk_fonts().sans
    with _lock:
        # addfont registers every face of the collection; the family name picks the SC face.
        font_manager.fontManager.addfont(str(face.path))
    return face.family


def _figure(width_cm: float, height_cm: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def _paths(geometry: dict):
    """matplotlib Paths of a (Multi)Polygon, holes included, ready for one collection."""
    from matplotlib.path import Path as MplPath
    from shapely.geometry import shape
    from shapely.geometry.polygon import orient

    geom = shape(geometry)
    polygons = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    vertices, codes = [], []
    for polygon in polygons:
        # Exterior anticlockwise, holes clockwise: the non-zero fill rule then leaves holes empty.
        polygon = orient(polygon, 1.0)
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = list(ring.coords)
            vertices += coords
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(coords) - 2) + [MplPath.CLOSEPOLY]
    return MplPath(vertices, codes) if vertices else None


def _line_bounds(lines) -> tuple[float, float, float, float]:
    xs = [x for line in lines for x, _ in line]
    ys = [y for line in lines for _, y in line]
    return min(xs), min(ys), max(xs), max(ys)


def _band(rate: float | None) -> tuple[str, str]:
    if rate is None:
        return NO_RATE
    for lower, label, colour in RATE_BANDS:
        if rate >= lower:
            return label, colour
    return RATE_BANDS[-1][1:]


def map_png(data: MapData) -> bytes:
    """The coverage map: counties by status (province, city) or provinces by rate (nation)."""
    from matplotlib.collections import LineCollection, PathCollection
    from matplotlib.patches import Patch
    from matplotlib.transforms import Bbox
    from shapely.geometry import shape

    family = _font_family()
    features = map_features(data.file) or []
    shapes, colours, labels, counts = [], [], [], {}
    lines, outlines = [], []
    for feature in features:
        code = feature["properties"]["code"]
        if code.startswith("outline-"):
            # Prefecture outlines, as on the web map; kept below if inside the units drawn.
            geom = shape(feature["geometry"])
            outlines.append([list(p.coords) for p in getattr(geom, "geoms", [geom])])
            continue
        if code.startswith("boundary-"):
            if data.kind == "provinces":
                geom = shape(feature["geometry"])
                parts = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
                lines += [list(p.coords) for p in parts]
            continue
        if code not in data.units:
            continue
        path = _paths(feature["geometry"])
        if path is None:
            continue
        value = data.units[code]
        if data.kind == "provinces":
            label, colour = _band(value)
        else:
            label, colour = MAP_LABELS[value], STATUS_COLOURS[value]
        label = str(label)  # the lazy labels, in the language the figure is drawn in
        counts[label] = counts.get(label, 0) + 1
        shapes.append(path)
        colours.append(colour)
        if data.label_names:
            point = shape(feature["geometry"]).representative_point()
            labels.append((point.x, point.y, feature["properties"]["name"]))

    collection = PathCollection(shapes, facecolors=colours, edgecolors="#555555", linewidths=0.35)
    line_collection = LineCollection(lines, colors="#333333", linewidths=0.6) if lines else None
    (x0, y0), (x1, y1) = Bbox.union(
        [p.get_extents() for p in shapes]
        + ([Bbox.from_extents(*_line_bounds(lines))] if lines else [])
    ).get_points()
    # Degrees of longitude shrink with latitude; without this the map looks stretched.
    stretch = 1 / math.cos(math.radians((y0 + y1) / 2))
    # The figure takes the region's proportions (within reason), the legend a strip below.
    width_cm, legend_cm = 16.0, 2.0
    map_cm = min(max(width_cm * (y1 - y0) * stretch / max(x1 - x0, 1e-6), 6.0), 12.5)
    fig = _figure(width_cm, map_cm + legend_cm)
    bottom = legend_cm / (map_cm + legend_cm)
    ax = fig.add_axes((0.01, bottom, 0.98, 0.99 - bottom))
    ax.set_axis_off()
    ax.add_collection(collection)
    if line_collection:
        ax.add_collection(line_collection)
    # A prefecture's outline lying within the map (all of a province's; a city's own).
    inside = [
        part
        for outline in outlines
        for part in outline
        if all(x0 - 0.01 <= x <= x1 + 0.01 and y0 - 0.01 <= y <= y1 + 0.01 for x, y in part)
    ]
    if inside:
        ax.add_collection(LineCollection(inside, colors=OUTLINE_COLOUR, linewidths=0.9))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(stretch)
    for x, y, name in labels:
        ax.text(x, y, name, ha="center", va="center", fontsize=6, family=family, color="#222222")
    if data.kind == "provinces":
        legend = [(str(label), colour) for _, label, colour in [*RATE_BANDS, (0, *NO_RATE)]]
    else:
        order = [CountyStatus.STANDARDIZED, CountyStatus.ESTABLISHED, CountyStatus.NONE]
        if NOT_COUNTED in data.units.values():
            order.append(NOT_COUNTED)
        legend = [(str(MAP_LABELS[s]), STATUS_COLOURS[s]) for s in order]
    if data.kind == "provinces" and not counts.get(str(NO_RATE[0])):
        legend.pop()
    handles = [
        Patch(
            facecolor=colour,
            edgecolor="#555555",
            linewidth=0.5,
            label=gettext("%(label)s（%(count)s）")
            % {"label": label, "count": counts.get(label, 0)},
        )
        for label, colour in legend
    ]
    # Below the map, so it never covers a unit whatever the region's shape.
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=len(handles) if len(handles) <= 4 else 3,
        frameon=False,
        prop={"family": family, "size": 8},
        title=gettext("县级单位")
        if data.kind == "counties"
        else gettext("各省（区、市）县级覆盖率"),
        title_fontproperties={"family": family, "size": 8},
    )
    return _png(fig)


def trend_png(bulletin: Bulletin) -> bytes:
    """Month-end coverage and standardization rates, with the coverage targets as points."""
    import matplotlib.dates as mdates

    family = _font_family()
    points = bulletin.series
    dates = [p.date for p in points]
    fig = _figure(16, 7.5)
    ax = fig.add_axes((0.08, 0.14, 0.9, 0.8))
    cover = [p.coverage_rate for p in points]
    std = [p.standardized_rate for p in points]
    ax.plot(dates, cover, color="#c0272d", linewidth=1.6, label=gettext("县级协会覆盖率"))
    ax.plot(dates, std, color="#2c7fb8", linewidth=1.6, label=gettext("规范化建设覆盖率"))
    for series, colour in ((cover, "#c0272d"), (std, "#2c7fb8")):
        if series and series[-1] is not None:
            ax.annotate(
                pct(series[-1]),
                (dates[-1], series[-1]),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color=colour,
                family=family,
            )
    # Targets already due, and the next one: the chart shows the road to the next deadline.
    upcoming = [(d, r) for d, r in bulletin.target_points if d > bulletin.as_of]
    shown = [(d, r) for d, r in bulletin.target_points if d <= bulletin.as_of] + upcoming[:1]
    if shown:
        ax.scatter(
            [d for d, _ in shown],
            [r for _, r in shown],
            marker="D",
            s=22,
            color="#555555",
            zorder=3,
            label=gettext("覆盖率目标"),
        )
        for d, r in shown:
            ax.annotate(
                f"{r:g}%",
                (d, r),
                xytext=(0, -11),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                color="#555555",
                family=family,
            )
    ax.set_ylim(0, 108)
    ax.set_yticks(range(0, 101, 20))
    ax.set_yticklabels([f"{v}%" for v in range(0, 101, 20)], fontsize=8)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter(gettext("%Y年")))
    for tick in ax.get_xticklabels():
        tick.set_fontsize(8)
        tick.set_family(family)
    ax.grid(True, color="#e0e0e0", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", frameon=False, prop={"family": family, "size": 8})
    return _png(fig)


def figure_png(bulletin: Bulletin, kind: str) -> bytes:
    """The PNG of one of the bulletin's figures."""
    if kind == "map":
        return map_png(bulletin.map)
    return trend_png(bulletin)
