r"""The *restore the Jacobian* figures, part 1 (see :mod:`jacobiator.restore`).

``restore_jacobian``: :math:`\hat J` learnt live from directional samples beside
the true :math:`J = \theta`, as heatmaps on one colour scale; below, the
relative error (with the forward-gradient baseline at the same number of
directional samples) and the held-out loss, then the cosine and the share of
right signs.

``restore_sizes``: the final relative error against the size, at one proportion
``dim_sample / dim``; rendered at build time, re-runnable live.
"""

from dataclasses import dataclass

import numpy as np

from .. import restore
from .palette import BLUE, DIVERGING, GREY, MINT, ORANGE, VIOLET, YELLOW
from .plot import (base_layout, json_grid, json_list, legend_below, log_range, positive, progress, significant,
                   single_panel, title)
from .schema import Animation, Choice, Figure, Float, Int, Schema, restart_unless_only

OPTIMIZERS = (("sgd", "gradient descent"), ("adam", "Adam"))
COLOURS = {"learned": VIOLET, "single": GREY, "shared": MINT, "loss": ORANGE, "cosine": BLUE, "signs": YELLOW}


def learning_params(epochs: float) -> tuple:
    return (
        Int("epochs", "epochs (dim_i·dim_o samples each)", epochs, min=1, max=200),
        Choice("optimizer", "optimiser", "sgd", choices=OPTIMIZERS),
        Float("lr", "step size", 0.2, min=0.01, max=1.0, step=0.01,
              help="gradient descent: above about 0.3 small problems diverge; Adam: relative to 1/√dim_i"),
        Float("initial_messup", "initial_messup (scale of the initial Ĵ)", 1.0, min=0.1, max=50.0, step=0.1),
        Float("cos_weight", "loss: weight of 1 − cos (0: MSE)", 0.0, min=0.0, max=1.0, step=0.05),
    )


def config_of(params: dict, **changes) -> restore.Config:
    fields = {k: params[k] for k in ("dim_i", "dim_o", "dim_sample", "epochs", "optimizer", "lr", "initial_messup",
                                     "cos_weight", "seed") if k in params}
    return restore.Config(**(fields | changes))


# Live: Ĵ beside J -----------------------------------------------------------------

LIVE_SCHEMA = Schema(
    params=(
        Int("dim_i", "dim_i (inputs)", 8, min=2, max=32),
        Int("dim_o", "dim_o (outputs)", 8, min=2, max=32),
        Int("dim_sample", "dim_sample (coordinates per batch)", 2, min=1, max=32,
            help="the input coordinates a mini-batch's directions span; at most dim_i"),
        *learning_params(epochs=50),
        Int("speed", "steps per frame", 2, min=1, max=50),
        Int("seed", "seed", 0, min=0, max=99),
    ),
)
SPEED = ("speed",)


@dataclass
class Live:
    run: restore.Run
    forward: restore.ForwardCurve  # the baseline, measured as far as the run has come


def start_live(params: dict) -> Live:
    # dim_sample can be at most dim_i: a larger value is taken as dim_i, and the title says so.
    config = config_of(params, dim_sample=min(params["dim_sample"], params["dim_i"]))
    run = restore.start(config)
    every = restore.record_every(config)
    steps = sorted({*range(0, config.steps, every), config.steps})
    return Live(run, restore.ForwardCurve(run.theta, [max(1, s * config.batch) for s in steps]))


def heatmap(J: np.ndarray, span: float, axes: tuple[str, str], name: str) -> dict:
    return {"type": "heatmap", "z": json_grid(np.clip(J, -span, span), 3), "zmin": -span, "zmax": span,
            "colorscale": DIVERGING, "showscale": axes[0] == "x2", "xaxis": axes[0], "yaxis": axes[1], "name": name,
            "colorbar": {"thickness": 10, "len": 0.42, "y": 0.79, "x": 1.0},
            "meta": {"role": "matrix"}, "hovertemplate": f"{name}[%{{y}}, %{{x}}] = %{{z:.3f}}<extra></extra>"}


def line(x, y, name: str, colour: str, axes: tuple[str, str], dash: str = "solid", role: str = "curve") -> dict:
    return {"type": "scatter", "mode": "lines", "x": x, "y": y, "name": name, "xaxis": axes[0], "yaxis": axes[1],
            "line": {"color": colour, "width": 1.8, "dash": dash}, "meta": {"role": role},
            "hovertemplate": f"{name} %{{y:.3g}} at epoch %{{x:.3g}}<extra></extra>"}


