r"""The *destroy the Jacobian* figures (see :mod:`jacobiator.destroy`).

``destroy_training``: one GELU net learns noisy XOR live while its backward
pass is distorted. Left, the decision regions (the net's P(class 1)) under the
training points; right, the loss and the accuracy on the training and the clean
test set.

``destroy_sweep``: the final test accuracy against the flip probability p,
against the sign keeping β, or against depth with no distortion; mean and
min–max band over the seeds. Rendered at build time; the reader can run it
again live, and the title tells the progress.
"""

from dataclasses import dataclass

import numpy as np

from .. import batched, destroy
from ..datasets import best_cut_accuracy
from ..grids import square_grid
from .palette import BLUE, GREY, ORANGE, TEAL, VIOLET, XOR_CLASSES, xor_regions
from .plot import (band_traces, base_layout, json_grid, json_list, legend_below, log_range, progress, significant,
                   title)
from .schema import Animation, Bool, Choice, Figure, Float, Int, Schema, restart_unless_only

OPTIMIZERS = (("adam", "Adam"), ("sgd", "plain gradient descent"), ("momentum", "heavy-ball momentum 0.9"))


def network_params(depth: int, steps: int, steps_max: int) -> tuple:
    """The parameters both figures share: network, optimiser, data."""
    return (
        Int("depth", "hidden layers", depth, min=1, max=8),
        Int("width", "units per layer", 16, min=2, max=32),
        Choice("optimizer", "optimiser", "adam", choices=OPTIMIZERS),
        Float("lr", "learning rate", 0.01, min=0.001, max=1.0, step=0.001,
              help="the step that trains exact backprop best: "
                   + "; ".join(f"{label}: {destroy.TUNED_STEP[key]:g}" for key, label in OPTIMIZERS)),
        Int("steps", "training steps", steps, min=50, max=steps_max, step=50),
        Float("label_flip", "training labels flipped", 0.1, min=0.0, max=0.4, step=0.01),
        *cure_params(),
    )


def cure_params() -> tuple:
    """The standard cures for a deep plain net (see :mod:`jacobiator.batched`)."""
    return (
        Bool("norm", "normalise hidden pre-activations", False,
             help="each point's pre-activations centred and scaled over their layer (layer norm, no learned scale)"),
        Bool("residual", "skip connections", False,
             help="a hidden layer adds its input to its output: a ← a + σ(Wa + b) (where the widths agree)"),
        Float("init_gain", "initial weights × gain", 1.0, min=0.25, max=4.0, step=0.05,
              help="1: the default N(0, 1/fan-in) weights; below 1 the signal shrinks layer by layer, above 1 it grows"),
    )


def cures_summary(params: dict) -> str:
    """The cures switched on, in a few words for a title ("" for the plain net)."""
    said = (["normalised"] if params["norm"] else []) + (["skip connections"] if params["residual"] else [])
    if params["init_gain"] != 1.0:
        said.append(f"initial weights ×{params['init_gain']:g}")
    return ", ".join(said)


# Where a distortion acts: (parameter prefix, label, help of its flips, help of its sign keeping).
PLACES = (
    ("x", "∇ₓ", "each component of the gradient passed backwards flips its sign with probability p",
     "1: exact; 0: only the signs, at the mean magnitude"),
    ("grad", "∇θ", "each component of the parameter gradient flips its sign with probability p",
     "1: exact; 0: only the signs, at the mean magnitude (signSGD)"),
    ("theta", "θ in backprop", "the weights used in the backward pass flip signs; the forward pass keeps the true ones",
     "0: the backward pass uses only the signs of the weights (sign-concordant feedback)"),
)


