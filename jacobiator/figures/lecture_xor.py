r"""Figures for the lecture notes' XOR constructions (see :mod:`jacobiator.lecture`).

* ``xor_linear``: a linear model on XOR (least squares: 0.5 everywhere) beside
  the notes' two-unit ReLU network, which gets XOR exactly.
* ``xor_relu_features``: the four points mapped by :math:`\mathbf z = W^\top\mathbf x
  + \mathbf c`, then :math:`\mathbf h = \max(0, \mathbf z)`: in h one line separates them.
"""

import numpy as np

from .. import lecture as L
from ..activations import relu
from ..grids import square_grid
from .palette import GREY, HEATMAP_SCALE, RED, XOR_CLASSES
from .plot import axis, base_layout, fmt, json_grid, json_list, legend_below, title
from .schema import Figure, Float, Schema

# XOR: the linear model and the ReLU net --------------------------------------------

XOR_VIEW = (-0.5, 1.5)
XOR_CELLS = 61


def xor_points(xaxis: str, yaxis: str, outputs: np.ndarray, positions: np.ndarray | None = None) -> list[dict]:
    """The four XOR points, one trace per label, each marked with the model's output there."""
    positions = L.XOR_X if positions is None else positions
    traces = []
    for label, color in enumerate(XOR_CLASSES):
        mine = L.XOR_Y == label
        texts = [f"ŷ = {fmt(v, 2)}" for v in outputs[mine]]
        traces.append({
            "type": "scatter", "mode": "markers+text", "name": f"XOR = {label}", "xaxis": xaxis, "yaxis": yaxis,
            "x": json_list(positions[mine, 0]), "y": json_list(positions[mine, 1]), "text": texts,
            "textposition": "top center", "textfont": {"size": 11}, "meta": {"role": f"xor-{label}"},
            "marker": {"size": 14, "color": color, "line": {"color": "white", "width": 2}},
            "hovertemplate": f"XOR = {label}<br>%{{text}}<extra></extra>", "showlegend": xaxis == "x"})
    return traces


def output_heatmap(values: np.ndarray, t: np.ndarray, xaxis: str, yaxis: str, scale: bool) -> dict:
    return {"type": "heatmap", "x": json_list(t), "y": json_list(t), "z": json_grid(values), "name": "output ŷ",
            "xaxis": xaxis, "yaxis": yaxis, "zmin": -0.5, "zmax": 1.5, "zsmooth": "fast", "meta": {"role": "heatmap"},
            "colorscale": HEATMAP_SCALE, "showscale": scale,
            "colorbar": {"title": {"text": "ŷ"}, "thickness": 12, "len": 0.9},
            "hovertemplate": "(%{x:.2f}, %{y:.2f}): ŷ = %{z:.3g}<extra></extra>"}


XOR_LINEAR = Schema(params=(
    Float("w1", "w₁", 0.0, min=-2.0, max=2.0, step=0.05),
    Float("w2", "w₂", 0.0, min=-2.0, max=2.0, step=0.05),
    Float("b", "b", 0.5, min=-1.0, max=2.0, step=0.05),
))


def draw_xor_linear(params: dict) -> dict:
    w, b = np.array([params["w1"], params["w2"]]), params["b"]
    w_ls, b_ls = L.least_squares_linear(L.XOR_X, L.XOR_Y)
    t, grid = square_grid(*XOR_VIEW, XOR_CELLS)
    linear = (grid @ w + b).reshape(XOR_CELLS, XOR_CELLS)
    relu_net = L.NOTE_XOR_NET(grid).reshape(XOR_CELLS, XOR_CELLS)
    mse = L.linear_mse(w, b, L.XOR_X, L.XOR_Y)
    mse_net = float(np.mean((L.NOTE_XOR_NET(L.XOR_X) - L.XOR_Y) ** 2))
    data = [output_heatmap(linear, t, "x", "y", scale=False), output_heatmap(relu_net, t, "x2", "y2", scale=True)]
    data += xor_points("x", "y", L.XOR_X @ w + b) + xor_points("x2", "y2", L.NOTE_XOR_NET(L.XOR_X))
    mse_ls = L.linear_mse(w_ls, b_ls, L.XOR_X, L.XOR_Y)
    titles = [title(f"linear ŷ = wᵀx + b: MSE {mse:.3f}<br>least squares: w = ({fmt(w_ls[0] + 0.0)}, "
                          f"{fmt(w_ls[1] + 0.0)}), b = {fmt(b_ls)}, MSE {mse_ls:.3f}", 0.22),
              title(f"ReLU net: ŷ = max(0, x₁+x₂) − 2 max(0, x₁+x₂−1)<br>MSE {mse_net:.3g}", 0.75)]
    layout = base_layout(
        xaxis=axis("x₁", XOR_VIEW, domain=[0, 0.44]),
        yaxis=axis("x₂", XOR_VIEW, scaleanchor="x", scaleratio=1),
        xaxis2=axis("x₁", XOR_VIEW, domain=[0.53, 0.97], anchor="y2"),
        yaxis2=axis("", XOR_VIEW, anchor="x2", scaleanchor="x2", scaleratio=1),
        annotations=titles, height=400, margin={"l": 50, "r": 10, "t": 55, "b": 80},
        showlegend=True, legend=legend_below(-0.25),
    )
    return {"data": data, "layout": layout}


