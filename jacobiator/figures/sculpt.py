r"""The opening figure: a small network sculpts a surface to fit a point cloud.

An MLP :math:`f_\theta : \mathbb{R}^2 \to \mathbb{R}` is trained by full-batch
Adam on the mean squared error between :math:`f_\theta(x_i)` and the noisy
heights :math:`t_i` of a point cloud. Its output over the square is a surface;
every step of training bends it towards the points. In the browser the
training runs live, a chunk of steps per frame.
"""

from dataclasses import dataclass

import numpy as np

from .. import nn
from ..activations import ACTIVATIONS
from ..datasets import SURFACES, surface_cloud
from ..grids import square_grid
from .palette import BLUE, ORANGE
from .plot import base_layout, json_list, legend_below, log_range, progress, title
from .projection import box_labels, box_traces, project, surface_traces, view
from .schema import Animation, Choice, Figure, Float, Int, Schema, restart_unless_only

MESH = 21  # the surface's mesh: smooth enough, light enough to draw 10+ times a second
Z_RANGE = (-1.2, 1.2)  # heights shown; a diverged net is clipped to them
Z_SCALE = 0.6  # heights drawn at 0.6 of the square's width: a flatter, more readable surface
VIEW_PARAMS = ("azimuth", "elevation")  # turning the view does not restart training
TEST_POINTS = 400
TEST_EVERY = 10  # the test loss is measured every 10 steps: a curve needs no more

SCHEMA = Schema(
    params=(
        Choice("surface", "target surface", "bumps", choices=tuple((k, s.label) for k, s in SURFACES.items())),
        Choice("activation", "activation σ", "tanh", choices=tuple((k, a.label) for k, a in ACTIVATIONS.items())),
        Int("depth", "hidden layers", 2, min=1, max=4),
        Int("width", "units per layer", 16, min=2, max=32),
        Float("lr", "learning rate (Adam)", 0.02, min=0.001, max=0.1, step=0.001),
        Float("noise", "noise on the heights", 0.05, min=0.0, max=0.3, step=0.01),
        Int("points", "points", 150, min=20, max=400, step=10),
        Int("steps", "training steps", 600, min=50, max=2000, step=50),
        Int("speed", "steps per frame", 10, min=1, max=50),
        Int("seed", "seed", 0, min=0, max=99),
        Int("azimuth", "view: turn (°)", 30, min=-180, max=180, step=5),
        Int("elevation", "view: tilt (°)", 30, min=0, max=90, step=5),
    ),
)


@dataclass
class Run:
    net: nn.MLP
    opt: nn.Adam
    x: np.ndarray
    t: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray  # the noiseless surface at the test inputs
    train_loss: list
    test_loss: list  # (step, loss) pairs

    @property
    def step(self) -> int:
        return len(self.train_loss)


def start(params: dict) -> Run:
    x, t = surface_cloud(params["surface"], params["points"], params["noise"], params["seed"])
    x_test, t_test = surface_cloud(params["surface"], TEST_POINTS, 0.0, params["seed"] + 1000)
    rng = np.random.default_rng(params["seed"])
    net = nn.init_mlp([2, *[params["width"]] * params["depth"], 1], params["activation"], rng)
    return Run(net, nn.Adam(params["lr"]), x, t, x_test, t_test, [], [])


def train(run: Run, steps: int, budget: int) -> Run:
    """``steps`` more Adam steps, never past ``budget``."""
    steps = min(steps, budget - run.step)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run shows as a rising curve
        for _ in range(steps):
            run.train_loss.append(nn.train_step(run.net, run.opt, run.x, run.t))
            if run.step % TEST_EVERY == 0 or run.step == budget:
                run.test_loss.append((run.step, nn.mse(nn.predict(run.net, run.x_test), run.t_test)[0]))
    return run


def step(run: Run, frames: int, params: dict) -> Run:
    return train(run, frames * params["speed"], params["steps"])


def done(run: Run, params: dict) -> bool:
    return run.step >= params["steps"]


def finite_curve(values: list) -> list:
    """A loss curve for a log axis: overflowed values become gaps."""
    v = np.asarray(values, dtype=float)
    return json_list(np.where(np.isfinite(v) & (v > 0), v, np.nan), 6)


