"""The figures' colours, in one place.

Mid-tone shades of Open Color (https://yeun.github.io/open-color/), readable on
the white page and on the dark slate one alike, so a figure is drawn once. The
few colours that must change with the page's palette belong to themed trace
roles (``plot.ROLES``): the page's theme.js holds their light and dark versions,
and the Python colours of those roles are what a notebook shows.
"""

GREY = "#868e96"  # reference lines and thresholds, a target behind its fit, meshes
INK = "#1b1b1b"  # arrows (themed)
BLUE = "#1c7ed6"
INDIGO = "#4c6ef5"
DEEP_INDIGO = "#364fc7"  # descent paths (themed)
VIOLET = "#7950f2"
ORANGE = "#e8590c"
DEEP_ORANGE = "#d9480f"  # capped arrows, undefined gradients
BRIGHT_ORANGE = "#f76707"
RED = "#e03131"
GRAPE = "#ae3ec9"
GREEN = "#2f9e44"
TEAL = "#0ca678"
MINT = "#12b886"
YELLOW = "#f59f00"
PINK = "#e64980"
PERIWINKLE = "#5c7cfa"
PAPER = "#f1f3f5"  # the middle of a diverging scale
TEXT = "#1f2328"  # text on light table cells

# XOR's two classes, wherever XOR is drawn: class 0 (the signs agree), class 1
# (they differ). Blue against orange stays far apart (CIELAB distance above 100)
# under simulated deuteranopia, protanopia and tritanopia (Machado et al. 2009).
XOR_CLASSES = (BLUE, ORANGE)

# A heatmap's scale (themed: theme.js swaps it for the dark page's).
HEATMAP_SCALE = [[0, "#f8fbff"], [1, "#7fb1d8"]]

# Categorical sets: particles' phases, heights of a surface (viridis), regions on
# a map (mid-light, so neighbouring regions stand apart), table cells from good to
# bad (light enough for dark text).
PHASES = ("#c92a2a", "#e67700", "#5c940d", "#0b7285", DEEP_INDIGO, "#862e9c")
HEIGHTS = ("#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725")
REGION_COLOURS = ("#74c0fc", "#ffa94d", "#8ce99a", "#f783ac", "#b197fc", "#ffe066",
           "#63e6be", "#ff8787", "#a9e34b", "#e599f7", "#4dabf7", "#ffc078")
# Good to bad runs from light blue through grey to light orange, not green to red:
# a reader with deuteranopia or protanopia (about one man in twelve) sees green and
# red alike, but keeps blue and orange apart, as for XOR's classes.
GOOD_BAD = [[0.0, "#a5d8ff"], [0.5, "#e9ecef"], [1.0, "#ffc078"]]
DIVERGING = [[0.0, BLUE], [0.5, PAPER], [1.0, ORANGE]]


def hex_rgba(colour: str, alpha: float) -> str:
    """``#rrggbb`` with opacity ``alpha``, as Plotly's ``rgba(r,g,b,alpha)``."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def xor_regions(alpha: float) -> list:
    """A colour scale for P(class 1): class 0's colour at 0, clear at 1/2, class 1's at 1."""
    return [[0.0, hex_rgba(XOR_CLASSES[0], alpha)], [0.5, hex_rgba(GREY, 0.0)], [1.0, hex_rgba(XOR_CLASSES[1], alpha)]]
