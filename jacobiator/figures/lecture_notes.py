r"""Figures for the lecture notes' constructions (see :mod:`jacobiator.lecture`); the XOR
ones are in :mod:`.lecture_xor`.

* ``relu_hinges``: a 1D target and a sum of ReLU hinges; add, remove and drag hinges.
* ``linear_regions``: the activation regions of a shallow and a deep random ReLU net.
* ``mse_vs_ce``: :math:`d\ell/dz` of MSE and of cross-entropy on a sigmoid output.
"""

import numpy as np

from .. import lecture as L
from ..activations import relu, sigmoid
from ..grids import square_grid
from .palette import BRIGHT_ORANGE, GRAPE, GREY, INDIGO, ORANGE, RED, REGION_COLOURS
from .plot import axis, base_layout, fmt, json_list, legend_below, significant, title
from .schema import Bool, Choice, Drag, Figure, Float, Int, Schema

FIT, KNOT, SELECTED, ERROR = INDIGO, BRIGHT_ORANGE, RED, GRAPE
MSE_COLOR, CE_COLOR = ORANGE, INDIGO
ROUNDING = 1e-12  # an error below this is float64 rounding, whose digits differ from machine to machine


def fmt_error(v: float) -> str:
    """An error as the titles print it; rounding noise as "< 10⁻¹²", the same in CPython and Pyodide."""
    return "< 10⁻¹²" if abs(v) < ROUNDING else fmt(v)


# Hinges ------------------------------------------------------------------------------

HINGE_X = np.linspace(*L.HINGE_DOMAIN, 401)
HINGE_Y_VIEW = (-1.5, 4.5)
SLOPE_MODES = (("construction", "through the knots (the hinge construction)"),
               ("least_squares", "free slopes (least squares)"))
# The reader never meets "the notes" (the opening page credits the sources once), so the
# control names the target by its shape; lecture.py keeps its key and its own label.
TARGET_LABELS = {"note": "piecewise linear, corners at 0, 1, 2, 3, 6"}

HINGES = Schema(
    params=(
        Choice("target", "target", "note", choices=tuple((k, TARGET_LABELS.get(k, label)) for k, (label, _) in L.TARGETS.items())),
        Int("hinges", "hinges", 5, min=1, max=L.MAX_HINGES),
        Choice("slopes", "slopes", "construction", choices=SLOPE_MODES),
        Int("selected", "hinge to drag (by number)", 4, min=1, max=L.MAX_HINGES),
        Float("knot_x", "its knot t", 3.0, min=L.HINGE_DOMAIN[0], max=L.HINGE_DOMAIN[1], step=0.01),
        Float("knot_y", "its value f(t) (construction)", 3.0, min=HINGE_Y_VIEW[0], max=HINGE_Y_VIEW[1], step=0.01),
        Bool("terms", "show each hinge's term", False),
    ),
    drag=Drag("knot_x", "knot_y"),
)


def hinge_knots(params: dict, target) -> tuple[np.ndarray, np.ndarray, int]:
    """Knots, their values (for the construction) and the selected knot's index.

    The knots are :func:`lecture.knot_sequence`; the selected one (the last if
    ``selected`` exceeds the count) sits at the dragged point. A knot that
    lands on it is dropped, so knots stay distinct. Sorted by position."""
    knots = L.knot_sequence(params["hinges"])
    k = min(params["selected"], params["hinges"]) - 1
    knots[k] = params["knot_x"]
    values = target(knots)
    values[k] = params["knot_y"]
    keep = (np.abs(knots - knots[k]) > 1e-6) | (np.arange(len(knots)) == k)
    number = np.arange(1, len(knots) + 1)[keep]
    knots, values = knots[keep], values[keep]
    order = np.argsort(knots, kind="stable")
    return knots[order], values[order], number[order]


def fit_hinges(params: dict, knots, values, target_values) -> tuple[float, np.ndarray]:
    if params["slopes"] == "construction":
        return L.interpolating_hinges(knots, values)
    return L.least_squares_hinges(HINGE_X, target_values, knots)