def distortion_params() -> tuple:
    flips_and_betas = tuple(
        param
        for prefix, label, flips_help, beta_help in PLACES
        for param in (
            Float(f"{prefix}_flip", f"{label}: flip probability p", 0.0, min=0.0, max=1.0, step=0.01,
                  help=flips_help),
            Float(f"{prefix}_beta", f"{label}: sign keeping β", 1.0, min=0.0, max=1.0, step=0.05, help=beta_help),
        )
    )
    return flips_and_betas + (
        Bool("feedback", "θ in backprop: a fixed random matrix", False,
             help="feedback alignment: the backward pass uses fixed random weights instead of θ"),
        Float("blur", "σ′ in backprop: blur width", 0.0, min=0.0, max=destroy.BLUR_MAX, step=0.05,
              help="the backward pass uses the activation's derivative averaged over a Gaussian of this width"),
        Float("x_clip", "∇ₓ: clip at (× mean magnitude)", 0.0, min=0.0, max=destroy.CLIP_MAX, step=0.1,
              help="0: no clipping; c: each component of ∇ₓ is clipped to ±c times its layer's mean magnitude"),
    )


def setup_of(params: dict) -> destroy.Setup:
    return destroy.Setup(depth=params["depth"], width=params["width"], lr=params["lr"], steps=params["steps"],
                         optimizer=params["optimizer"], label_flip=params["label_flip"],
                         init_gain=params["init_gain"], norm=params["norm"], residual=params["residual"])


def distortion_of(params: dict) -> destroy.Distortion:
    return destroy.Distortion(**{name: params[name] for name in destroy.Distortion.__dataclass_fields__})


# The live training ------------------------------------------------------------

TRAINING_SCHEMA = Schema(
    params=(
        *distortion_params(),
        *network_params(depth=3, steps=400, steps_max=1000),
        Int("speed", "steps per frame", 5, min=1, max=50),
        Int("seed", "seed", 1, min=0, max=99),
    ),
)

PLANE = 3.0  # the regions are drawn on [-PLANE, PLANE]^2
CELLS = 41
EVAL_EVERY = 10  # losses and accuracies are measured every 10 steps: a curve needs no more
CURVES = (("train", "train", ORANGE), ("test", "test (clean labels)", BLUE))
LOSS_TICKS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
SETBACK_TICKS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
SPEED = ("speed",)  # changing the speed keeps the run going


@dataclass
class Live:
    run: destroy.Run
    history: list  # (step, {train_loss, test_loss, train_accuracy, test_accuracy})


def record(live: Live) -> None:
    live.history.append((live.run.done, {k: float(v[0]) for k, v in destroy.evaluate(live.run).items()}))


def start_training(params: dict) -> Live:
    run = destroy.start(setup_of(params), [distortion_of(params)], [params["seed"]])
    live = Live(run, [])
    record(live)
    return live


def train(live: Live, steps: int) -> Live:
    run = live.run
    while steps > 0 and not run.finished:
        chunk = min(steps, EVAL_EVERY - run.done % EVAL_EVERY)
        destroy.step(run, chunk)
        steps -= chunk
        if run.done % EVAL_EVERY == 0 or run.finished:
            record(live)
    return live


def regions_traces(live: Live) -> list[dict]:
    t, grid = square_grid(-PLANE, PLANE, CELLS)
    run = live.run
    with np.errstate(over="ignore", invalid="ignore"):
        logit = batched.predict(run.nets, grid)[0, :, 0]
        prob = np.nan_to_num(0.5 * (1.0 + np.tanh(0.5 * logit)), nan=0.5)
    traces = [{"type": "heatmap", "x": json_list(t), "y": json_list(t), "z": json_grid(prob.reshape(CELLS, CELLS), 3),
               "zmin": 0, "zmax": 1, "zsmooth": "fast", "showscale": False, "name": "P(class 1)",
               "colorscale": xor_regions(0.45),
               "meta": {"role": "regions"}, "hovertemplate": "P(class 1) = %{z:.2f}<extra></extra>"}]
    x, labels = run.data.x, run.data.t[:, 0]
    for cls, name in ((0, "class 0 (signs agree)"), (1, "class 1 (signs differ)")):
        pick = labels == cls
        traces.append({"type": "scatter", "mode": "markers", "name": name, "x": json_list(x[pick, 0], 3),
                       "y": json_list(x[pick, 1], 3), "legendgroup": f"class{cls}", "meta": {"role": f"class{cls}"},
                       "marker": {"color": XOR_CLASSES[cls], "size": 6, "symbol": "diamond" if cls else "circle",
                                  "line": {"color": "white", "width": 0.8}},
                       "hovertemplate": f"{name}, as labelled for training<extra></extra>"})
    return traces


