r"""The gradient field of a loss in 2D, with a target the reader drags.

For every point x of a grid over the square [-2, 2]^2 the arrow shows
:math:`-\nabla_x L(x, y)`, the direction gradient descent moves x, over a
heatmap of :math:`L(x, y)` (or :math:`\log L`).
"""

import numpy as np

from .. import losses
from .plot import arrow_segments, json_grid, json_list
from .schema import Bool, Choice, Drag, Figure, Float, Int, Schema

HALF_WIDTH = 2.0  # the plot shows [-2, 2]^2
ARROW_SPAN = 1.9  # arrow tails lie on a grid over [-1.9, 1.9]^2
HEATMAP_CELLS = 41  # the loss is smooth: 41 x 41 cells, drawn smoothed, are enough
# Arrow lengths: the 90th percentile of |grad| is drawn 0.8 cell long (times the
# amplitude); no arrow is longer than 1.2 cells, so near a blow-up the field
# stays readable. Capped arrows are drawn in another colour.
REF_PERCENTILE = 90
REF_LENGTH = 0.8
CAP_LENGTH = 1.2

SCHEMA = Schema(
    params=(
        Choice("loss", "loss", "mse", choices=tuple((k, v.label) for k, v in losses.LOSSES.items())),
        Bool("log", "log L", False, help="draw the field of log L instead of L"),
        Int("grid", "grid size", 15, min=5, max=41, help="arrows per side"),
        Float("amplitude", "arrow amplitude", 1.0, min=0.2, max=3.0, step=0.1),
        Float("target_x", "target y₁", 0.6, min=-1.9, max=1.9, step=0.01),
        Float("target_y", "target y₂", 0.4, min=-1.9, max=1.9, step=0.01),
    ),
    drag=Drag("target_x", "target_y"),
)


def grid_points(n: int, half_width: float) -> np.ndarray:
    """The n x n grid over [-half_width, half_width]^2 as an (n*n, 2) batch."""
    t = np.linspace(-half_width, half_width, n)
    g1, g2 = np.meshgrid(t, t)
    return np.stack([g1.ravel(), g2.ravel()], axis=1)


def scaled_arrows(v: np.ndarray, cell: float, amplitude: float):
    """Display vectors for ``v``, their capped mask, and |grad| per cell length."""
    m = np.linalg.norm(v, axis=1)
    finite = np.isfinite(m)
    m_ref = np.percentile(m[finite], REF_PERCENTILE) if finite.any() else 0.0
    if m_ref <= 0.0:
        return np.zeros_like(v), np.zeros(len(v), bool), 0.0
    length = amplitude * REF_LENGTH * cell * m / m_ref
    capped = ~finite | (length > CAP_LENGTH * cell)
    direction = np.divide(v, m[:, None], out=np.zeros_like(v), where=(m > 0)[:, None] & finite[:, None])
    shown = np.where(capped, CAP_LENGTH * cell, length)
    return direction * shown[:, None], capped, m_ref / (amplitude * REF_LENGTH)


def arrow_trace(p, v, name, color, role):
    x, y = arrow_segments(p, v)
    return {"type": "scatter", "mode": "lines", "name": name, "x": json_list(x), "y": json_list(y),
            "line": {"color": color, "width": 1.4}, "hoverinfo": "skip", "meta": {"role": role}}


def draw(params: dict) -> dict:
    loss = losses.get_loss(params["loss"], params["log"])
    target = np.array([[params["target_x"], params["target_y"]]])

    t = np.linspace(-HALF_WIDTH, HALF_WIDTH, HEATMAP_CELLS)
    cells = grid_points(HEATMAP_CELLS, HALF_WIDTH)
    L = loss.value(cells, np.repeat(target, len(cells), axis=0)).reshape(HEATMAP_CELLS, HEATMAP_CELLS)

    n = params["grid"]
    p = grid_points(n, ARROW_SPAN)
    v, capped, per_cell = scaled_arrows(
        -loss.dL_dx(p, np.repeat(target, len(p), axis=0)), 2 * ARROW_SPAN / (n - 1), params["amplitude"])

    name = "log L" if params["log"] else "L"
    data = [
        {"type": "heatmap", "x": json_list(t), "y": json_list(t), "z": json_grid(L), "name": name,
         "colorscale": [[0, "#f8fbff"], [1, "#7fb1d8"]], "zsmooth": "fast", "meta": {"role": "heatmap"},
         # Colours span the 1st to 99th percentile, so the -27 of log L at the
         # target does not wash out the rest of the plane.
         "zmin": round(float(np.percentile(L, 1)), 4), "zmax": round(float(np.percentile(L, 99)), 4),
         "colorbar": {"title": {"text": name}, "thickness": 12, "len": 0.9},
         "hovertemplate": f"x = (%{{x:.2f}}, %{{y:.2f}})<br>{name} = %{{z:.3g}}<extra></extra>"},
        arrow_trace(p[~capped], v[~capped], "−∇ₓ L", "#1b1b1b", "arrows"),
        arrow_trace(p[capped], v[capped], "−∇ₓ L (capped)", "#d9480f", "capped"),
        {"type": "scatter", "mode": "markers", "name": "target y", "x": json_list(target[:, 0]),
         "y": json_list(target[:, 1]), "meta": {"role": "target"},
         "marker": {"size": 15, "color": "#e8590c", "symbol": "circle", "line": {"color": "white", "width": 2}},
         "hovertemplate": "target y = (%{x:.2f}, %{y:.2f})<extra></extra>"},
    ]
    axis = {"range": [-HALF_WIDTH, HALF_WIDTH], "zeroline": False, "fixedrange": True, "showgrid": False}
    layout = {
        "xaxis": axis | {"title": {"text": "x₁"}, "constrain": "domain"},
        "yaxis": axis | {"title": {"text": "x₂"}, "scaleanchor": "x", "scaleratio": 1, "constrain": "domain"},
        "margin": {"l": 50, "r": 10, "t": 36, "b": 40},
        "height": 480,
        "dragmode": False,
        "showlegend": False,
        "title": {"text": f"−∇ₓ {loss.label} · an arrow one cell long: |∇ₓL| = {per_cell:.3g}", "font": {"size": 13}},
    }
    return {"data": data, "layout": layout}


FIGURES = [Figure("gradient_field", "Gradient field of a loss in 2D", SCHEMA, draw)]
