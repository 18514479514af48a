r"""The gradient field of a loss in 2D, with a point the reader drags.

Mode "y": the reader drags the target y; for every x of a grid over the
plane the arrow shows :math:`-\nabla_x L(x, y)`, the way descent moves x.
Mode "x": the reader drags x; the arrows show :math:`-\nabla_y L(x, y)` over
a grid of targets y. Under the arrows, a heatmap of L (or log L) over the
variable that moves. In the particle displays the field is shown by
particles flowing down it (an animation, see particles.py).
"""

from dataclasses import dataclass

import numpy as np

from .. import losses
from . import particles
from ..grids import square_grid
from .plane import ARROW_SPAN, HEATMAP_CELLS, HALF_WIDTH, arrow_traces, heatmap_trace, plane_axis, point_trace
from .plot import base_layout
from .schema import Animation, Bool, Choice, Drag, Figure, Float, Int, Schema

MODES = (("y", "drag y, field −∇ₓL"), ("x", "drag x, field −∇ᵧL"))
DISPLAYS = (("arrows+heatmap", "arrows on heatmap"), ("arrows", "arrows"), ("heatmap", "heatmap"),
            ("particles", "particles"), ("particles+heatmap", "particles on heatmap"))

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
        Int("particles", "particles", 800, min=50, max=2000, step=50),
        Int("trail", "motion length", 14, min=2, max=30, help="trail length, in frames"),
        Float("speed", "motion speed", 1.5, min=0.1, max=4.0, step=0.1),
        Float("noise", "noise amplitude", 0.0, min=0.0, max=2.0, step=0.05,
              help="a smooth random flow added to the field"),
        Float("noise_space", "noise frequency in space", 1.5, min=0.1, max=6.0, step=0.1),
        Float("noise_time", "noise frequency in time", 1.0, min=0.0, max=10.0, step=0.1),
        Float("colour_speed", "colour speed", 1.0, min=0.0, max=5.0, step=0.05,
              help="particle colour is the phase |L| × colour speed"),
        Int("seed", "seed", 0, min=0, max=9999),
        Float("point_x", "dragged point, 1st coordinate", 0.6, min=-1.9, max=1.9, step=0.01),
        Float("point_y", "dragged point, 2nd coordinate", 0.4, min=-1.9, max=1.9, step=0.01),
    ),
    drag=Drag("point_x", "point_y"),
)


@dataclass(frozen=True)
class Field:
    """The loss as seen on the plane of the variable that moves."""

    loss: losses.Loss
    point: np.ndarray  # (1, 2): the dragged point
    drag_y: bool
    note: str = ""  # said in the title when the figure shows something else than asked

    def value(self, plane):
        fixed = np.repeat(self.point, len(plane), axis=0)
        return self.loss.value(plane, fixed) if self.drag_y else self.loss.value(fixed, plane)

    def minus_grad(self, plane):
        fixed = np.repeat(self.point, len(plane), axis=0)
        return -(self.loss.dL_dx(plane, fixed) if self.drag_y else self.loss.dL_dy(fixed, plane))

    @property
    def names(self):
        """(subscript of the gradient, the variable on the plane, the dragged one)."""
        return ("ₓ", "x", "y") if self.drag_y else ("ᵧ", "y", "x")


def field_of(params: dict) -> Field:
    point = np.array([[params["point_x"], params["point_y"]]])
    plain = losses.get_loss(params["loss"], alpha=params["alpha"])
    if params["log"] and not plain.nonnegative:
        # Every combination of controls must draw something: show L and say why.
        return Field(plain, point, params["mode"] == "y", note=" (log L undefined: L can be negative)")
    return Field(losses.get_loss(params["loss"], params["log"], alpha=params["alpha"]), point, params["mode"] == "y")


def loss_heatmap(f: Field, params: dict) -> dict:
    with np.errstate(all="ignore"):
        values = f.value(square_grid(-HALF_WIDTH, HALF_WIDTH, HEATMAP_CELLS)[1]).reshape(HEATMAP_CELLS, HEATMAP_CELLS)
    return heatmap_trace(values, "log L" if params["log"] and not f.note else "L")


def figure(f: Field, traces: list, title: str) -> dict:
    wrt, moving, dragged = f.names
    layout = base_layout(
        xaxis=plane_axis(f"{moving}₁"),
        yaxis=plane_axis(f"{moving}₂", scaleanchor="x", scaleratio=1),
        margin={"l": 50, "r": 10, "t": 36, "b": 40},
        height=480,
        showlegend=False,
        title={"text": title + f.note, "font": {"size": 13}},
    )
    return {"data": [*traces, point_trace(f.point, f"{dragged} (drag me)")], "layout": layout}


def label_of(f: Field) -> str:
    return f"({f.loss.label})" if " " in f.loss.label else f" {f.loss.label}"


def draw_field(params: dict) -> dict:
    f = field_of(params)
    wrt, moving, _ = f.names
    traces = [loss_heatmap(f, params)] if "heatmap" in params["display"] else []
    title = f"{f.loss.label} over {moving}"
    if "arrows" in params["display"]:
        p = square_grid(-ARROW_SPAN, ARROW_SPAN, params["grid"])[1]
        with np.errstate(all="ignore"):
            v = f.minus_grad(p)
        arrows, per_cell = arrow_traces(p, v, params["grid"], params["amplitude"], wrt)
        traces += arrows
        title = f"−∇{wrt}{label_of(f)} · an arrow one cell long: |∇{wrt}L| = {per_cell:.3g}"
    return figure(f, traces, title)


# The particle displays are an animation: start, step, frame.

def start_particles(params: dict) -> tuple:
    f = field_of(params)
    under = [loss_heatmap(f, params)] if "heatmap" in params["display"] else []
    return f, particles.start(params, f.minus_grad, f.value, under)


def update_particles(state: tuple, old: dict, params: dict) -> tuple:
    """New parameters for a running swarm: the particles stay where they are
    unless their number, trail length or seed changed."""
    _, swarm = state
    kept = ("particles", "trail", "seed")
    if any(old[k] != params[k] for k in kept):
        return start_particles(params)
    f = field_of(params)
    under = [loss_heatmap(f, params)] if "heatmap" in params["display"] else []
    return f, particles.retarget(swarm, f.minus_grad, f.value, under)


def step_particles(state: tuple, n: int, params: dict) -> tuple:
    f, swarm = state
    return f, particles.step(swarm, n, params)


def particles_frame(state: tuple, params: dict) -> dict:
    f, swarm = state
    wrt = f.names[0]
    return figure(f, particles.frame(swarm, params), f"particles flowing down −∇{wrt}{label_of(f)}")


def draw(params: dict) -> dict:
    """The arrows or heatmap; for particles, their first frame (the flow never ends)."""
    if ANIMATION.active(params):
        return particles_frame(start_particles(params), params)
    return draw_field(params)


ANIMATION = Animation(active=lambda params: params["display"].startswith("particles"),
                      start=start_particles, step=step_particles, frame=particles_frame,
                      update=update_particles, canvas_frames=True)

FIGURES = [Figure("gradient_field", "Gradient field of a loss in 2D", SCHEMA, draw, ANIMATION,
                   # the text: every loss in the menu, its log, the mode that drags x, the α slider
                   primary=("loss", "log", "mode", "alpha"))]