def history_traces(live: Live) -> list[dict]:
    steps = json_list([s for s, _ in live.history])
    traces = []
    for which, label, colour in CURVES:
        for metric, axes, dash in (("loss", ("x2", "y2"), "solid"), ("accuracy", ("x3", "y3"), "solid")):
            values = np.array([h[f"{which}_{metric}"] for _, h in live.history])
            if metric == "loss":
                values = np.where(np.isfinite(values) & (values > 0), values, np.nan)
            traces.append({"type": "scatter", "mode": "lines", "name": label, "x": steps, "y": significant(values),
                           "xaxis": axes[0], "yaxis": axes[1], "legendgroup": which, "showlegend": metric == "loss",
                           "line": {"color": colour, "width": 1.8, "dash": dash},
                           "meta": {"role": f"{which}-{metric}"},
                           "hovertemplate": f"{label} {metric} %{{y:.3g}} at step %{{x}}<extra></extra>"})
    return traces


def distortion_summary(params: dict) -> str:
    """What is distorted, in a few words for the title."""
    parts = []
    for prefix, name in (("x", "∇ₓ"), ("grad", "∇θ"), ("theta", "θ")):
        flip, beta = params[f"{prefix}_flip"], params[f"{prefix}_beta"]
        said = ([f"β={beta:g}"] if beta < 1 else []) + ([f"p={flip:g}"] if flip > 0 else [])
        if prefix == "theta" and params["feedback"]:
            said.insert(0, "random")
        if prefix == "x" and params["x_clip"] > 0:
            said.insert(0, f"clipped at {params['x_clip']:g}×")
        if said:
            parts.append(f"{name} {' '.join(said)}")
    if params["blur"] > 0:
        parts.append(f"σ′ blurred by {params['blur']:g}")
    return ", ".join(parts) if parts else "exact backprop"


def training_frame(live: Live, p: dict) -> dict:
    run = live.run
    last = live.history[-1][1]
    cures = cures_summary(p)
    status = (f"step {run.done} of {run.setup.steps} · {distortion_summary(p)}{' · ' + cures if cures else ''} · "
              f"test accuracy {100 * last['test_accuracy']:.1f} %")
    axis = {"fixedrange": True, "zeroline": False}
    history = history_traces(live)
    layout = base_layout(**{
        "xaxis": axis | {"domain": [0, 0.5], "range": [-PLANE, PLANE], "title": {"text": "x₁"}, "constrain": "domain"},
        "yaxis": axis | {"range": [-PLANE, PLANE], "title": {"text": "x₂"}, "scaleanchor": "x", "scaleratio": 1,
                         "constrain": "domain"},
        "xaxis2": axis | {"domain": [0.62, 1.0], "anchor": "y2", "range": [0, run.setup.steps],
                          "showticklabels": False},
        "yaxis2": axis | {"domain": [0.55, 1.0], "anchor": "x2", "type": "log", "title": {"text": "logistic loss"},
                          "tickvals": list(LOSS_TICKS), "ticktext": [f"{v:g}" for v in LOSS_TICKS]}
        | log_range(*(t["y"] for t in history if t["yaxis"] == "y2")),
        "xaxis3": axis | {"domain": [0.62, 1.0], "anchor": "y3", "range": [0, run.setup.steps],
                          "title": {"text": "step"}},
        "yaxis3": axis | {"domain": [0.0, 0.45], "anchor": "x3", "range": [0.3, 1.02], "title": {"text": "accuracy"},
                          "tickformat": ".0%"},
        "annotations": [title(status, 0.5)],
        "legend": legend_below(-0.14, yanchor="top", font={"size": 11}),
        "margin": {"l": 50, "r": 10, "t": 30, "b": 60},
        "height": 480,
    })
    layout["meta"] = progress(run.done, run.setup.steps, test_accuracy=last["test_accuracy"])
    return {"data": regions_traces(live) + history, "layout": layout}


