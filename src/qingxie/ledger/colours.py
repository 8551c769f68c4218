"""The coverage colours: one definition for the web maps (the page hands them to
coverage-map.js) and for the bulletin's pictures (reports.charts), so a county reads the same
on screen and on paper.

ColorBrewer's RdYlBu, which stays distinguishable for colour-blind readers: blue for done,
orange for half-way, red for nothing yet; grey for units not counted (台湾, 香港, 澳门, and
prefectures without county-level units such as 东莞).
"""

from __future__ import annotations

#: A county-level unit's status (coverage.CountyStatus values) and "uncounted".
STATUS_COLOURS = {
    "standardized": "#2c7bb6",
    "established": "#fdae61",
    "none": "#d7191c",
    "uncounted": "#d9d9d9",
}

#: Provinces by coverage rate, at the national targets' milestones (lower bound %, colour):
#: 100 %, 90–99.9 %, 70–89.9 %, 50–69.9 %, below 50 %.
RATE_BANDS = [
    (100.0, "#2c7bb6"),
    (90.0, "#abd9e9"),
    (70.0, "#ffffbf"),
    (50.0, "#fdae61"),
    (0.0, "#d7191c"),
]

#: Labels on the map: dark text with a white halo reads on every fill above.
LABEL_COLOUR = "#1f2933"
LABEL_HALO = "#ffffff"


def as_config() -> dict:
    """The scheme as the web map's script reads it."""
    return {
        "status": STATUS_COLOURS,
        "bands": [[lower, colour] for lower, colour in RATE_BANDS],
        "label": LABEL_COLOUR,
        "halo": LABEL_HALO,
    }
