r"""Which activation trains best? The same network, trained once per activation and per seed.

``activation_training``: full-batch Adam on the noisy XOR cloud (logistic loss,
accuracy on a clean test set) or on a sculpting cloud (MSE, test error against
the noiseless surface). Left, the training loss per activation, its median and
min–max band over the seeds; right, the final test metric, a bar for the median
and a dot per seed. It trains live, a chunk of Adam steps per frame.

``single_neuron_xor``: one neuron :math:`o = a\,\sigma(w \cdot x + b) + c` on
XOR. With an oscillating (or any non-monotone) :math:`\sigma` it separates the
four points; with a monotone one, :math:`o > 0` is a half-plane and at most 3 of
the 4 points are right.
"""

import warnings

import numpy as np

from .. import batched, training, xor_neuron
from ..activations import ACTIVATIONS
from ..datasets import SURFACES, Data
from ..grids import square_grid
from .palette import GREY, VIOLET, XOR_CLASSES, hex_rgba, xor_regions
from .plot import band_traces, base_layout, json_grid, json_list, progress, significant, title
from .schema import Animation, Choice, Figure, Float, Int, Schema


GROUPS = {
    "oscillating": ("ReLU, tanh against sin, z cos z", ("relu", "tanh", "sin", "zcosz")),
    "classic": ("the textbook three: ReLU, sigmoid, tanh", ("relu", "sigmoid", "tanh")),
    "relu_family": ("ReLU family", ("relu", "leaky_relu", "elu", "gelu", "silu", "softplus")),
    "smooth": ("smooth", ("softplus", "tanh", "gelu", "silu", "sin")),
    "bounded": ("bounded", ("sigmoid", "tanh", "sin")),
    "ripple": ("simple against rippled: ReLU, GELU, tanh, each ± ripple",
               ("relu", "relu_ripple", "gelu", "gelu_ripple", "tanh", "tanh_ripple")),
    "all": (f"all {len(ACTIVATIONS)}", tuple(ACTIVATIONS)),
}

DATASETS = (("xor", "noisy XOR cloud (logistic loss)"),
            *((k, f"surface: {s.label} (MSE)") for k, s in SURFACES.items()))

SCHEMA = Schema(
    params=(
        Choice("dataset", "data", "xor", choices=DATASETS),
        Choice("group", "activations", "oscillating", choices=tuple((k, v[0]) for k, v in GROUPS.items())),
        Int("depth", "hidden layers", 2, min=1, max=8),
        Int("width", "neurons per layer", 16, min=2, max=32),
        Float("lr", "Adam step size", 0.01, min=0.001, max=0.1, step=0.001),
        Int("steps", "budget (Adam steps)", 300, min=50, max=2000, step=50),
        Int("seeds", "seeds", 5, min=1, max=8),
        Float("flip", "XOR labels flipped", 0.1, min=0.0, max=0.4, step=0.01),
        Float("noise", "surface noise", 0.1, min=0.0, max=0.5, step=0.01),
    ),
)

# The cost model of one Adam step in CPython, measured on the build machines
# under load (so on the safe side): nanoseconds per hidden unit, point and seed
# of each layer, per activation (GELU's erf and the cube in its tanh form are
# the dear ones), plus a fixed cost per numpy call.
NS_PER_UNIT = {"relu": 10, "leaky_relu": 17, "softplus": 32, "sigmoid": 16, "tanh": 16, "elu": 22, "gelu": 61,
               "gelu_tanh": 166, "silu": 25, "sin": 34, "square": 11, "zcosz": 44}
NS_PER_UNIT_OTHER = 60
SECONDS_PER_CALL_BLOCK = 50e-6  # per activation and step
SECONDS_PER_LAYER_BLOCK = 20e-6  # per activation, hidden layer and step, for the cheapest activations
# A static render (the build, the tests) trains at most this long; beyond, the
# budget is capped and the title says so. A live frame trains about FRAME_SECONDS.
MAX_SECONDS = 2.5
MIN_STEPS = 5  # so few that even every activation on the largest network (8 x 32, 8 seeds) stays within MAX_SECONDS
FRAME_SECONDS = 0.02
CURVE_POINTS = 150  # points drawn per curve
METRIC_REFRESH = 0.05  # share of the budget between two measurements of the test metric while training


