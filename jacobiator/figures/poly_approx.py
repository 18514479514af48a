r"""Polynomial approximations of activations, and the range that matters.

``poly_approx``: softplus, sigmoid or tanh beside its Taylor polynomial at 0,
its Chebyshev least-squares fit on :math:`[-R, R]` and (softplus) the
log-series trick; below, :math:`|p(x) - f(x)|` on a log scale over a wide range.
The Taylor series converges only for :math:`|x| < \rho` (:math:`\pi`, or
:math:`\pi/2` for tanh); the fit is good on :math:`[-R, R]` and nowhere else.

``preactivation_histogram``: which R is enough? A small MLP is trained, and
the pre-activations :math:`z_k = a_{k-1} W_k + b_k` that :math:`\sigma` receives
are counted, before and after training, with the share inside :math:`[-R, R]`.
"""

import numpy as np

from .. import nn, polyapprox
from ..activations import ACTIVATIONS
from ..datasets import SURFACES, surface_cloud, xor_cloud
from .palette import BLUE, GREY, ORANGE, VIOLET, hex_rgba
from .plot import base_layout, fmt, json_list, legend_below, percent, significant, title
from .schema import Choice, Figure, Float, Int, Schema

# ---------------------------------------------------------------------------
# poly_approx

SAMPLES = 801  # points across the view: smooth curves at any half-width up to 30
ERROR_FLOOR = 1e-16  # double rounding: smaller errors are drawn at this level
ERROR_CEILING = 1e2  # larger errors leave the scale; they are drawn dotted along its top
FUNCTION_COLOUR = GREY
# Violet, not green, for the third: orange and green look alike to a red-green colour-blind reader.
COLOURS = {"taylor": ORANGE, "chebyshev": BLUE, "log_series": VIOLET}
BAND_FILL = hex_rgba(BLUE, 0.10)
NAMES = {"taylor": "Taylor at 0", "chebyshev": "Chebyshev fit", "log_series": "log series (uses eˣ, ÷)"}

APPROX_SCHEMA = Schema(
    params=(
        Choice("function", "function", "softplus",
               choices=tuple((k, t.label) for k, t in polyapprox.TARGETS.items())),
        Int("degree", "degree d", 9, min=1, max=21),
        Float("R", "fit range R", 4.0, min=1.0, max=20.0, step=0.5),
        Float("view", "view half-width", 10.0, min=4.0, max=30.0, step=0.5),
    ),
)


def legend_error(v: float) -> str:
    """An error for a legend: 2 significant digits, plain where that reads better."""
    if 10 <= v < 1e5:
        return f"{v:.0f}"
    return fmt(v, 2) if 1e-3 <= v < 10 else f"{v:.1e}"


def curve_trace(x, y, name, colour, role, width=2.0, dash=None, **extra) -> dict:
    line = {"color": colour, "width": width} | ({"dash": dash} if dash else {})
    return {"type": "scatter", "mode": "lines", "x": json_list(x), "y": y, "name": name, "line": line,
            "meta": {"role": role}} | extra


def error_traces(x, err, method) -> list[dict]:
    """The error on the log axis, and its off-scale part as a dotted line along the top."""
    colour = COLOURS[method]
    with np.errstate(invalid="ignore"):
        off = ~(err <= ERROR_CEILING)  # NaN or inf count as off the scale
    shown = np.where(off, np.nan, np.maximum(err, ERROR_FLOOR))
    top = np.where(off, ERROR_CEILING, np.nan)
    common = {"xaxis": "x2", "yaxis": "y2", "showlegend": False}
    return [
        curve_trace(x, significant(shown, rounding="scaled"), NAMES[method], colour, f"{method}-error", width=1.6, **common,
                    hovertemplate="x = %{x:.2f}<br>|error| = %{y:.2e}<extra>" + NAMES[method] + "</extra>"),
        curve_trace(x, json_list(top), NAMES[method] + " (off scale)", colour, f"{method}-clipped", width=2.5,
                    dash="dot", **common,
                    hovertemplate="x = %{x:.2f}<br>|error| > 10²: off the scale<extra>" + NAMES[method] + "</extra>"),
    ]


def band_shapes(R: float, radius: float) -> list[dict]:
    """[-R, R] shaded through both panels; the Taylor radius as dotted lines."""
    shapes = [{"type": "rect", "xref": "x", "yref": "paper", "x0": -R, "x1": R, "y0": 0, "y1": 1,
               "fillcolor": BAND_FILL, "line": {"width": 0}, "layer": "below"}]
    shapes += [{"type": "line", "xref": "x", "yref": "paper", "x0": s * radius, "x1": s * radius, "y0": 0,
                "y1": 1, "line": {"color": FUNCTION_COLOUR, "width": 1.2, "dash": "dot"}} for s in (-1, 1)]
    return shapes


