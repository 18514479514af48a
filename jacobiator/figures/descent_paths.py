r"""Gradient descent paths on L and on log L, side by side.

From starts on a circle, x follows :math:`x \leftarrow x - \eta \nabla_x L(x, y)`
on the left and the same rule on :math:`\log L` on the right, with the same
step size :math:`\eta`: the log version overshoots where the plain one settles.
"""

import numpy as np

from .. import losses
from ..descent import descend
from .palette import DEEP_INDIGO
from .plane import plane_axis, point_trace
from .plot import base_layout, json_list, title
from .schema import Choice, Drag, Figure, Float, Int, Schema

START_RADIUS = 1.6

SCHEMA = Schema(
    params=(
        Choice("loss", "loss", "mse", choices=tuple((k, v.label) for k, v in losses.LOSSES.items())),
        Float("alpha", "α (GenSim)", 1.0, min=0.0, max=2.0, step=0.05),
        Float("lr", "step size η", 0.1, min=0.005, max=1.0, step=0.005),
        Int("steps", "steps", 50, min=5, max=200),
        Int("starts", "starting points", 8, min=1, max=24),
        Float("point_x", "target y₁", 0.5, min=-1.9, max=1.9, step=0.01),
        Float("point_y", "target y₂", 0.3, min=-1.9, max=1.9, step=0.01),
    ),
    drag=Drag("point_x", "point_y"),
)


def starts(n: int) -> np.ndarray:
    angle = 2 * np.pi * (np.arange(n) + 0.5) / n
    return START_RADIUS * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def path_trace(paths: np.ndarray, xaxis: str, yaxis: str) -> dict:
    """All paths in one trace, separated by gaps; ``paths`` is (steps + 1, N, 2)."""
    steps, n, _ = paths.shape
    with_gaps = np.concatenate([paths, np.full((1, n, 2), np.nan)]).transpose(1, 0, 2).reshape(-1, 2)
    # Far-off points (a path thrown out of the plot) are clipped to the frame's edge.
    with_gaps = np.clip(with_gaps, -5.0, 5.0)
    return {"type": "scatter", "mode": "lines+markers", "name": "descent path", "xaxis": xaxis, "yaxis": yaxis,
            "x": json_list(with_gaps[:, 0]), "y": json_list(with_gaps[:, 1]), "meta": {"role": "paths"},
            "line": {"width": 1.2, "color": DEEP_INDIGO}, "marker": {"size": 3.5, "color": DEEP_INDIGO},
            "hoverinfo": "skip"}


def final_distance(paths: np.ndarray, target: np.ndarray) -> str:
    """The median distance to the target after the last step, as the title shows it."""
    with np.errstate(over="ignore"):  # a diverging path may be astronomically far
        d = float(np.median(np.linalg.norm(paths[-1] - target, axis=1)))
    return f"= {d:.3g}" if d < 1e6 else "→ ∞ (diverged)"


def draw(params: dict) -> dict:
    target = np.array([[params["point_x"], params["point_y"]]])
    x0 = starts(params["starts"])
    plain = losses.get_loss(params["loss"], log=False, alpha=params["alpha"])
    panels = [(plain, "x", "y")]
    try:
        panels.append((losses.get_loss(params["loss"], log=True, alpha=params["alpha"]), "x2", "y2"))
        no_log = None
    except ValueError as e:
        no_log = str(e)

    data, titles = [], []
    for loss, xa, ya in panels:
        paths = descend(loss, x0, target, params["lr"], params["steps"])
        data.append(path_trace(paths, xa, ya))
        titles.append(f"descent on {loss.label}: median final |x − y| {final_distance(paths, target)}")
    data.append(point_trace(target, "target y (drag me)"))
    data.append(point_trace(target, "target y", role="target-copy") | {"xaxis": "x2", "yaxis": "y2"})
    if no_log:
        titles.append("log L is not defined for this loss")

    layout = base_layout(
        xaxis=plane_axis("x₁", domain=[0, 0.46]),
        yaxis=plane_axis("x₂", scaleanchor="x", scaleratio=1),
        xaxis2=plane_axis("x₁", domain=[0.54, 1], anchor="y2"),
        yaxis2=plane_axis("", scaleanchor="x2", scaleratio=1, anchor="x2"),
        annotations=[title(t, x) for t, x in zip(titles, (0.23, 0.77))],
        margin={"l": 50, "r": 10, "t": 40, "b": 40},
        height=360,
        showlegend=False,
    )
    return {"data": data, "layout": layout}


# The text: "change the step size and watch where the log version starts to overshoot".
FIGURES = [Figure("descent_paths", "Gradient descent on L and on log L", SCHEMA, draw,
                   primary=("loss", "lr", "steps"))]