def config_of(params: dict, steps: int | None = None) -> training.Config:
    return training.Config(
        dataset=params["dataset"], activations=GROUPS[params["group"]][1], depth=params["depth"],
        width=params["width"], lr=params["lr"], steps=params["steps"] if steps is None else steps,
        seeds=params["seeds"], noise=params["noise"], flip=params["flip"])


def seconds_per_step(config: training.Config) -> float:
    """The estimated CPython time of one Adam step of every network of ``config``."""
    units = config.depth * config.seeds * config.n_train * config.width
    total = 0.0
    for key in config.activations:
        ns = NS_PER_UNIT.get(key, NS_PER_UNIT_OTHER)
        calls = SECONDS_PER_CALL_BLOCK + config.depth * SECONDS_PER_LAYER_BLOCK * max(1.0, ns / 20)
        total += units * ns * 1e-9 + calls
    return total


def capped_steps(config: training.Config) -> int:
    """The budget, capped so that a whole run stays under MAX_SECONDS."""
    affordable = int(MAX_SECONDS / seconds_per_step(config))
    if affordable >= 100:
        affordable -= affordable % 50  # a round budget reads better in the title
    return min(config.steps, max(MIN_STEPS, affordable))


def chunk_steps(config: training.Config) -> int:
    """Adam steps per frame: about FRAME_SECONDS of training."""
    return max(1, round(FRAME_SECONDS / seconds_per_step(config)))


# Steppable training ----------------------------------------------------------


def start(params: dict) -> dict:
    asked = config_of(params)
    config = config_of(params, capped_steps(asked))
    return {"run": training.start(config), "chunk": chunk_steps(config), "metrics": None, "metrics_at": -1}


def step(state: dict, n: int, params: dict) -> dict:
    training.step(state["run"], n * state["chunk"])
    return state


def done(state: dict, params: dict) -> bool:
    return state["run"].finished


# Drawing ----------------------------------------------------------------------


def sampled_steps(done_steps: int) -> np.ndarray:
    """At most CURVE_POINTS step indices, first and last included."""
    return np.unique(np.linspace(0, done_steps - 1, min(done_steps, CURVE_POINTS)).round().astype(int))