TRAINING = Animation(start=start_training, step=lambda live, n, params: train(live, n * params["speed"]),
                     frame=training_frame, update=restart_unless_only(SPEED, start_training),
                     done=lambda live, params: live.run.finished, training=True)


# The sweeps --------------------------------------------------------------------

SWEEP_SCHEMA = Schema(
    params=(
        Choice("sweep", "sweep", "flip", choices=tuple((k, s.axis) for k, s in destroy.SWEEPS.items())),
        Int("seeds", "seeds", 4, min=1, max=6),
        *network_params(depth=4, steps=300, steps_max=800),
    ),
)

# Cost model of one training step in CPython, per network (slice), hidden layer
# and 16 units of width, on 200 points: measured on the build machine (GELU's
# erf is most of it). A frame trains about FRAME_SECONDS; a static render is
# capped at MAX_SECONDS, and the title says so.
SECONDS_PER_SLICE_LAYER = 0.19e-3
NORM_COST = 1.4  # normalising the hidden layers: measured 0.275 against 0.194 ms per slice, layer and step
FRAME_SECONDS = 0.02  # about 4 times that in Pyodide: still 10 frames a second
MAX_SECONDS = 30.0
CURVE_COLOURS = {"x": ORANGE, "grad": BLUE, "both": VIOLET, "exact": TEAL}


def step_seconds(job: destroy.Job) -> float:
    norm = NORM_COST if job.setup.norm else 1.0
    return SECONDS_PER_SLICE_LAYER * norm * job.slices * job.setup.depth * max(1.0, job.setup.width / 16)


def capped_setup(params: dict) -> destroy.Setup:
    """The setup, its step budget capped so that the whole sweep stays under MAX_SECONDS."""
    setup = setup_of(params)
    seeds = list(range(1, params["seeds"] + 1))
    per_step = sum(step_seconds(j) for j in destroy.jobs(destroy.get_sweep(params["sweep"]), setup, seeds))
    affordable = int(MAX_SECONDS / per_step) // 50 * 50
    return destroy.Setup(**{**setup.__dict__, "steps": max(50, min(setup.steps, affordable))})


def start_sweep(params: dict) -> destroy.SweepRun:
    seeds = list(range(1, params["seeds"] + 1))
    return destroy.start_sweep(params["sweep"], capped_setup(params), seeds)


def step_sweep(sr: destroy.SweepRun, frames: int, params: dict) -> destroy.SweepRun:
    for _ in range(frames):
        if sr.finished:
            break
        chunk = max(1, round(FRAME_SECONDS / step_seconds(sr.jobs[sr.current])))
        destroy.step_sweep(sr, chunk)
    return sr


def mean_band_traces(x: list, values: np.ndarray, key: str, label: str, axes: tuple[str, str],
                     legend: bool) -> list[dict]:
    """Mean line and min–max band over the seeds (last axis) of ``values`` (points, seeds)."""
    colour = CURVE_COLOURS[key]
    measured = ~np.all(np.isnan(values), axis=1)
    with np.errstate(invalid="ignore"):
        mean = np.where(measured, np.nanmean(np.where(measured[:, None], values, 0.0), axis=1), np.nan)
        low = np.where(measured, np.nanmin(np.where(measured[:, None], values, np.inf), axis=1), np.nan)
        high = np.where(measured, np.nanmax(np.where(measured[:, None], values, -np.inf), axis=1), np.nan)
    common = {"xaxis": axes[0], "yaxis": axes[1], "legendgroup": key}
    return [
        *band_traces(x, low, high, colour, label, meta={"role": "band"}, **common),
        common | {"type": "scatter", "x": x, "mode": "lines+markers", "name": label, "y": significant(mean),
                  "showlegend": legend, "line": {"width": 2, "color": colour}, "marker": {"size": 6, "color": colour},
                  "meta": {"role": "mean", "curve": key},
                  "hovertemplate": f"{label}<br>%{{x}}: mean %{{y:.3g}}<extra></extra>"},
    ]


