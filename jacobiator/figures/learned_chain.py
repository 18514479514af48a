r"""The *restore the Jacobian* figure of learned gradients chained through a network
(see :mod:`jacobiator.learned_chain`).

``gradient_chain``: both gradient-model families learn :math:`f(x, A) = Ax` and
:math:`\tanh(Ax)` from directional samples, live; then a small tanh network is
fitted to a teacher with backprop, feedback alignment and each family's learned
gradients in the backward pass: the four loss curves.
"""

from .. import learned_chain as lc
from .. import learned_gradient as lg
from .palette import BLUE, GREEN, GREY, ORANGE
from .plot import json_list, positive, progress, single_panel
from .schema import Animation, Figure, Float, Int, Schema, restart_unless_only

COLOURS = {"backprop": GREY, "fa": GREEN, "fc": BLUE, "lle": ORANGE}
LABELS = {"backprop": "backprop (exact)", "fa": "feedback alignment", "fc": "learned: deep FC nets",
          "lle": "learned: Log-Lin-Exp nets"}
FORMULAS = {"linear": "Ax", "tanh": "tanh(Ax)"}
FD_STEP = 0.01  # the central difference's step, as the article's claims (claims.restore.FD_STEP)
SPEED = ("speed",)

SCHEMA = Schema(
    params=(
        Int("samples", "directional samples (each model, each f)", 60_000, min=5_000, max=100_000, step=5_000),
        Int("tanh_layers", "tanh layers under the read-out", 2, min=0, max=4),
        Float("lr", "fit: step size", 0.1, min=0.01, max=0.5, step=0.01),
        Int("steps", "fit: steps", 300, min=50, max=1000, step=50),
        Int("seed", "seed", 0, min=0, max=99),
        Int("speed", "batches (then fit steps) per frame", 5, min=1, max=50),
    ),
)


def start(params: dict) -> lc.Experiment:
    config = lg.Config(samples=params["samples"], fd_step=FD_STEP, seed=params["seed"])
    chain = lc.ChainConfig(tanh_layers=params["tanh_layers"], lr=params["lr"], steps=params["steps"],
                           seed=params["seed"])
    return lc.start_experiment(config, chain)


def step(exp: lc.Experiment, frames: int, params: dict) -> lc.Experiment:
    # The static render asks for "to the end" (2**40 frames): stop once the experiment is over.
    for _ in range(frames):
        if exp.finished:
            break
        lc.step_experiment(exp, params["speed"], params["speed"])
    return exp


def total_samples(exp: lc.Experiment) -> int:
    return sum(race.config.steps * race.config.batch for race in exp.races.values())


def frame(exp: lc.Experiment, params: dict) -> dict:
    chain = exp.chain
    if exp.fits is None:
        data = [line([0], [None], key) for key in lc.RULES]
        racing = [race for race in exp.races.values() if not race.finished]
        # Between the last race's end and the fit's first step (the next frame) no race is left.
        f = FORMULAS[racing[0].config.f] if racing else " and ".join(FORMULAS[r.config.f] for r in exp.races.values())
        status = f"learning the gradient models of f = {f}: {exp.samples} of {total_samples(exp)} directional samples"
        fitted, final = 0, None
    else:
        data = [line(json_list(range(len(run.curve))), positive(run.curve), key) for key, run in exp.fits.items()]
        fitted = min(len(run.curve) for run in exp.fits.values()) - 1
        final = {key: run.curve[-1] for key, run in exp.fits.items()} if exp.finished else None
        now = ", ".join(f"{key} {run.curve[-1]:.3g}" for key, run in exp.fits.items())
        status = (f"fitting {len(chain.kinds)} layers (tanh ×{chain.tanh_layers}, linear) · step {fitted} of "
                  f"{chain.steps} · loss: {now}")
    xaxis = {"title": {"text": "gradient-descent step of the fit"}, "range": [0, chain.steps]}
    layout = single_panel(xaxis, "mean squared error of the fit", status)
    layout["meta"] = progress(exp.samples, total_samples(exp), fit_step=fitted, final_loss=final)
    return {"data": data, "layout": layout}


def line(x, y, key: str) -> dict:
    return {"type": "scatter", "mode": "lines", "x": x, "y": y, "name": LABELS[key],
            "line": {"color": COLOURS[key], "width": 2}, "meta": {"role": "loss", "rule": key},
            "hovertemplate": f"{LABELS[key]}: loss %{{y:.3g}} at step %{{x}}<extra></extra>"}


ANIMATION = Animation(start=start, step=step, frame=frame, update=restart_unless_only(SPEED, start),
                      done=lambda exp, params: exp.finished, training=True)

FIGURES = [
    Figure("gradient_chain", "Learned gradients in place of backprop through a tanh network", SCHEMA,
           animation=ANIMATION, primary=("samples", "tanh_layers", "lr", "steps")),
]