def seed_band(losses: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median, min and max over the seeds (axis 0) of the loss curves; diverged seeds are left out."""
    finite = np.where(np.isfinite(losses), losses, np.nan)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-diverged step: a gap, as intended
        return np.nanmedian(finite, axis=0), np.nanmin(finite, axis=0), np.nanmax(finite, axis=0)


def curve_traces(run: training.Run) -> list[dict]:
    """Per activation a min–max band (two traces, the upper filled down to the lower) and the median."""
    traces = []
    ks = sampled_steps(run.done) if run.done else np.zeros(0, dtype=int)
    x = json_list(ks)
    for key, losses in training.curves(run).items():
        colour, label = ACTIVATIONS[key].colour, ACTIVATIONS[key].label
        median, low, high = seed_band(losses[:, ks]) if run.done else (np.zeros(0),) * 3
        traces += band_traces(x, low, high, colour, label, legendgroup=key,
                              meta={"role": "loss-band", "activation": key})
        traces.append({"type": "scatter", "mode": "lines", "name": label, "x": x, "y": significant(median),
                       "legendgroup": key, "line": {"width": 2, "color": colour},
                       "meta": {"role": "loss-median", "activation": key},
                       "hovertemplate": f"{label}<br>step %{{x}}<br>median loss %{{y:.3g}}<extra></extra>"})
    return traces


def jitter(n: int) -> np.ndarray:
    """Horizontal offsets of n seed dots around a bar's centre."""
    return np.linspace(-0.22, 0.22, n) if n > 1 else np.zeros(1)


def metric_traces(run: training.Run, metrics: dict[str, np.ndarray]) -> list[dict]:
    """A bar at the median test metric of each activation and a dot per seed."""
    keys = list(metrics)
    colours = [ACTIVATIONS[k].colour for k in keys]
    median = np.array([np.median(metrics[k]) for k in keys])
    dots_x = np.concatenate([i + jitter(len(metrics[k])) for i, k in enumerate(keys)])
    dots_y = np.concatenate([metrics[k] for k in keys])
    dot_colours = [c for k, c in zip(keys, colours) for _ in metrics[k]]
    name = training.metric_label(run.config)
    return [
        {"type": "bar", "name": f"median {name}", "x": list(range(len(keys))), "y": significant(median),
         "xaxis": "x2", "yaxis": "y2", "showlegend": False, "meta": {"role": "metric-median"},
         "marker": {"color": [hex_rgba(c, 0.45) for c in colours], "line": {"color": colours, "width": 1.5}},
         "width": 0.7, "hovertemplate": f"median {name} %{{y:.4g}}<extra></extra>"},
        {"type": "scatter", "mode": "markers", "name": f"{name} per seed", "x": json_list(dots_x),
         "y": significant(dots_y), "xaxis": "x2", "yaxis": "y2", "showlegend": False,
         "meta": {"role": "metric-seeds"}, "marker": {"color": dot_colours, "size": 7, "line": {"color": "white", "width": 1}},
         "hovertemplate": f"{name} %{{y:.4g}}<extra></extra>"},
    ]


def fail_line(run: training.Run, level: float) -> dict:
    """A dashed line at the failure threshold across the metric panel (a trace: data
    coordinates on a log axis too)."""
    n = len(run.config.activations)
    return {"type": "scatter", "mode": "lines", "name": "failure threshold", "x": [-0.6, n - 0.4],
            "y": significant([level, level]), "xaxis": "x2", "yaxis": "y2", "showlegend": False,
            "meta": {"role": "fail-threshold"}, "line": {"color": GREY, "width": 1.5, "dash": "dash"},
            "hovertemplate": "a seed fails beyond %{y:.3g}<extra></extra>"}


def metric_axis(run: training.Run, metrics: dict[str, np.ndarray], level: float) -> dict:
    """Accuracy from 0.4 to 1; a test MSE on a log axis spanning the seeds and the threshold
    (bars on a log axis start at 0, so the range must be given)."""
    axis = {"anchor": "x2", "title": {"text": training.metric_label(run.config)}, "fixedrange": True}
    if run.config.dataset == training.XOR:
        return axis | {"range": [0.4, 1.0]}
    values = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in metrics.values()] + [[level]])
    low, high = np.log10(values.min()) - 0.3, np.log10(values.max()) + 0.3
    return axis | {"type": "log", "range": [round(float(low), 3), round(float(high), 3)], "dtick": "D2"}


def current_metrics(state: dict) -> tuple[dict[str, np.ndarray], int]:
    """The test metrics and the step they were measured at. The test set is five times
    the training set, so measuring it costs most of a frame: while training, it is
    remeasured every METRIC_REFRESH of the budget; at the start and end, always."""
    run = state["run"]
    refresh = max(state["chunk"], int(METRIC_REFRESH * run.config.steps))
    stale = state["metrics"] is None or run.done - state["metrics_at"] >= refresh
    if stale or (run.finished and state["metrics_at"] != run.done):
        metrics = training.final_metrics(run)
        state["metrics"] = {k: np.where(np.isfinite(v), v, np.nan) for k, v in metrics.items()}
        state["metrics_at"] = run.done
    return state["metrics"], state["metrics_at"]