def draw_relu_hinges(params: dict) -> dict:
    label, target = L.TARGETS[params["target"]]
    label = TARGET_LABELS.get(params["target"], label)
    y = target(HINGE_X)
    knots, values, numbers = hinge_knots(params, target)
    offset, a = fit_hinges(params, knots, values, y)
    f = L.hinge_sum(HINGE_X, knots, a, offset)
    f_knots = L.hinge_sum(knots, knots, a, offset)
    selected = min(params["selected"], params["hinges"])
    is_sel = numbers == selected
    data = []
    if params["terms"]:
        # Each hinge's term a_k max(0, x - t_k), one trace with gaps; off-plot parts are clipped by the axis.
        terms = a[:, None] * relu(HINGE_X[None, :] - knots[:, None])
        tx = np.concatenate([np.append(HINGE_X, np.nan)] * len(knots))
        ty = np.concatenate([np.append(row, np.nan) for row in np.clip(terms, -50, 50)])
        data.append({"type": "scatter", "mode": "lines", "name": "terms aₖ max(0, x − tₖ)", "x": json_list(tx),
                     "y": json_list(ty), "line": {"color": GREY, "width": 1, "dash": "dot"}, "hoverinfo": "skip",
                     "meta": {"role": "terms"}})
    data += [
        {"type": "scatter", "mode": "lines", "name": f"target: {label}", "x": json_list(HINGE_X), "y": json_list(y),
         "line": {"color": GREY, "width": 4}, "opacity": 0.6, "meta": {"role": "target-curve"}, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "lines", "name": "sum of hinges f(x)", "x": json_list(HINGE_X), "y": json_list(f),
         "line": {"color": FIT, "width": 2}, "meta": {"role": "fit"},
         "hovertemplate": "x = %{x:.2f}: f = %{y:.3f}<extra></extra>"},
        {"type": "scatter", "mode": "markers+text", "name": "knots (numbered)", "x": json_list(knots[~is_sel]),
         "y": json_list(f_knots[~is_sel]), "text": [str(n) for n in numbers[~is_sel]], "textposition": "top center",
         "marker": {"size": 10, "color": KNOT, "line": {"color": "white", "width": 1.5}}, "meta": {"role": "knots"},
         "hovertemplate": "knot %{text}: t = %{x:.2f}<extra></extra>"},
        {"type": "scatter", "mode": "markers+text", "name": f"knot {selected} (drag me)", "x": json_list(knots[is_sel]),
         "y": json_list(f_knots[is_sel]), "text": [f"{selected}: drag"], "textposition": "top center",
         "marker": {"size": 16, "color": SELECTED, "line": {"color": "white", "width": 2}}, "meta": {"role": "target"},
         "hovertemplate": "knot %{text}: t = %{x:.2f}<extra></extra>"},
        {"type": "scatter", "mode": "lines", "name": "error f − target", "x": json_list(HINGE_X), "y": json_list(f - y),
         "xaxis": "x2", "yaxis": "y2", "line": {"color": ERROR, "width": 1.5}, "meta": {"role": "error"},
         "hovertemplate": "x = %{x:.2f}: error %{y:.3g}<extra></extra>"},
    ]
    mode = "through the knots" if params["slopes"] == "construction" else "least-squares slopes"
    slope_text = ", ".join(fmt(v + 0.0, 3) for v in a) if len(a) <= 6 else f"{len(a)} values"
    layout = base_layout(
        xaxis=axis("", L.HINGE_DOMAIN, domain=[0, 1], anchor="y", showticklabels=False),
        yaxis=axis("f(x)", HINGE_Y_VIEW, domain=[0.36, 1]),
        xaxis2=axis("x", L.HINGE_DOMAIN, domain=[0, 1], anchor="y2"),
        yaxis2=axis("error", domain=[0, 0.24], zeroline=True, anchor="x2"),
        annotations=[
            title(f"{len(knots)} hinges, {mode}: slope changes a = ({slope_text}), c₀ = {fmt(offset + 0.0)}", 0.5),
            title(f"RMS error on [{fmt(L.HINGE_DOMAIN[0])}, {fmt(L.HINGE_DOMAIN[1])}]: {fmt_error(L.rms(f - y))}",
                  0.5, 0.25)],
        # The legend below the panels: above them, on a phone its five rows pushed into the title.
        height=490, margin={"l": 55, "r": 10, "t": 40, "b": 120}, showlegend=True,
        legend=legend_below(-0.2, yanchor="top", font={"size": 11}),
    )
    return {"data": data, "layout": layout}


# Linear regions ----------------------------------------------------------------------

REGIONS = Schema(params=(
    Int("seed", "seed", 0, min=0, max=99),
    Int("width", "hidden units in all (shallow: one layer; deep: two halves)", 20, min=4, max=40),
    Choice("init", "initialisation", "lecun", choices=(("lecun", "N(0, 1/fan_in), small biases (the article's)"),
                                                       ("uniform", "uniform ±1/√fan_in (PyTorch's default)"))),
    Float("half_width", "square [−h, h]²: h", 1.0, min=0.25, max=8.0, step=0.25),
    Int("grid", "grid points per side", 200, min=20, max=1000, step=10,
        help="regions are counted on this grid; the map draws at most 200 points per side"),
))
# The most points per side the map draws: a finer counting grid is thinned for drawing
# (a panel is about 300 pixels wide, so finer cells would not show).
DRAWN_POINTS = 200