def live_frame(live: Live, params: dict) -> dict:
    run, config = live.run, live.run.config
    h = run.history
    per_epoch = config.samples_per_epoch / config.batch  # steps per epoch
    epochs = json_list(np.array(h["step"]) / per_epoch)
    budgets = restore.record_budgets(run)
    live.forward.advance_to(budgets[-1])
    span = float(np.max(np.abs(run.theta))) * 1.05
    last = restore.errors(run.J_hat, run.theta)
    data = [
        heatmap(run.J_hat, span, ("x", "y"), "Ĵ"),
        heatmap(run.theta, span, ("x2", "y2"), "J"),
        line(epochs, positive(h["rel_error"]), "|Ĵ − J| / |J|", COLOURS["learned"], ("x3", "y3")),
        line(epochs, positive([live.forward.single(b)["rel_error"] for b in budgets]),
             "forward gradient, whole budget on one query", COLOURS["single"], ("x3", "y3"), "dot", "baseline"),
        line(epochs, positive([live.forward.shared(b)["rel_error"] for b in budgets]),
             "forward gradient, budget shared by 16 queries", COLOURS["shared"], ("x3", "y3"), "dash", "baseline"),
        line(epochs, positive(h["held_out_loss"]), "held-out loss", COLOURS["loss"], ("x3", "y3")),
        line(epochs, significant(h["cosine"]), "cos(Ĵ, J)", COLOURS["cosine"], ("x4", "y4")),
        line(epochs, significant(h["signs"]), "share of right signs", COLOURS["signs"], ("x4", "y4")),
    ]
    # Square cells by a narrower plot (constrain), not a wider range: the range stays as given.
    matrix_axis = {"showticklabels": False, "ticks": "", "showgrid": False, "zeroline": False, "fixedrange": True,
                   "constrain": "domain"}
    # The cells' edges, the first row on top: the ranges Plotly's autorange gives a matrix.
    columns, rows = [-0.5, config.dim_i - 0.5], [config.dim_o - 0.5, -0.5]
    axis = {"fixedrange": True, "zeroline": False}
    total = config.epochs
    status = (f"epoch {h['step'][-1] / per_epoch:.1f} of {total:g} ({run.done} steps of {config.batch} samples) · "
              f"|Ĵ − J|/|J| = {last['rel_error']:.3g} · signs {100 * last['signs']:.0f} %")
    if config.dim_sample < params["dim_sample"]:
        status += f" · dim_sample taken as dim_i = {config.dim_i}"
    layout = base_layout(
        xaxis=matrix_axis | {"domain": [0.0, 0.44], "anchor": "y", "range": columns},
        yaxis=matrix_axis | {"domain": [0.6, 1.0], "range": rows, "scaleanchor": "x", "anchor": "x"},
        xaxis2=matrix_axis | {"domain": [0.52, 0.96], "anchor": "y2", "range": columns},
        yaxis2=matrix_axis | {"domain": [0.6, 1.0], "range": rows, "scaleanchor": "x2", "anchor": "x2"},
        xaxis3=axis | {"domain": [0.0, 0.46], "anchor": "y3", "range": [0, total], "title": {"text": "epoch"}},
        yaxis3=axis | {"domain": [0.0, 0.44], "anchor": "x3", "type": "log", "exponentformat": "power"}
        | log_range(*(t["y"] for t in data if t["yaxis"] == "y3")),
        xaxis4=axis | {"domain": [0.56, 1.0], "anchor": "y4", "range": [0, total], "title": {"text": "epoch"}},
        yaxis4=axis | {"domain": [0.0, 0.44], "anchor": "x4", "range": [-0.05, 1.05]},
        annotations=[title(status, 0.5, 1.02),
                     title("Ĵ, learnt", 0.22, 0.6, yanchor="top", yshift=-2),
                     title("J = θ, true", 0.74, 0.6, yanchor="top", yshift=-2)],
        legend=legend_below(-0.14, yanchor="top", font={"size": 10}),
        margin={"l": 45, "r": 10, "t": 30, "b": 70},
        height=560,
    )
    layout["meta"] = progress(run.done, config.steps, epoch=h["step"][-1] / per_epoch, epochs=total,
                              samples_per_step=config.batch, dim_sample=config.dim_sample,
                              rel_error=last["rel_error"], signs=last["signs"])
    return {"data": data, "layout": layout}


