"""The registry of figures: each is a schema plus a pure ``params -> dict``.

``render("gradient_field", grid=21)`` returns a Plotly figure as a plain dict,
ready for ``plotly.graph_objects.Figure`` or ``json.dumps``. The browser's
worker calls ``handle`` with a JSON request and gets JSON back.
"""

import importlib
import itertools
import json
from dataclasses import dataclass
from typing import Any

from .schema import Animation, Figure


# One module per figure family; each exposes FIGURES, a list of Figure.
MODULES = ("gradient_field", "descent_paths", "sculpt", "activation_gallery", "activation_training",
           "lecture_xor", "lecture_notes", "poly_approx", "destroy_jacobian", "restore_jacobian",
           "learned_gradient", "chain")


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
    """An animation running in the worker's slot, with the parameters it runs with and
    the id of its run (what the page asks the next frame of)."""

    animation: Animation
    state: Any
    params: dict
    run: int


# Animations running in the worker, by slot (one slot per widget on the page).
_running: dict[str, Running] = {}
# Run ids, never reused while the worker lives: a frame asked for a run that a newer
# request replaced is recognised as stale, whatever ran in the slot since.
_run_ids = itertools.count(1)


def _reply(figure: dict, **fields: Any) -> str:
    return json.dumps({"figure": figure, "animating": False} | fields, allow_nan=False, separators=(",", ":"))


def handle(request: str) -> str:
    """Answer a worker request ``{"figure": key, "params": {...}, "slot": id, "link": {...}}`` as JSON.

    The reply is ``{"figure": {...}, "animating": bool}`` or, for anything a
    reader can fix, ``{"error": "..."}``; other exceptions propagate as real
    bugs. A request replaces whatever ran in its slot; when the figure is an
    animation for these parameters, it starts there as a new run, whose id the
    reply carries (``"run"``), and ``advance`` steps it.

    ``link`` (optional) holds the raw values a link sets on top of ``params``: the
    valid ones are used, and the reply says which parameters were used
    (``"params"``) and why the others were ignored (``"ignored"``).
    """
    try:
        message = json.loads(request)
        figure = get_figure(message["figure"])
        params = figure.schema.resolve(message.get("params", {}))
    except ValueError as e:
        return json.dumps({"error": str(e)})
    fields = {}
    if "link" in message:
        params, ignored = figure.schema.resolve_lenient(message["link"], params)
        fields = {"params": params, "ignored": ignored}
    slot = message.get("slot")
    previous = _running.pop(slot, None)
    animation = figure.animation
    if animation and animation.active(params):
        if previous and previous.animation is animation and animation.update:
            state = animation.update(previous.state, previous.params, params)
        else:
            state = animation.start(params)
        if slot is not None:
            fields |= {"animating": True, "run": next(_run_ids)}
            _running[slot] = Running(animation, state, params, fields["run"])
        return _reply(animation.frame(state, params), **fields)
    return _reply(figure.draw(params), **fields)


def advance(slot: str, run: int) -> str:
    """The next frame of run ``run`` in ``slot``, as ``handle`` replies it (with the
    run's id). A run that is no longer the slot's (a newer request replaced it, it
    ended, or its widget stopped) is not stepped: the reply ``{"stale": true, "run": run}``
    tells the page to ignore it."""
    current = _running.get(slot)
    if current is None or current.run != run:
        return json.dumps({"stale": True, "run": run})
    current.state = current.animation.step(current.state, 1, current.params)
    finished = current.animation.done is not None and current.animation.done(current.state, current.params)
    if finished:
        del _running[slot]
    fields = {"animating": not finished, "run": run}
    if current.animation.canvas_frames:
        fields["canvasOnly"] = True  # the page redraws only its canvas layer
    return _reply(current.animation.frame(current.state, current.params), **fields)


def stop(slot: str) -> None:
    _running.pop(slot, None)