# XOR: into the hidden features ----------------------------------------------------

MESH_LINES = 9
MESH_POINTS = 41
FEATURE_VIEW = ((-1.2, 3.2), (-2.2, 2.2))

XOR_FEATURES = Schema(params=(
    Float("stage", "stage: 0 = x, 1 = z = xW + c, 2 = h = ReLU(z)", 2.0, min=0.0, max=2.0, step=0.05),
))


def staged(x: np.ndarray, stage: float) -> np.ndarray:
    r"""The points part way: from :math:`\mathbf x` to :math:`\mathbf z` for stage in [0, 1],
    from :math:`\mathbf z` to :math:`\mathbf h = \max(0, \mathbf z)` for stage in [1, 2]."""
    z = L.NOTE_XOR_NET.preactivation(x)
    if stage <= 1.0:
        return (1.0 - stage) * x + stage * z
    return (2.0 - stage) * z + (stage - 1.0) * relu(z)


def mesh_lines(stage: float) -> tuple[np.ndarray, np.ndarray]:
    """The lines of a mesh over the view square, mapped to the stage; gaps between lines."""
    ticks = np.linspace(*XOR_VIEW, MESH_LINES)
    along = np.linspace(*XOR_VIEW, MESH_POINTS)
    lines = [np.stack([along, np.full_like(along, c)], axis=1) for c in ticks]
    lines += [np.stack([np.full_like(along, c), along], axis=1) for c in ticks]
    gap = np.full((1, 2), np.nan)
    pts = np.concatenate([np.vstack([staged(line, stage), gap]) for line in lines])
    return pts[:, 0], pts[:, 1]


def stage_title(stage: float) -> str:
    if stage == 0.0:
        return "the input x, before the layer"
    if stage < 1.0:
        return "on the way to z = Wᵀx + c"
    if stage == 1.0:
        return "z = Wᵀx + c: the plane is squashed onto a line"
    if stage < 2.0:
        return "on the way to h = max(0, z)"
    return "h = max(0, Wᵀx + c): one line now separates the classes"


def draw_xor_relu_features(params: dict) -> dict:
    stage = params["stage"]
    net = L.NOTE_XOR_NET
    mx, my = mesh_lines(stage)
    data = [{"type": "scatter", "mode": "lines", "name": "the input square, mapped", "xaxis": "x2", "yaxis": "y2",
             "x": json_list(mx), "y": json_list(my), "line": {"color": GREY, "width": 1}, "hoverinfo": "skip",
             "meta": {"role": "mesh"}}]
    # Left: the two hidden units' kinks, where z_j = 0.
    s = np.array(XOR_VIEW)
    kinks_x = np.concatenate([s, [np.nan], s])
    kinks_y = np.concatenate([-s, [np.nan], 1.0 - s])
    data.append({"type": "scatter", "mode": "lines", "name": "kinks: x₁+x₂ = 0 and x₁+x₂ = 1",
                 "x": json_list(kinks_x), "y": json_list(kinks_y), "line": {"color": GREY, "width": 1.5, "dash": "dash"},
                 "hoverinfo": "skip", "meta": {"role": "kinks"}})
    # Right: where the output crosses 1/2, w.h + b = 1/2, i.e. h1 - 2 h2 = 1/2.
    h1 = np.array(FEATURE_VIEW[0])
    data.append({"type": "scatter", "mode": "lines", "name": "ŷ = wᵀh + b = ½", "xaxis": "x2", "yaxis": "y2",
                 "x": json_list(h1), "y": json_list((net.w[0] * h1 + net.b - 0.5) / -net.w[1]),
                 "line": {"color": RED, "width": 2}, "hoverinfo": "skip", "meta": {"role": "separator"}})
    data += xor_points("x", "y", net(L.XOR_X))
    data += xor_points("x2", "y2", net(L.XOR_X), positions=staged(L.XOR_X, stage))
    (fx, fy) = FEATURE_VIEW
    layout = base_layout(
        xaxis=axis("x₁", XOR_VIEW, domain=[0, 0.36]),
        yaxis=axis("x₂", XOR_VIEW, scaleanchor="x", scaleratio=1),
        xaxis2=axis("1st coordinate", fx, domain=[0.46, 1], anchor="y2"),
        yaxis2=axis("2nd coordinate", fy, anchor="x2", scaleanchor="x2", scaleratio=1),
        annotations=[title("input space: no line separates the classes", 0.18), title(stage_title(stage), 0.73)],
        height=400, margin={"l": 50, "r": 10, "t": 40, "b": 90}, showlegend=True, legend=legend_below(-0.3),
    )
    return {"data": data, "layout": layout}



FIGURES = [
    Figure("xor_linear", "XOR: the best linear model against a two-unit ReLU net", XOR_LINEAR, draw_xor_linear),
    Figure("xor_relu_features", "XOR in the hidden features", XOR_FEATURES, draw_xor_relu_features),
]