def draw_approx(params: dict) -> dict:
    key, degree, R, view = params["function"], params["degree"], params["R"], params["view"]
    target = polyapprox.get_target(key)
    x = np.linspace(-view, view, SAMPLES)
    f = target.fn(x)
    span = float(f.max() - f.min())
    lo, hi = float(f.min()) - 0.25 * span, float(f.max()) + 0.25 * span
    x_fit = np.linspace(-R, R, 2001)  # the quoted max error on [-R, R], on its own grid
    f_fit = target.fn(x_fit)

    data = [curve_trace(x, json_list(f), target.label, FUNCTION_COLOUR, "function", width=4.5)]
    errors = []
    for method in polyapprox.methods_for(key):
        p = polyapprox.approximant(method, key, degree, R)
        with np.errstate(over="ignore", invalid="ignore"):
            y = p(x)
            worst = float(np.max(np.abs(p(x_fit) - f_fit)))
        # Beyond the frame's edge by a whole span: clipping there changes nothing one can see.
        shown = np.clip(np.nan_to_num(y, nan=hi + span, posinf=hi + span, neginf=lo - span), lo - span, hi + span)
        label = f"{NAMES[method]}: max |error| on [−{R:g}, {R:g}] = {legend_error(worst)}"
        data.append(curve_trace(x, json_list(shown), label, COLOURS[method], method))
        errors += error_traces(x, np.abs(y - f), method)
    data += errors

    r_text = f"{R:g}"
    annotations = [
        title(f"{target.label}, degree {degree}; shaded: [−{r_text}, {r_text}]; dotted: |x| = "
              f"{target.radius_label}, the Taylor series' radius of convergence", 0.5),
        # Short enough for one line on a phone: two would climb into the panel above.
        title("|p(x) − f(x)|, log scale; dotted on top: > 10²", 0.5, 0.425),
    ]
    layout = base_layout(
        xaxis={"range": [-view, view], "domain": [0, 1], "anchor": "y", "showticklabels": False,
               "zeroline": False, "fixedrange": True},
        yaxis={"range": [lo, hi], "domain": [0.5, 1], "title": {"text": "value"}, "fixedrange": True},
        xaxis2={"range": [-view, view], "domain": [0, 1], "anchor": "y2", "title": {"text": "x"},
                "zeroline": False, "fixedrange": True},
        yaxis2={"type": "log", "range": [np.log10(ERROR_FLOOR), np.log10(ERROR_CEILING) + 0.3],
                "domain": [0, 0.4], "title": {"text": "|error|"}, "exponentformat": "power",
                "dtick": 4, "fixedrange": True},
        shapes=band_shapes(R, target.radius),
        annotations=annotations,
        # Below the panels, one entry a line on a phone: its names are long, and inside the
        # top panel on a phone the legend pushed the plot into a third of the width.
        legend=legend_below(-0.15, yanchor="top", font={"size": 11}),
        margin={"l": 55, "r": 10, "t": 30, "b": 130},
        height=550,
        showlegend=True,
    )
    return {"data": data, "layout": layout}


# ---------------------------------------------------------------------------
# preactivation_histogram

SIZES = [2, 16, 16, 1]
POINTS = 200
NOISE = 0.05  # on the surface heights
BINS = 40
HISTOGRAM_ACTIVATIONS = ("tanh", "sigmoid", "softplus", "relu", "gelu", "silu", "elu")
BEFORE_COLOUR, AFTER_COLOUR = GREY, ORANGE
TASKS = (("xor", "XOR cloud (logistic loss)"),) + tuple(
    (k, f"surface: {s.label} (MSE)") for k, s in SURFACES.items())

HISTOGRAM_SCHEMA = Schema(
    params=(
        Choice("task", "data", "xor", choices=TASKS),
        Choice("activation", "activation σ", "tanh",
               choices=tuple((k, ACTIVATIONS[k].label) for k in HISTOGRAM_ACTIVATIONS)),
        Int("steps", "training steps (Adam, full batch)", 150, min=0, max=200, step=10),
        Float("lr", "learning rate", 0.03, min=0.002, max=0.1, step=0.002),
        Float("R", "range R", 4.0, min=1.0, max=20.0, step=0.5),
        Int("seed", "seed", 0, min=0, max=99),
    ),
)


