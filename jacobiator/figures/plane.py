r"""Drawing on the plane [-2, 2]^2: grids, arrow fields, loss heatmaps, axes.

Shared by the figures of the loss chapter. Everything returns plain,
JSON-ready Plotly dicts.
"""

import numpy as np

from .palette import DEEP_ORANGE, HEATMAP_SCALE, INK, ORANGE
from .plot import arrow_segments, axis, json_grid, json_list

HALF_WIDTH = 2.0  # the plots show [-2, 2]^2
ARROW_SPAN = 1.9  # arrow tails lie on a grid over [-1.9, 1.9]^2
HEATMAP_CELLS = 41  # losses are smooth or piecewise smooth: 41 x 41 smoothed cells are enough
# Arrow lengths: the 90th percentile of |grad| is drawn 0.8 cell long (times the
# amplitude); no arrow is longer than 1.2 cells, so near a blow-up the field
# stays readable. Capped arrows are drawn in another colour.
REF_PERCENTILE = 90
REF_LENGTH = 0.8
CAP_LENGTH = 1.2


def scaled_arrows(v: np.ndarray, cell: float, amplitude: float):
    """Display vectors for ``v``, their capped mask, and the |v| an arrow one cell long stands for.

    Non-finite vectors (a gradient that blows up there) count as capped and
    are drawn with length 0; the caller marks them.
    """
    with np.errstate(over="ignore"):  # a norm too large for a float is a blow-up: capped below
        m = np.linalg.norm(v, axis=1)
    finite = np.isfinite(m)
    m_ref = np.percentile(m[finite], REF_PERCENTILE) if finite.any() else 0.0
    if m_ref <= 0.0:
        return np.zeros_like(v), ~finite, 0.0
    with np.errstate(invalid="ignore"):
        length = amplitude * REF_LENGTH * cell * m / m_ref
        capped = ~finite | (length > CAP_LENGTH * cell)
    direction = np.divide(v, m[:, None], out=np.zeros_like(v), where=((m > 0) & finite)[:, None])
    shown = np.where(capped, CAP_LENGTH * cell, length)
    return direction * shown[:, None], capped, m_ref / (amplitude * REF_LENGTH)


def arrow_trace(p, v, name, color, role):
    x, y = arrow_segments(p, v)
    return {"type": "scatter", "mode": "lines", "name": name, "x": json_list(x), "y": json_list(y),
            "line": {"color": color, "width": 1.4}, "hoverinfo": "skip", "meta": {"role": role}}


def arrow_traces(p: np.ndarray, v: np.ndarray, grid: int, amplitude: float, wrt: str):
    """Arrows from the grid points ``p`` (``grid`` per side), capped arrows and the points where
    the field is undefined; and the scale."""
    shown, capped, per_cell = scaled_arrows(v, 2 * ARROW_SPAN / (grid - 1), amplitude)
    undefined = ~np.isfinite(v).all(axis=1)
    traces = [
        arrow_trace(p[~capped], shown[~capped], f"−∇{wrt} L", INK, "arrows"),
        arrow_trace(p[capped & ~undefined], shown[capped & ~undefined], f"−∇{wrt} L (capped)", DEEP_ORANGE, "capped"),
        {"type": "scatter", "mode": "markers", "name": "gradient undefined", "meta": {"role": "undefined"},
         "x": json_list(p[undefined, 0]), "y": json_list(p[undefined, 1]),
         "marker": {"symbol": "x-thin-open", "size": 9, "color": DEEP_ORANGE, "line": {"width": 2}},
         "hovertemplate": "the gradient blows up here<extra></extra>"},
    ]
    return traces, per_cell


def heatmap_trace(values: np.ndarray, name: str) -> dict:
    """The loss over the plane; colours span its 1st to 99th percentile, so a
    blow-up (like log L at the minimum) does not wash out the rest."""
    t = np.linspace(-HALF_WIDTH, HALF_WIDTH, HEATMAP_CELLS)
    finite = values[np.isfinite(values)]
    zmin, zmax = (np.percentile(finite, [1, 99]) if finite.size else (0.0, 1.0))
    return {"type": "heatmap", "x": json_list(t), "y": json_list(t), "z": json_grid(values), "name": name,
            "colorscale": HEATMAP_SCALE, "zsmooth": "fast", "meta": {"role": "heatmap"},
            "zmin": round(float(zmin), 4), "zmax": round(float(max(zmax, zmin + 1e-9)), 4),
            "colorbar": {"title": {"text": name}, "thickness": 12, "len": 0.9},
            "hovertemplate": f"(%{{x:.2f}}, %{{y:.2f}})<br>{name} = %{{z:.3g}}<extra></extra>"}


def point_trace(xy, name: str, color: str = ORANGE, role: str = "target") -> dict:
    return {"type": "scatter", "mode": "markers", "name": name, "meta": {"role": role},
            "x": json_list(xy[:, 0]), "y": json_list(xy[:, 1]),
            "marker": {"size": 15, "color": color, "symbol": "circle", "line": {"color": "white", "width": 2}},
            "hovertemplate": f"{name} = (%{{x:.2f}}, %{{y:.2f}})<extra></extra>"}


def plane_axis(title: str, **extra) -> dict:
    """An axis of the plane's view [-2, 2]."""
    return axis(title, (-HALF_WIDTH, HALF_WIDTH), constrain="domain", **extra)
