r"""The gradient field of a loss in 2D, with a point the reader drags.

Mode "y": the reader drags the target y; for every x of a grid over the
plane the arrow shows :math:`-\nabla_x L(x, y)`, the way descent moves x.
Mode "x": the reader drags x; the arrows show :math:`-\nabla_y L(x, y)` over
a grid of targets y. Under the arrows, a heatmap of L (or log L) over the
variable that moves.
"""

import numpy as np

from .. import losses
from .plane import HEATMAP_CELLS, HALF_WIDTH, arrow_traces, axis, grid_points, heatmap_trace, point_trace
from .schema import Bool, Choice, Drag, Figure, Float, Int, Schema

MODES = (("y", "drag y, field −∇ₓL"), ("x", "drag x, field −∇ᵧL"))
DISPLAYS = (("arrows+heatmap", "arrows on heatmap"), ("arrows", "arrows"), ("heatmap", "heatmap"))

SCHEMA = Schema(
    params=(
        Choice("loss", "loss", "mse", choices=tuple((k, v.label) for k, v in losses.LOSSES.items())),
        Bool("log", "log L", False, help="draw the field of log L instead of L"),
        Float("alpha", "α (GenSim)", 1.0, min=0.0, max=2.0, step=0.05,
              help="GenSim's exponent: 0 gives DotSim, 1 gives CosSim"),
        Choice("mode", "mode", "y", choices=MODES),
        Choice("display", "display", "arrows+heatmap", choices=DISPLAYS),
        Int("grid", "grid size", 15, min=5, max=41, help="arrows per side"),
        Float("amplitude", "arrow amplitude", 1.0, min=0.2, max=3.0, step=0.1),
        Float("point_x", "dragged point, 1st coordinate", 0.6, min=-1.9, max=1.9, step=0.01),
        Float("point_y", "dragged point, 2nd coordinate", 0.4, min=-1.9, max=1.9, step=0.01),
    ),
    drag=Drag("point_x", "point_y"),
)


def draw(params: dict) -> dict:
    loss = losses.get_loss(params["loss"], params["log"], alpha=params["alpha"])
    point = np.array([[params["point_x"], params["point_y"]]])
    drag_y = params["mode"] == "y"
    # In mode y the plane holds x and the dragged point is y; in mode x, the reverse.
    def L(plane):
        fixed = np.repeat(point, len(plane), axis=0)
        return loss.value(plane, fixed) if drag_y else loss.value(fixed, plane)

    def minus_grad(plane):
        fixed = np.repeat(point, len(plane), axis=0)
        return -(loss.dL_dx(plane, fixed) if drag_y else loss.dL_dy(fixed, plane))

    wrt, moving, dragged = ("ₓ", "x", "y") if drag_y else ("ᵧ", "y", "x")
    name = "log L" if params["log"] else "L"
    data = []
    if "heatmap" in params["display"]:
        cells = grid_points(HEATMAP_CELLS, HALF_WIDTH)
        data.append(heatmap_trace(L(cells).reshape(HEATMAP_CELLS, HEATMAP_CELLS), name))
    title = f"{loss.label}, {name} over {moving}"
    if "arrows" in params["display"]:
        p = grid_points(params["grid"])
        with np.errstate(all="ignore"):
            v = minus_grad(p)
        arrows, per_cell = arrow_traces(p, v, params["amplitude"], wrt)
        data += arrows
        label = f"({loss.label})" if " " in loss.label else f" {loss.label}"
        title = f"−∇{wrt}{label} · an arrow one cell long: |∇{wrt}L| = {per_cell:.3g}"
    data.append(point_trace(point, f"{dragged} (drag me)"))
    layout = {
        "xaxis": axis(f"{moving}₁"),
        "yaxis": axis(f"{moving}₂", scaleanchor="x", scaleratio=1),
        "margin": {"l": 50, "r": 10, "t": 36, "b": 40},
        "height": 480,
        "dragmode": False,
        "showlegend": False,
        "title": {"text": title, "font": {"size": 13}},
    }
    return {"data": data, "layout": layout}


FIGURES = [Figure("gradient_field", "Gradient field of a loss in 2D", SCHEMA, draw)]