def task_data(task: str, seed: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Inputs, targets and the objective's key in nn.OBJECTIVES."""
    if task == "xor":
        x, t = xor_cloud(POINTS, 0.0, seed)
        return x, t, "logistic"
    x, t = surface_cloud(task, POINTS, NOISE, seed)
    return x, t, "mse"


def trained_preactivations(task: str, activation: str, steps: int, lr: float, seed: int) -> dict:
    r"""The hidden pre-activations :math:`z_k` (flattened, one array per hidden layer)
    at initialization and after ``steps`` Adam steps, and the loss before and after."""
    x, t, objective = task_data(task, seed)
    net = nn.init_mlp(SIZES, activation, np.random.default_rng(seed))
    before = [z.ravel() for z in nn.preactivations(net, x)]
    losses = nn.train(net, x, t, steps, lr, objective)
    with np.errstate(over="ignore", invalid="ignore"):
        after = [z.ravel() for z in nn.preactivations(net, x)]
        final = nn.OBJECTIVES[objective](nn.predict(net, x), t)[0]
    return {"before": before, "after": after, "loss_before": losses[0] if losses else final, "loss_after": final}


def share_inside(z: np.ndarray, R: float) -> float:
    r"""The share of pre-activations with :math:`|z| \le R` (non-finite ones count as outside)."""
    return float(np.mean(np.abs(z) <= R)) if z.size else 1.0


def bar_trace(z, edges, name, colour, axis_suffix, showlegend) -> dict:
    counts, _ = np.histogram(z, bins=edges)
    share = counts / max(z.size, 1)
    centres, width = 0.5 * (edges[:-1] + edges[1:]), edges[1] - edges[0]
    return {"type": "bar", "x": json_list(centres), "y": json_list(share), "width": float(width),
            "name": name, "marker": {"color": colour, "line": {"width": 0}}, "opacity": 0.6,
            "xaxis": "x" + axis_suffix, "yaxis": "y" + axis_suffix, "showlegend": showlegend,
            "meta": {"role": "histogram"},
            "hovertemplate": "z ≈ %{x:.2f}: %{y:.1%} of z<extra>" + name + "</extra>"}


def draw_histogram(params: dict) -> dict:
    R = params["R"]
    run = trained_preactivations(params["task"], params["activation"], params["steps"], params["lr"],
                                 params["seed"])
    layers = len(run["before"])
    gap = 0.08
    width = (1.0 - gap * (layers - 1)) / layers
    data, shapes, annotations, layout = [], [], [], {}
    for k, (z0, z1) in enumerate(zip(run["before"], run["after"])):
        suffix = "" if k == 0 else str(k + 1)
        finite = np.concatenate([z0[np.isfinite(z0)], z1[np.isfinite(z1)]])
        lo, hi = float(finite.min()), float(finite.max())
        pad = 0.05 * max(hi - lo, 1e-3)
        lo, hi = lo - pad, hi + pad
        edges = np.linspace(lo, hi, BINS + 1)
        data.append(bar_trace(z0, edges, "at initialization", BEFORE_COLOUR, suffix, k == 0))
        data.append(bar_trace(z1, edges, f"after {params['steps']} steps", AFTER_COLOUR, suffix, k == 0))
        domain = [k * (width + gap), k * (width + gap) + width]
        x_ref = "x" + suffix
        # [-R, R] shaded where it meets the plotted range; dashed edges where they are in view.
        if -R < hi and R > lo:
            shapes.append({"type": "rect", "xref": x_ref, "yref": "paper", "x0": max(-R, lo), "x1": min(R, hi),
                           "y0": 0, "y1": 1, "fillcolor": BAND_FILL, "line": {"width": 0}, "layer": "below"})
        shapes += [{"type": "line", "xref": x_ref, "yref": "paper", "x0": e, "x1": e, "y0": 0, "y1": 1,
                    "line": {"color": BLUE, "width": 1.2, "dash": "dash"}} for e in (-R, R) if lo < e < hi]
        annotations.append(title(f"layer {k + 1}: in [−{R:g}, {R:g}] {percent(share_inside(z0, R))} before, "
                                 f"{percent(share_inside(z1, R))} after", sum(domain) / 2))
        layout["xaxis" + suffix] = {"domain": domain, "range": [lo, hi], "anchor": "y" + suffix,
                                    "title": {"text": f"pre-activation z{k + 1}"}, "fixedrange": True,
                                    "zeroline": False}
        layout["yaxis" + suffix] = {"anchor": "x" + suffix, "title": {"text": "share of z" if k == 0 else ""},
                                    "tickformat": ".0%", "fixedrange": True, "rangemode": "tozero"}
    loss_name = "cross-entropy" if params["task"] == "xor" else "MSE"
    annotations.append(title(f"{loss_name} {run['loss_before']:.3g} → {run['loss_after']:.3g}", 1.0, 1.09,
                             yshift=4, xanchor="right", font={"size": 11}))
    layout |= {
        "barmode": "overlay",
        "bargap": 0,
        "shapes": shapes,
        "annotations": annotations,
        # Below the axes: above them it shared the top line with the loss note, and on a
        # phone the two ran into each other.
        "legend": legend_below(-0.22, yanchor="top", font={"size": 11}),
        "margin": {"l": 55, "r": 10, "t": 62, "b": 80},
        "height": 390,
        "showlegend": True,
    }
    layout = base_layout(**layout)
    return {"data": data, "layout": layout}


FIGURES = [
    Figure("poly_approx", "Polynomial approximations of an activation", APPROX_SCHEMA, draw_approx),
    Figure("preactivation_histogram", "What range do pre-activations cover?", HISTOGRAM_SCHEMA, draw_histogram,
           primary=("task", "activation", "R")),  # surface or XOR, tanh or ReLU, the fitted range
]