def frame(run: Run, p: dict) -> dict:
    _, grid = square_grid(-1.0, 1.0, MESH)
    with np.errstate(over="ignore", invalid="ignore"):
        z = nn.predict(run.net, grid).reshape(MESH, MESH)
        fit = nn.predict(run.net, run.x)[:, 0]
    # A diverged net stays drawable; the loss curve tells the story.
    z, fit = np.clip(np.nan_to_num(z), *Z_RANGE), np.clip(np.nan_to_num(fit), *Z_RANGE)
    matrix = view(p["azimuth"], p["elevation"])
    points = project(np.column_stack([run.x, np.clip(run.t[:, 0], *Z_RANGE)]), matrix, Z_SCALE)
    on_surface = project(np.column_stack([run.x, fit]), matrix, Z_SCALE)
    stems = np.stack([points[:, :2], on_surface[:, :2], np.full((len(points), 2), np.nan)], axis=1).reshape(-1, 2)
    steps = np.arange(1, run.step + 1)
    latest = f"train MSE {run.train_loss[-1]:.3g}" if run.step else "untrained"
    if run.test_loss:
        latest += f", test MSE {run.test_loss[-1][1]:.3g}"
    test_steps, test_values = zip(*run.test_loss) if run.test_loss else ((), ())
    data = [
        *box_traces(Z_RANGE, matrix, Z_SCALE),
        *surface_traces(grid, z, matrix, Z_SCALE, Z_RANGE),
        {"type": "scatter", "mode": "lines", "x": json_list(stems[:, 0]), "y": json_list(stems[:, 1]),
         "line": {"color": ORANGE, "width": 0.8}, "opacity": 0.6, "hoverinfo": "skip", "showlegend": False,
         "name": "residuals", "meta": {"role": "mesh"}},
        {"type": "scatter", "mode": "markers", "x": json_list(points[:, 0]), "y": json_list(points[:, 1]),
         "name": "data", "marker": {"size": 4, "color": ORANGE}, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "lines", "x": json_list(steps), "y": finite_curve(run.train_loss),
         "name": "train", "line": {"color": ORANGE, "width": 1.5}, "xaxis": "x2", "yaxis": "y2"},
        {"type": "scatter", "mode": "lines", "x": list(test_steps), "y": finite_curve(test_values),
         "name": "test (noiseless)", "line": {"color": BLUE, "width": 1.5}, "xaxis": "x2", "yaxis": "y2"},
    ]
    # Equal scales by a narrower plot (constrain), not a wider range: the ranges stay as given, and
    # so the same from frame to frame (the page then redraws only what changed, widget.js).
    hidden = {"visible": False, "fixedrange": True, "constrain": "domain"}
    layout = base_layout(
        xaxis=hidden | {"domain": [0, 0.62], "range": [-1.75, 1.75]},
        yaxis=hidden | {"scaleanchor": "x", "scaleratio": 1, "range": [-1.45, 1.45]},
        # No x title: on a narrow screen it would collide with the legend below.
        xaxis2={"domain": [0.72, 1], "range": [0, p["steps"]], "anchor": "y2"},
        yaxis2={"type": "log", "title": {"text": "MSE by training step"}, "exponentformat": "power", "anchor": "x2"}
        | log_range(data[-2]["y"], data[-1]["y"]),
        annotations=[title(f"step {run.step} of {p['steps']}: {latest}", 0.5), *box_labels(Z_RANGE, matrix, Z_SCALE)],
        # Below the plots, where it cannot cover a curve on a narrow screen.
        legend=legend_below(-0.12, yanchor="top"),
        hovermode=False,
        # Room on the left for the curves' axis: on a phone they stack under the surface.
        margin={"l": 55, "r": 10, "t": 30, "b": 50},
        height=440,
    )
    layout["meta"] = progress(run.step, p["steps"], train_mse=run.train_loss[-1] if run.step else None,
                              test_mse=run.test_loss[-1][1] if run.test_loss else None)
    return {"data": data, "layout": layout}


ANIMATION = Animation(start=start, step=step, frame=frame, update=restart_unless_only(VIEW_PARAMS, start), done=done,
                      training=True)

FIGURES = [Figure("sculpt", "A network sculpting a surface", SCHEMA, animation=ANIMATION,
                   # the text: change the activation, the seed; the two view sliders turn the picture
                   primary=("activation", "surface", "seed", "azimuth", "elevation"))]