def region_colors(ids: np.ndarray, count: int) -> np.ndarray:
    """A palette index per region, different for neighbours on the grid where the palette
    allows (greedy colouring of the neighbour graph, largest regions first)."""
    a = np.concatenate([ids[:, :-1].ravel(), ids[:-1].ravel()])  # each point and its right,
    b = np.concatenate([ids[:, 1:].ravel(), ids[1:].ravel()])  # then upper, neighbour
    differ = a != b
    lo, hi = np.minimum(a[differ], b[differ]), np.maximum(a[differ], b[differ])
    edges = np.unique(lo.astype(np.int64) * count + hi)  # one key per neighbouring pair
    neighbours = [[] for _ in range(count)]
    for i, j in zip((edges // count).tolist(), (edges % count).tolist()):
        neighbours[i].append(j)
        neighbours[j].append(i)
    color = np.full(count, -1)
    used = [0] * len(REGION_COLOURS)
    for r in np.argsort(-np.bincount(ids.ravel(), minlength=count), kind="stable"):
        taken = {color[n] for n in neighbours[r]}
        free = [c for c in range(len(REGION_COLOURS)) if c not in taken] or list(range(len(REGION_COLOURS)))
        # The least used free colour: the whole palette shows, not just the first few.
        color[r] = min(free, key=lambda c: used[c])
        used[color[r]] += 1
    return color


def discrete_scale(colors) -> list:
    """A Plotly colour scale with one flat band per colour (z = 0, 1, ..., len - 1)."""
    n = len(colors)
    scale = []
    for k, c in enumerate(colors):
        scale += [[k / n, c], [(k + 1) / n, c]]
    return scale


def region_map(net, params: dict, xaxis: str, yaxis: str) -> tuple[dict, int]:
    h = params["half_width"]
    t, x = square_grid(-h, h, params["grid"])
    ids, count = L.region_ids(L.activation_patterns(net, x))
    ids = ids.reshape(len(t), len(t))
    z = region_colors(ids, count)[ids]
    if len(t) > DRAWN_POINTS:
        drawn = np.round(np.linspace(0, len(t) - 1, DRAWN_POINTS)).astype(int)
        t, z = t[drawn], z[np.ix_(drawn, drawn)]
    trace = {"type": "heatmap", "x": json_list(t), "y": json_list(t), "z": z.tolist(), "xaxis": xaxis,
             "yaxis": yaxis, "colorscale": discrete_scale(REGION_COLOURS), "zmin": -0.5,
             "zmax": len(REGION_COLOURS) - 0.5, "showscale": False, "zsmooth": False, "meta": {"role": "regions"},
             "name": "linear regions", "hovertemplate": "(%{x:.2f}, %{y:.2f})<extra></extra>"}
    return trace, count


def deep_widths(width: int) -> list[int]:
    """The deep net's two layers: the shallow width split in halves (the larger first)."""
    return [width - width // 2, width // 2]


def draw_linear_regions(params: dict) -> dict:
    width, h = params["width"], params["half_width"]
    shallow = L.random_relu_net([2, width, 1], params["seed"], params["init"])
    deep_layers = deep_widths(width)
    deep = L.random_relu_net([2, *deep_layers, 1], params["seed"], params["init"])
    shallow_map, shallow_count = region_map(shallow, params, "x", "y")
    deep_map, deep_count = region_map(deep, params, "x2", "y2")
    exact = L.shallow_regions_in_square(shallow.weights[0], shallow.biases[0], h)
    titles = [
        title(f"shallow 2-{width}-1: {shallow_count} regions on the grid<br>"
                    f"{exact} in the square (exact), ≤ {L.plane_bound(width)} in the plane", 0.22),
        title(f"deep 2-{deep_layers[0]}-{deep_layers[1]}-1: {deep_count} regions on the grid<br>"
                    f"≤ {L.product_bound(deep_layers)} in the plane (product bound)", 0.78),
    ]
    rng = [-h, h]
    layout = base_layout(
        xaxis=axis("x₁", rng, domain=[0, 0.44], constrain="domain"),
        yaxis=axis("x₂", rng, scaleanchor="x", scaleratio=1, constrain="domain"),
        xaxis2=axis("x₁", rng, domain=[0.56, 1], anchor="y2", constrain="domain"),
        yaxis2=axis("", rng, anchor="x2", scaleanchor="x2", scaleratio=1, constrain="domain"),
        annotations=titles, height=420, margin={"l": 50, "r": 10, "t": 55, "b": 40}, showlegend=False,
    )
    return {"data": [shallow_map, deep_map], "layout": layout}


# MSE against cross-entropy ---------------------------------------------------------------

MSE_CE = Schema(params=(
    Choice("label", "label y", "1", choices=(("1", "y = 1"), ("0", "y = 0"))),
    Float("logit", "marked logit z", -5.0, min=-20.0, max=20.0, step=0.1),
    Float("z_max", "logits shown: |z| ≤", 10.0, min=2.0, max=20.0, step=0.5),
    Bool("log", "|dℓ/dz| on a log scale", False),
))
LOGIT_POINTS = 401


def curve(x, y, name, color, xaxis, yaxis, dash="solid") -> dict:
    return {"type": "scatter", "mode": "lines", "name": name, "x": json_list(x), "y": significant(y, rounding="decimal"),
            "xaxis": xaxis, "yaxis": yaxis, "line": {"color": color, "width": 2, "dash": dash},
            "meta": {"role": "curve"}, "showlegend": xaxis == "x",
            "hovertemplate": f"{name}<br>z = %{{x:.2f}}: %{{y:.3g}}<extra></extra>"}


def draw_mse_vs_ce(params: dict) -> dict:
    y, z0, log = float(params["label"]), params["logit"], params["log"]
    half = max(params["z_max"], abs(z0))
    z = np.linspace(-half, half, LOGIT_POINTS)
    mse, dmse = L.mse_on_sigmoid(z, y)
    ce, dce = L.ce_on_sigmoid(z, y)
    shown = (lambda g: np.where(np.abs(g) > 0, np.abs(g), np.nan)) if log else (lambda g: g)
    data = [curve(z, mse, "MSE (σ(z) − y)²", MSE_COLOR, "x", "y"),
            curve(z, ce, "cross-entropy −log P(y)", CE_COLOR, "x", "y"),
            curve(z, shown(dmse), "MSE", MSE_COLOR, "x2", "y2"),
            curve(z, shown(dce), "cross-entropy", CE_COLOR, "x2", "y2")]
    m0, dm0 = (float(v) for v in L.mse_on_sigmoid(z0, y))
    c0, dc0 = (float(v) for v in L.ce_on_sigmoid(z0, y))
    for xa, ya, values in (("x", "y", (m0, c0)), ("x2", "y2", (shown(np.array([dm0, dc0]))))):
        data.append({"type": "scatter", "mode": "markers", "name": "marked logit", "x": [z0, z0],
                     "y": significant(np.asarray(values), rounding="decimal"), "xaxis": xa, "yaxis": ya, "showlegend": False,
                     "marker": {"size": 10, "color": [MSE_COLOR, CE_COLOR], "line": {"color": "white", "width": 1.5}},
                     "meta": {"role": "marker"}, "hovertemplate": "z = %{x:.2f}: %{y:.3g}<extra></extra>"})
    p = float(sigmoid(z0))
    gradient_axis = {"type": "log", "title": {"text": "|dℓ/dz|"}, "exponentformat": "power"} if log else \
        {"title": {"text": "dℓ/dz"}, "zeroline": True}
    layout = base_layout(
        xaxis=axis("logit z", [-half, half], domain=[0, 0.44]),
        yaxis={"title": {"text": "loss ℓ"}, "fixedrange": True, "showgrid": False,
               "range": [0, min(float(ce.max()), 8.0) * 1.05]},
        xaxis2=axis("logit z", [-half, half], domain=[0.56, 1], anchor="y2"),
        yaxis2={"anchor": "x2", "fixedrange": True, "showgrid": False} | gradient_axis,
        annotations=[title(f"loss for label y = {params['label']}", 0.22),
                     title(f"dℓ/dz at z = {fmt(z0)} (σ = {fmt(p)})<br>MSE {fmt(dm0)}, CE {fmt(dc0)}", 0.78)],  # one line ran past the edge
        height=380, margin={"l": 55, "r": 10, "t": 40, "b": 80}, showlegend=True, legend=legend_below(-0.3),
    )
    return {"data": data, "layout": layout}


FIGURES = [
    Figure("relu_hinges", "A function as a sum of ReLU hinges", HINGES, draw_relu_hinges,
           primary=("target", "hinges", "slopes", "selected")),  # "drag the numbered one, or switch target"
    Figure("linear_regions", "Linear regions of a shallow and a deep ReLU net", REGIONS, draw_linear_regions,
           primary=("seed", "width", "init")),
    Figure("mse_vs_ce", "MSE against cross-entropy on a sigmoid output", MSE_CE, draw_mse_vs_ce),
]