def frame(state: dict, params: dict) -> dict:
    run = state["run"]
    config = run.config
    metrics, measured_at = current_metrics(state)
    capped = f" (capped from {params['steps']} at this size)" if config.steps < params["steps"] else ""
    left = f"training loss, median and min–max of {config.seeds} seeds · step {run.done} of {config.steps}{capped}"
    xor = config.dataset == training.XOR
    # Short enough for the article's column, step included.
    at = f" at step {measured_at}" if measured_at != config.steps else ""
    right = (f"test accuracy{at}; dashed: best line" if xor
             else f"test MSE{at}; dashed: failure")
    level = training.fail_level(run.config, run.data)
    labels = [ACTIVATIONS[k].tick for k in config.activations]
    layout = base_layout(
        xaxis={"title": {"text": "Adam step"}, "domain": [0, 0.56], "range": [0, max(config.steps - 1, 1)],
               "zeroline": False, "fixedrange": True},
        yaxis={"title": {"text": "logistic loss" if xor else "MSE"}, "type": "log", "dtick": "D2",
               "fixedrange": True},
        xaxis2={"domain": [0.66, 1.0], "anchor": "y2", "tickvals": list(range(len(labels))), "ticktext": labels,
                "range": [-0.6, len(labels) - 0.4], "zeroline": False, "fixedrange": True, "showgrid": False},
        yaxis2=metric_axis(run, metrics, level),
        annotations=[title(left, 0.28), title(right, 0.83)],
        legend={"orientation": "h", "x": 0.0, "y": -0.18, "font": {"size": 11}},
        margin={"l": 55, "r": 10, "t": 40, "b": 90},
        height=430,
        showlegend=True,
    )
    layout["meta"] = progress(run.done, config.steps, measured_at=measured_at)
    return {"data": curve_traces(run) + metric_traces(run, metrics) + [fail_line(run, level)], "layout": layout}


ANIMATION = Animation(start=start, step=step, frame=frame, done=done, training=True)


# One neuron on XOR ------------------------------------------------------------

NEURON_SCHEMA = Schema(
    params=(
        Choice("activation", "σ", "zcosz", choices=tuple((k, a.label) for k, a in ACTIVATIONS.items())),
        Choice("points", "data", "four", choices=(("four", "the four points (±1, ±1)"),
                                                   ("cloud", "a cloud around them"))),
        Float("spread", "cloud spread", 0.3, min=0.05, max=0.6, step=0.01),
        Int("restarts", "restarts", 8, min=1, max=12),
        Int("steps", "Adam steps", 200, min=20, max=300, step=10),
        Float("lr", "Adam step size", 0.1, min=0.005, max=0.2, step=0.005),
    ),
)

CLOUD_POINTS = 60
CLOUD_SEED = 0
PLANE = 2.2  # the plane panel shows [-PLANE, PLANE]^2
PLANE_CELLS = 61


def neuron_data(params: dict) -> Data:
    if params["points"] == "four":
        return xor_neuron.xor_points_data()
    return xor_neuron.xor_corner_cloud(CLOUD_POINTS, params["spread"], CLOUD_SEED)


def best_restart(nets: batched.Nets, losses: np.ndarray, data: Data) -> tuple[int, np.ndarray]:
    """The restart with the best training accuracy (ties: the lowest final loss), and every restart's accuracy."""
    acc = xor_neuron.accuracy_on(nets, data)
    loss = np.nan_to_num(losses[:, -1], nan=np.inf)
    return int(np.lexsort((loss, -acc))[0]), acc


def class_trace(x: np.ndarray, labels: np.ndarray, cls: int, xaxis: str, yaxis: str, y=None) -> dict:
    pick = labels.ravel() == cls
    name = "signs differ (class 1)" if cls else "signs agree (class 0)"
    return {"type": "scatter", "mode": "markers", "name": name, "xaxis": xaxis, "yaxis": yaxis,
            "x": json_list(x[pick, 0] if y is None else x[pick]),
            "y": json_list(x[pick, 1] if y is None else y[pick]), "showlegend": xaxis == "x",
            "legendgroup": f"class{cls}", "meta": {"role": f"class{cls}"},
            "marker": {"color": XOR_CLASSES[cls], "size": 11 if y is None else 9,
                       "symbol": "diamond" if cls else "circle", "line": {"color": "white", "width": 1.5}},
            "hovertemplate": f"{name}<extra></extra>"}


