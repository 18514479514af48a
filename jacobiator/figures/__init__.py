"""The registry of figures: each is a schema plus a pure ``params -> dict``.

``render("gradient_field", grid=21)`` returns a Plotly figure as a plain dict,
ready for ``plotly.graph_objects.Figure`` or ``json.dumps``. The browser's
worker calls ``handle`` with a JSON request and gets JSON back.
"""

import importlib
import json
from dataclasses import dataclass
from typing import Any

from .schema import Animation, Figure


# One module per figure family; each exposes FIGURES, a list of Figure.
MODULES = ("gradient_field", "descent_paths", "sculpt", "activation_gallery", "activation_training",
           "lecture_xor", "lecture_notes", "poly_approx", "destroy_jacobian", "restore_jacobian",
           "learned_gradient")


def _registry() -> dict[str, Figure]:
    figures = [f for name in MODULES for f in importlib.import_module(f".{name}", __name__).FIGURES]
    return {f.key: f for f in figures}


FIGURES: dict[str, Figure] = _registry()


def get_figure(key: str) -> Figure:
    if key not in FIGURES:
        raise ValueError(f"unknown figure {key!r}; registered figures: {', '.join(sorted(FIGURES))}")
    return FIGURES[key]


def render(key: str, /, **overrides: Any) -> dict:
    """The figure ``key`` drawn with its defaults updated by ``overrides``."""
    return get_figure(key)(**overrides)


@dataclass
class Running:
    """An animation running in the worker's slot, with the parameters it runs with."""

    animation: Animation
    state: Any
    params: dict


# Animations running in the worker, by slot (one slot per widget on the page).
_running: dict[str, Running] = {}


def _reply(figure: dict, animating: bool = False, canvas_only: bool = False) -> str:
    reply = {"figure": figure, "animating": animating}
    if canvas_only:
        reply["canvasOnly"] = True  # the page redraws only its canvas layer
    return json.dumps(reply, allow_nan=False, separators=(",", ":"))


def handle(request: str) -> str:
    """Answer a worker request ``{"figure": key, "params": {...}, "slot": id}`` as JSON.

    The reply is ``{"figure": {...}, "animating": bool}`` or, for anything a
    reader can fix, ``{"error": "..."}``; other exceptions propagate as real
    bugs. A request replaces whatever ran in its slot; when the figure is an
    animation for these parameters, it starts there and ``advance`` steps it.
    """
    try:
        message = json.loads(request)
        figure = get_figure(message["figure"])
        params = figure.schema.resolve(message.get("params", {}))
    except ValueError as e:
        return json.dumps({"error": str(e)})
    slot = message.get("slot")
    previous = _running.pop(slot, None)
    animation = figure.animation
    if animation and animation.active(params):
        if previous and previous.animation is animation and animation.update:
            state = animation.update(previous.state, previous.params, params)
        else:
            state = animation.start(params)
        if slot is not None:
            _running[slot] = Running(animation, state, params)
        return _reply(animation.frame(state, params), animating=slot is not None)
    return _reply(figure.draw(params))


def advance(slot: str, n: int = 1) -> str:
    """The next frame of the animation in ``slot``, n steps on, as ``handle`` replies it."""
    if slot not in _running:
        return json.dumps({"error": "nothing is running here"})
    run = _running[slot]
    run.state = run.animation.step(run.state, n, run.params)
    finished = run.animation.done is not None and run.animation.done(run.state, run.params)
    if finished:
        del _running[slot]
    return _reply(run.animation.frame(run.state, run.params), animating=not finished,
                  canvas_only=run.animation.canvas_frames)


def running(slot: str) -> bool:
    return slot in _running


def stop(slot: str) -> None:
    _running.pop(slot, None)
