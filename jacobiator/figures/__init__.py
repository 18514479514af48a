"""The registry of figures: each is a schema plus a pure ``params -> dict``.

``render("gradient_field", grid=21)`` returns a Plotly figure as a plain dict,
ready for ``plotly.graph_objects.Figure`` or ``json.dumps``. The browser's
worker calls ``handle`` with a JSON request and gets JSON back.
"""

import json
from typing import Any

from .schema import Figure


def _registry() -> dict[str, Figure]:
    # One module per chapter; each exposes FIGURES, a list of Figure.
    from . import descent_paths, gradient_field

    figures = [*gradient_field.FIGURES, *descent_paths.FIGURES]
    return {f.key: f for f in figures}


FIGURES: dict[str, Figure] = _registry()


def get_figure(key: str) -> Figure:
    if key not in FIGURES:
        raise ValueError(f"unknown figure {key!r}; registered figures: {', '.join(sorted(FIGURES))}")
    return FIGURES[key]


def render(key: str, /, **overrides: Any) -> dict:
    """The figure ``key`` drawn with its defaults updated by ``overrides``."""
    return get_figure(key)(**overrides)


def handle(request: str) -> str:
    """Answer a worker request ``{"figure": key, "params": {...}}`` as JSON.

    The reply is ``{"figure": {...}}`` or, for anything a reader can fix,
    ``{"error": "..."}``; other exceptions propagate as real bugs.
    """
    try:
        message = json.loads(request)
        figure = render(message["figure"], **message.get("params", {}))
    except ValueError as e:
        return json.dumps({"error": str(e)})
    return json.dumps({"figure": figure}, allow_nan=False, separators=(",", ":"))