def draw_neuron(params: dict) -> dict:
    data = neuron_data(params)
    nets, losses = xor_neuron.train_neuron(params["activation"], params["steps"], params["lr"], params["restarts"],
                                           data)
    best, acc = best_restart(nets, losses, data)
    net = batched.unstack(nets, best)
    sigma = net.activation
    (w1, w2), (b1, b2) = net.weights, net.biases
    a, c = float(w2[0, 0]), float(b2[0])

    t, grid = square_grid(-PLANE, PLANE, PLANE_CELLS)
    with np.errstate(over="ignore", invalid="ignore"):
        logit = (a * sigma.fn(grid @ w1 + b1) + c).reshape(PLANE_CELLS, PLANE_CELLS)
        prob = 0.5 * (1.0 + np.tanh(0.5 * logit))
    u_points = (data.x @ w1 + b1).ravel()
    span = max(float(np.max(np.abs(u_points))), 1.0) * 1.3
    u = np.linspace(-span, span, 301)
    with np.errstate(over="ignore", invalid="ignore"):
        o = a * sigma.fn(u) + c
        o_points = a * sigma.fn(u_points) + c
    o_lim = 1.15 * max(float(np.max(np.abs(o_points))), 1.0)

    data_traces = [
        {"type": "heatmap", "x": json_list(t), "y": json_list(t), "z": json_grid(prob, 3), "zmin": 0, "zmax": 1,
         "colorscale": xor_regions(0.4), "showscale": False, "zsmooth": "best", "name": "P(class 1)",
         "meta": {"role": "regions"}, "hovertemplate": "P(signs differ) = %{z:.2f}<extra></extra>"},
        {"type": "contour", "x": json_list(t), "y": json_list(t), "z": json_grid(np.clip(logit, -50, 50), 3),
         "contours": {"start": 0, "end": 0, "size": 1, "coloring": "none"}, "showscale": False,
         "line": {"color": GREY, "width": 2}, "name": "o = 0", "meta": {"role": "boundary"},
         "hoverinfo": "skip"},
        class_trace(data.x, data.t, 0, "x", "y"),
        class_trace(data.x, data.t, 1, "x", "y"),
        {"type": "scatter", "mode": "lines", "name": "o = a σ(u) + c", "xaxis": "x2", "yaxis": "y2",
         "x": json_list(u), "y": json_list(np.clip(o, -10 * o_lim, 10 * o_lim)), "showlegend": False,
         "line": {"color": VIOLET, "width": 2}, "meta": {"role": "neuron"}, "hoverinfo": "skip"},
        class_trace(u_points, data.t, 0, "x2", "y2", o_points),
        class_trace(u_points, data.t, 1, "x2", "y2", o_points),
    ]
    right = round(acc[best] * len(data.x))
    label = sigma.label
    left_title = (f"{label} neuron: {right} of {len(data.x)} points right; "
                  f"{int(np.sum(acc == 1.0))}/{len(acc)} restarts at 100 %")
    layout = base_layout(
        xaxis={"range": [-PLANE, PLANE], "domain": [0, 0.5], "title": {"text": "x₁"}, "zeroline": False,
               "fixedrange": True, "constrain": "domain"},
        yaxis={"range": [-PLANE, PLANE], "title": {"text": "x₂"}, "scaleanchor": "x", "scaleratio": 1,
               "zeroline": False, "fixedrange": True, "constrain": "domain"},
        xaxis2={"domain": [0.6, 1.0], "anchor": "y2", "range": [-span, span], "fixedrange": True,
                "title": {"text": "u = w·x + b"}, "zeroline": False},
        yaxis2={"anchor": "x2", "range": [-o_lim, o_lim], "fixedrange": True, "zeroline": True,
                "title": {"text": "o (class 1 where o > 0)"}},
        annotations=[title(left_title, 0.25), title(f"along the projection: o = a·{label}(u) + c", 0.8)],
        legend={"orientation": "h", "x": 0.0, "y": -0.2, "font": {"size": 11}},
        margin={"l": 50, "r": 10, "t": 40, "b": 80},
        height=400,
        showlegend=True,
    )
    return {"data": data_traces, "layout": layout}


FIGURES = [
    Figure("activation_training", "The same network trained with each activation", SCHEMA, animation=ANIMATION,
           primary=("dataset", "group", "depth")),  # "pick a group of activations, a dataset, a depth"
    Figure("single_neuron_xor", "One neuron on XOR", NEURON_SCHEMA, draw_neuron,
           primary=("activation", "points", "spread")),  # "switch to tanh or ReLU"
]
