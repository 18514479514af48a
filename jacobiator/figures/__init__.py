"""The registry of figures: each is a schema plus a pure ``params -> dict``.

``render("gradient_field", grid=21)`` returns a Plotly figure as a plain dict,
ready for ``plotly.graph_objects.Figure`` or ``json.dumps``. The browser's
worker calls ``handle`` with a JSON request and gets JSON back.

The registry is lazy: importing this package imports no figure module, and a
figure's module is imported when its key is first asked for. The worker imports
this package at boot, so Python is ready as soon, however many figures the article
has, and a page imports only the modules of the figures it shows.
"""

import importlib
import itertools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .schema import Animation, Figure


# Each figure's key -> the module of this package that defines it (in its FIGURES,
# a list of Figure). tests/test_figures.py checks this against every module's FIGURES.
MODULE_OF = {
    "gradient_field": "gradient_field",
    "descent_paths": "descent_paths",
    "sculpt": "sculpt",
    "activation_gallery": "activation_gallery",
    "activation_table": "activation_gallery",
    "activation_training": "activation_training",
    "single_neuron_xor": "activation_training",
    "xor_linear": "lecture_xor",
    "xor_relu_features": "lecture_xor",
    "relu_hinges": "lecture_notes",
    "linear_regions": "lecture_notes",
    "mse_vs_ce": "lecture_notes",
    "poly_approx": "poly_approx",
    "preactivation_histogram": "poly_approx",
    "destroy_training": "destroy_jacobian",
    "destroy_sweep": "destroy_jacobian",
    "restore_jacobian": "restore_jacobian",
    "restore_sizes": "restore_jacobian",
    "gradient_race": "learned_gradient",
    "gradient_fit": "learned_gradient",
    "gradient_dims": "learned_gradient",
    "gradient_chain": "learned_chain",
    "vjp_chain": "chain",
}


class Registry(Mapping[str, Figure]):
    """The figures by key, each module imported on the first use of one of its keys.
    Its keys (iteration, ``in``, ``len``) come from the map alone and import nothing."""

    def __init__(self, module_of: dict[str, str]):
        self.module_of = dict(module_of)
        self._loaded: dict[str, Figure] = {}

    def __getitem__(self, key: str) -> Figure:
        if key not in self._loaded:
            name = self.module_of[key]  # KeyError for a key not registered, as a dict's
            module = importlib.import_module(f".{name}", __name__)
            self._loaded.update((figure.key, figure) for figure in module.FIGURES)
            if key not in self._loaded:  # a wrong map is a bug of ours, not a missing figure
                raise RuntimeError(f"MODULE_OF maps figure {key!r} to module {name!r}, whose FIGURES lack it")
        return self._loaded[key]

    def __contains__(self, key: object) -> bool:
        return key in self.module_of

    def __iter__(self) -> Iterator[str]:
        return iter(self.module_of)

    def __len__(self) -> int:
        return len(self.module_of)


FIGURES: Mapping[str, Figure] = Registry(MODULE_OF)


def get_figure(key: str) -> Figure:
    if not isinstance(key, str) or key not in FIGURES:
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


def _reply(figure: dict, **fields: Any) -> dict:
    return {"figure": figure, "animating": False} | fields


def _json(reply: dict) -> str:
    return json.dumps(reply, allow_nan=False, separators=(",", ":"))


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

    The worker calls ``wire.handle``: the same reply with its arrays as typed arrays.
    """
    return _json(answer(request))


def answer(request: str) -> dict:
    """``handle``'s reply as a dict."""
    try:
        message = json.loads(request)
        figure = get_figure(message["figure"])
        params = figure.schema.resolve(message.get("params", {}))
    except ValueError as e:
        return {"error": str(e)}
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
    return _json(advance_answer(slot, run))


def advance_answer(slot: str, run: int) -> dict:
    """``advance``'s reply as a dict."""
    current = _running.get(slot)
    if current is None or current.run != run:
        return {"stale": True, "run": run}
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
