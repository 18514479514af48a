r"""The *restore the Jacobian* figures, part 2 (see :mod:`jacobiator.learned_gradient`).

``gradient_race``: a deep fully connected net and a Log-Lin-Exp net learn the
gradient of :math:`f(x, A) = Ax` from the same directional samples, live; their
held-out relative error and cosine side by side.

``gradient_fit``: both learned models, then the true gradient, fit a small
linear model in place of backprop: the loss curves.

``gradient_dims``: the final error of both across sizes, at one budget: the median over seeds
and their range, of both gradient blocks together or of one.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from .. import learned_gradient as lg
from .palette import BLUE, GREY, ORANGE
from .plot import (base_layout, json_list, legend_below, log_range, positive, progress, significant, single_panel,
                   title)
from .schema import Animation, Choice, Figure, Float, Int, Schema, restart_unless_only

COLOURS = {"fc": BLUE, "lle": ORANGE, "true": GREY}
LABELS = {"fc": "deep FC net (GELU)", "lle": "Log-Lin-Exp net", "true": "true gradient (backprop)"}
SPEED = ("speed",)


def model_params(samples: int, samples_max: int = 100_000, depth_max: int = 6, width_max: int = 128) -> tuple:
    return (
        Int("samples", "directional samples (each model)", samples, min=5_000, max=samples_max, step=5_000),
        Int("depth", "FC: hidden layers", 3, min=1, max=depth_max),
        Int("width", "FC: units per layer", 64, min=8, max=width_max, step=8),
        Float("lr_fc", "FC: Adam step size", 0.003, min=0.0005, max=0.03, step=0.0005),
        Int("monomials", "LLE: monomials", 64, min=4, max=128, step=4,
            help="the exact answer needs 2·dim_i·dim_o of them"),
        Float("lr_lle", "LLE: Adam step size", 0.01, min=0.001, max=0.1, step=0.001),
        Int("seed", "seed", 0, min=0, max=99),
    )


def config_of(params: dict, **changes) -> lg.Config:
    fields = {k: params[k] for k in ("dim_i", "dim_o", "samples", "depth", "width", "lr_fc", "monomials", "lr_lle",
                                     "seed") if k in params}
    return lg.Config(**(fields | changes))


def curve(x, y, key: str, axes: tuple[str, str], legend: bool, what: str) -> dict:
    return {"type": "scatter", "mode": "lines", "x": x, "y": y, "name": LABELS[key], "xaxis": axes[0],
            "yaxis": axes[1], "legendgroup": key, "showlegend": legend, "line": {"color": COLOURS[key], "width": 2},
            "meta": {"role": what, "model": key},
            "hovertemplate": f"{LABELS[key]}: {what} %{{y:.3g}} after %{{x}} samples<extra></extra>"}


# The race ------------------------------------------------------------------------

RACE_SCHEMA = Schema(
    params=(
        Int("dim_i", "dim_i (x)", 2, min=1, max=4),
        Int("dim_o", "dim_o (f)", 2, min=1, max=4),
        *model_params(samples=60_000),
        Int("speed", "batches per frame", 5, min=1, max=50),
    ),
)


def start_race(params: dict) -> lg.Race:
    return lg.start(config_of(params))


def step_race(race: lg.Race, frames: int, params: dict) -> lg.Race:
    lg.step(race, frames * params["speed"])
    return race


def race_frame(race: lg.Race, params: dict) -> dict:
    c = race.config
    data = []
    for key in lg.MODELS:
        h = race.history[key]
        x = json_list(h["samples"])
        data.append(curve(x, positive(h["rel_error"]), key, ("x", "y"), True, "relative error"))
        data.append(curve(x, significant(h["cosine"]), key, ("x2", "y2"), False, "cosine"))
    now = ", ".join(f"{k.upper()} {race.history[k]['rel_error'][-1]:.3g}" for k in lg.MODELS)
    status = (f"f(x, A) = Ax, {c.dim_o}×{c.dim_i} · {race.done * c.batch} of {c.steps * c.batch} samples · "
              f"held-out relative error: {now}")
    axis = {"fixedrange": True, "zeroline": False}
    layout = base_layout(
        xaxis=axis | {"domain": [0, 0.45], "range": [0, c.steps * c.batch], "title": {"text": "directional samples"}},
        yaxis=axis | {"type": "log", "title": {"text": "relative error of (∇x, ∇A)"}, "exponentformat": "power",
                      "dtick": "D2"} | log_range(*(t["y"] for t in data if t["yaxis"] == "y")),
        xaxis2=axis | {"domain": [0.57, 1.0], "anchor": "y2", "range": [0, c.steps * c.batch],
                       "title": {"text": "directional samples"}},
        yaxis2=axis | {"anchor": "x2", "range": [-0.1, 1.02], "title": {"text": "median cosine with the truth"}},
        annotations=[title(status, 0.5)],
        legend=legend_below(-0.2, yanchor="top", font={"size": 11}),
        margin={"l": 55, "r": 10, "t": 30, "b": 80},
        height=480,
    )
    layout["meta"] = progress(race.done * c.batch, c.steps * c.batch,
                              rel_error={k: race.history[k]["rel_error"][-1] for k in lg.MODELS})
    return {"data": data, "layout": layout}


RACE = Animation(start=start_race, step=step_race, frame=race_frame, update=restart_unless_only(SPEED, start_race),
                 done=lambda race, params: race.finished, training=True)


# Fitting a linear model with each ----------------------------------------------------

FIT_SCHEMA = Schema(
    params=(
        Int("dim_i", "dim_i (x)", 2, min=1, max=4),
        Int("dim_o", "dim_o (f)", 2, min=1, max=4),
        *model_params(samples=60_000),
        Float("fit_lr", "fit: step size", 0.1, min=0.01, max=0.5, step=0.01),
        Int("fit_steps", "fit: steps", 100, min=10, max=400, step=10),
    ),
)


@dataclass
class Fit:
    race: lg.Race
    curves: dict | None = None


def start_fit(params: dict) -> Fit:
    return Fit(start_race(params))


def step_fit(state: Fit, frames: int, params: dict) -> Fit:
    """Train both models (several batches per frame), then fit with each."""
    race = state.race
    if not race.finished:
        lg.step(race, frames * 5)
    elif state.curves is None:
        state.curves = fits(params, race)
    return state


def fits(params: dict, race: lg.Race) -> dict:
    config = race.config
    kwargs = {"steps": params["fit_steps"], "lr": params["fit_lr"]}
    out = {key: lg.fit_linear(lg.as_gradient(race.models[key]), config, **kwargs) for key in lg.MODELS}
    out["true"] = lg.fit_linear(lg.true_gradient, config, **kwargs)
    return out


def fit_frame(state: Fit, params: dict) -> dict:
    race = state.race
    c = race.config
    if state.curves is None:
        data = [curve([0], [None], key, ("x", "y"), True, "loss") for key in (*lg.MODELS, "true")]
        status = f"learning the gradient models: {race.done * c.batch} of {c.steps * c.batch} samples"
    else:
        data = [curve(json_list(np.arange(len(v))), positive(v), key, ("x", "y"), True, "loss")
                for key, v in state.curves.items()]
        ends = ", ".join(f"{k if k == 'true' else k.upper()} {v[-1]:.3g}" for k, v in state.curves.items())
        status = f"fitting A of f(x, A) = Ax ({c.dim_o}×{c.dim_i}, {c.samples} samples each) · final loss: {ends}"
    xaxis = {"title": {"text": "gradient-descent step of the fit"}, "range": [0, params["fit_steps"]]}
    layout = single_panel(xaxis, "mean squared error of the fit", status)
    final = None if state.curves is None else {k: v[-1] for k, v in state.curves.items()}
    layout["meta"] = progress(race.done * c.batch, c.steps * c.batch, final_loss=final)
    return {"data": data, "layout": layout}


FIT = Animation(start=start_fit, step=step_fit, frame=fit_frame, done=lambda state, params: state.curves is not None,
                training=True)


# Across sizes -----------------------------------------------------------------------

# Four sizes in a row, each at several seeds: smaller limits than the race, so that a static render
# of the defaults (twenty runs, the most allowed) stays around a minute.
ERRORS = (("rel_error", "(∇x, ∇A)"), ("rel_error_x", "∇x"), ("rel_error_A", "∇A"))
DIMS_SCHEMA = Schema(params=(
    *(p for p in model_params(samples=60_000, samples_max=60_000, depth_max=4, width_max=64) if p.name != "seed"),
    Int("seeds", "seeds per size", 5, min=1, max=5, help="seeds 0, 1, …: the median and the range are over them"),
    Choice("error", "error of", "rel_error", choices=ERRORS,
           help="the relative error of both blocks together, or of one"),
))
SHOWN = ("error",)  # which error is drawn: every run measures all three, so a change keeps the run


DIMS_BATCHES_PER_FRAME = 5  # like the race's default speed: tens of ms per frame in the browser


def start_dims(params: dict) -> lg.DimsSweep:
    return lg.start_dims(config_of(params), seeds=tuple(range(params["seeds"])))


def step_dims(sweep: lg.DimsSweep, frames: int, params: dict) -> lg.DimsSweep:
    lg.step_dims(sweep, frames * DIMS_BATCHES_PER_FRAME)
    return sweep


def over_seeds(rows: list[list[float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per size: the median, lowest and highest value over the seeds; a diverged seed (NaN) is left
    out of all three, and a size where every seed diverged is NaN (a gap)."""
    a = np.asarray(rows, dtype=float).reshape(len(rows), -1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN sizes: NaN is the answer
        return np.nanmedian(a, axis=1), np.nanmin(a, axis=1), np.nanmax(a, axis=1)


def dims_frame(sweep: lg.DimsSweep, params: dict) -> dict:
    dims = list(sweep.dims)
    error, block = params["error"], dict(ERRORS)[params["error"]]
    n = sweep.done
    pad = [None] * (len(dims) - n)
    data = []
    for key in lg.MODELS:
        median, lo, hi = over_seeds(sweep.result[key][error][:n]) if n else (np.zeros(0),) * 3  # finished sizes
        data.append({"type": "scatter", "mode": "lines+markers", "x": dims, "y": positive(median) + pad,
                     "name": f"{LABELS[key]}, median of seeds", "line": {"color": COLOURS[key], "width": 2},
                     "error_y": {"type": "data", "symmetric": False, "array": significant(hi - median) + pad,
                                 "arrayminus": significant(median - lo) + pad, "color": COLOURS[key],
                                 "thickness": 1.5, "width": 6},
                     "meta": {"role": "rel_error", "model": key, "error": error},
                     "hovertemplate": f"{LABELS[key]}: median %{{y:.3g}} at %{{x}}×%{{x}}<extra></extra>"})
    seeds = f"{len(sweep.seeds)} seed{'s' if len(sweep.seeds) > 1 else ''}"
    # Two short lines: one long one is cut on a phone.
    if sweep.finished:
        status = f"median of {seeds}, bars from lowest to highest<br>{params['samples']} samples each"
    else:
        c = sweep.race.config
        status = (f"measuring: {n} of {len(dims)} sizes done<br>{dims[n]}×{dims[n]}, seed "
                  f"{sweep.runs % len(sweep.seeds) + 1} of {len(sweep.seeds)}, "
                  f"{sweep.race.done * c.batch} of {c.steps * c.batch} samples")
    xaxis = {"tickvals": dims, "ticktext": [f"{d}×{d}" for d in dims], "title": {"text": "size of A"}}
    layout = single_panel(xaxis, f"relative error of {block}", status)
    layout["margin"]["t"] = 45
    layout["meta"] = progress(n, len(dims), seeds=len(sweep.seeds))
    return {"data": data, "layout": layout}


DIMS = Animation(start=start_dims, step=step_dims, frame=dims_frame, update=restart_unless_only(SHOWN, start_dims),
                 done=lambda sweep, params: sweep.finished, training=True)

FIGURES = [
    Figure("gradient_race", "A deep FC net against a Log-Lin-Exp net, learning ∇ of f(x, A) = Ax", RACE_SCHEMA,
           animation=RACE, primary=("dim_i", "dim_o", "samples", "speed")),
    Figure("gradient_fit", "Fitting a linear model with learned gradients", FIT_SCHEMA, animation=FIT,
           primary=("samples", "fit_lr", "fit_steps")),
    Figure("gradient_dims", "Learned gradients across sizes", DIMS_SCHEMA, animation=DIMS,
           primary=("samples", "lr_fc", "lr_lle", "seeds", "error")),  # "both are controls of the figure"
]