def sweep_frame(sr: destroy.SweepRun, params: dict) -> dict:
    sweep = sr.sweep
    accuracy = sr.accuracy.copy()
    if not sr.finished:  # the batch in training shows where it is now
        job = sr.jobs[sr.current]
        accuracy[job.curve, list(job.values)] = destroy.job_accuracy(sr)
    x = json_list(np.array(sweep.values, dtype=float))
    traces = []
    for c, curve in enumerate(sweep.curves):
        traces += mean_band_traces(x, accuracy[c], curve.key, curve.label, ("x", "y"), True)
    setup = sr.jobs[0].setup
    asked = params["steps"]
    capped = f", capped from {asked}" if setup.steps < asked else ""
    seeds = len(sr.jobs[0].seeds)
    where = "" if sweep.over_depth else f"{setup.depth} hidden layers, "
    cures = cures_summary(params)
    where += f"{cures}, " if cures else ""
    over = "1 seed" if seeds == 1 else f"mean and min–max of {seeds} seeds"
    text = (f"final test accuracy, {over} · {where}{setup.steps} steps{capped}"
            if sr.finished else f"training: {sr.steps_done} of {sr.total_steps} steps "
                                f"(batch {sr.current + 1} of {len(sr.jobs)}) · unfinished points move")
    cut = best_cut_accuracy()
    traces.append({"type": "scatter", "mode": "lines", "name": f"best straight cut ({100 * cut:.0f} %)",
                   "x": [x[0], x[-1]], "y": [round(cut, 4)] * 2, "showlegend": True, "hoverinfo": "skip",
                   "line": {"color": GREY, "width": 1.2, "dash": "dash"}, "meta": {"role": "reference"}})
    axis = {"fixedrange": True, "zeroline": False}
    layout = base_layout(**{
        "xaxis": axis | {"title": {"text": sweep.axis}, "domain": [0, 1.0]},
        "yaxis": axis | {"title": {"text": "test accuracy"}, "range": [0.3, 1.0], "tickformat": ".0%"},
        "annotations": [title(text, 0.5)],
        "legend": legend_below(-0.2, yanchor="top", font={"size": 11}),
        "margin": {"l": 55, "r": 10, "t": 30, "b": 70},
        "height": 480,
    })
    if sweep.over_depth:  # depth shows its instability beside the accuracy
        layout["xaxis"]["domain"] = [0, 0.45]
        layout["xaxis"]["dtick"] = 1
        layout["xaxis2"] = axis | {"title": {"text": sweep.axis}, "domain": [0.57, 1.0], "anchor": "y2", "dtick": 1}
        layout["yaxis2"] = axis | {"title": {"text": "worst setback of the training loss (×)"}, "type": "log",
                                   "anchor": "x2", "tickvals": list(SETBACK_TICKS),
                                   "ticktext": [f"{v:g}" for v in SETBACK_TICKS]}
        setback = np.where(np.isfinite(sr.setback), sr.setback, np.nan)
        traces += mean_band_traces(x, setback[0], "exact", "setback", ("x2", "y2"), False)
        layout["annotations"] = [title(text, 0.5)]
    layout["meta"] = progress(sr.steps_done, sr.total_steps, batch=min(sr.current + 1, len(sr.jobs)),
                              batches=len(sr.jobs), seeds=seeds)
    return {"data": traces, "layout": layout}


SWEEP = Animation(start=start_sweep, step=step_sweep, frame=sweep_frame, done=lambda sr, params: sr.finished,
                  training=True)

FIGURES = [
    Figure("destroy_training", "Training while the backward pass is distorted", TRAINING_SCHEMA, animation=TRAINING,
           # "pick a distortion, press Train, and change the speed"; flips of ∇θ and ∇x are the
           # chapter's main results; "tick a fixed random matrix"
           primary=("x_flip", "grad_flip", "x_beta", "feedback", "speed")),
    Figure("destroy_sweep", "Final test accuracy against the distortion", SWEEP_SCHEMA, animation=SWEEP,
           # the depth sweep's text asks for normalisation, the strongest cure
           primary=("sweep", "seeds", "depth", "steps", "norm")),
]