def step_live(live: Live, frames: int, params: dict) -> Live:
    restore.step(live.run, frames * params["speed"])
    return live


LIVE = Animation(start=start_live, step=step_live, frame=live_frame, update=restart_unless_only(SPEED, start_live),
                 done=lambda live, params: live.run.finished, training=True)


# Across sizes ----------------------------------------------------------------------

SIZES_SCHEMA = Schema(
    params=(
        Choice("proportion", "dim_sample / dim", "0.25", choices=(("0.125", "1/8"), ("0.25", "1/4"), ("0.5", "1/2"),
                                                                 ("1", "1 (every coordinate)"))),
        *learning_params(epochs=20),
        Int("seeds", "seeds", 3, min=1, max=5),
    ),
)


SIZES_STEPS_PER_FRAME = 10  # steps of every seed's run: a few ms each at 32 x 32


def start_sizes(params: dict) -> restore.SizeSweep:
    seeds = list(range(1, params["seeds"] + 1))
    return restore.start_size_sweep(config_of(params), float(params["proportion"]), seeds)


def step_sizes(sweep: restore.SizeSweep, frames: int, params: dict) -> restore.SizeSweep:
    restore.step_size_sweep(sweep, frames * SIZES_STEPS_PER_FRAME)
    return sweep


def plural(n: float, word: str) -> str:
    return f"{n:g} {word}" if n == 1 else f"{n:g} {word}s"


def sizes_frame(sweep: restore.SizeSweep, params: dict) -> dict:
    sizes = list(sweep.sizes)
    n = sweep.done
    learned = np.array(sweep.result["learned"]) if n else np.zeros((0, len(sweep.seeds)))
    pad = [None] * (len(sizes) - n)
    traces = [
        {"type": "scatter", "mode": "lines+markers", "name": "learned Ĵ, median of seeds", "x": sizes,
         "y": positive(np.median(learned, axis=1)) + pad if n else pad, "line": {"color": COLOURS["learned"], "width": 2},
         "meta": {"role": "learned"}, "hovertemplate": "dim %{x}: %{y:.3g}<extra></extra>"},
        {"type": "scatter", "mode": "markers", "name": "learned Ĵ, each seed",
         "x": [s for s, row in zip(sizes, learned) for _ in row], "y": positive(learned.ravel()),
         "marker": {"color": COLOURS["learned"], "size": 5, "opacity": 0.5}, "meta": {"role": "seeds"},
         "hovertemplate": "dim %{x}: %{y:.3g}<extra></extra>"},
    ]
    for key, label, dash in (("single", "forward gradient, whole budget on one query", "dot"),
                             ("shared", "forward gradient, budget shared by 16 queries", "dash")):
        values = positive(sweep.result[key]) + pad if n else pad
        traces.append({"type": "scatter", "mode": "lines+markers", "name": label, "x": sizes, "y": values,
                       "line": {"color": COLOURS[key], "width": 1.5, "dash": dash}, "meta": {"role": "baseline"},
                       "hovertemplate": "dim %{x}: %{y:.3g}<extra></extra>"})
    c = sweep.config
    if sweep.finished:
        status = (f"after {plural(c.epochs, 'epoch')}, dim_sample = {params['proportion']} × dim, "
                  f"{plural(len(sweep.seeds), 'seed')}")
    else:
        run = sweep.runs[0]
        status = (f"measuring: {n} of {len(sizes)} sizes done; {sizes[n]}×{sizes[n]} at step {run.done} "
                  f"of {run.config.steps}")
    xaxis = {"type": "log", "tickvals": sizes, "ticktext": [f"{s}×{s}" for s in sizes], "title": {"text": "size of J"}}
    layout = single_panel(xaxis, "relative error of the gradient", status)
    layout["meta"] = progress(n, len(sizes), epochs=c.epochs, seeds=len(sweep.seeds))
    return {"data": traces, "layout": layout}


SIZES = Animation(start=start_sizes, step=step_sizes, frame=sizes_frame, done=lambda sweep, params: sweep.finished,
                  training=True)

FIGURES = [
    Figure("restore_jacobian", "Learning the Jacobian from directional samples", LIVE_SCHEMA, animation=LIVE,
           # the text's knobs: the sampled dimensions, the cosine's weight, the initial mess
           primary=("dim_sample", "epochs", "cos_weight", "initial_messup")),
    Figure("restore_sizes", "The same proportion of sampled dimensions at every size", SIZES_SCHEMA,
           animation=SIZES, primary=("proportion", "epochs", "seeds")),
]
