"""Replies for the browser's worker, with the figures' arrays as typed arrays.

``handle`` and ``advance`` answer as ``jacobiator.figures.handle`` and ``advance`` do, but as a
pair ``(text, arrays)``: the reply's JSON text, in which each trace's numeric ``x``, ``y`` and
``z`` is a reference ``{"$array": k, "shape": [...]}`` to ``arrays[k]``, a flat float64 array
(a gap, None in the figure, is NaN). Pyodide hands each array to JavaScript as a Float64Array
whose buffer the worker transfers to the page, so the numbers are neither printed nor parsed:
in Pyodide ``json.dumps`` of a 500 x 500 list takes about 165 ms, a typed array 1.4 ms.
The page puts the arrays back (docs/javascripts/typed.js). The figures themselves stay plain
JSON-ready dicts, as the static build and a notebook use them.
"""

import json
from typing import Any

import numpy as np

from . import advance_answer, answer

# The trace keys whose numbers travel as typed arrays: a figure's only long arrays.
ARRAY_KEYS = ("x", "y", "z")
_NUMBER_TYPES = {int, float, type(None)}  # not bool: a list of flags stays JSON


def _shape(values: list) -> tuple[int, ...] | None:
    """The shape of ``values`` if it is a list of numbers (gaps allowed) or a rectangular
    list of such rows, else None (text, categories, ragged rows)."""
    kinds = set(map(type, values))
    if kinds and kinds <= _NUMBER_TYPES:
        return (len(values),)
    if kinds == {list}:
        width = len(values[0])
        if all(len(row) == width and set(map(type, row)) <= _NUMBER_TYPES for row in values):
            return (len(values), width)
    return None


def pack(reply: dict) -> tuple[str, list[np.ndarray]]:
    """``reply`` as JSON text, its figure's numeric trace arrays taken out as float64 arrays."""
    arrays: list[np.ndarray] = []
    figure = reply.get("figure")
    if figure is not None:
        data = []
        for trace in figure["data"]:
            trace = dict(trace)
            for key in ARRAY_KEYS:
                values = trace.get(key)
                shape = _shape(values) if isinstance(values, list) else None
                if shape is None:
                    continue
                trace[key] = {"$array": len(arrays), "shape": list(shape)}
                # None becomes NaN: Plotly and the canvas layer draw either as a gap.
                arrays.append(np.array(values, dtype=np.float64).ravel())
            data.append(trace)
        reply = reply | {"figure": figure | {"data": data}}
    return json.dumps(reply, allow_nan=False, separators=(",", ":")), arrays


def handle(request: str) -> tuple[str, list[np.ndarray]]:
    """``jacobiator.figures.handle``'s reply to ``request``, packed."""
    return pack(answer(request))


def advance(slot: str, run: int) -> tuple[str, list[np.ndarray]]:
    """``jacobiator.figures.advance``'s reply, packed."""
    return pack(advance_answer(slot, run))


def unpack(text: str, arrays: list[Any]) -> dict:
    """The reply ``pack`` gave, with its arrays back as lists (None for NaN): what the page
    sees, for tests in CPython."""

    def restore(value: dict) -> Any:
        if "$array" not in value:
            return value
        flat = [None if v != v else v for v in np.asarray(arrays[value["$array"]], dtype=float).tolist()]
        if len(value["shape"]) == 1:
            return flat
        rows, width = value["shape"]
        return [flat[r * width:(r + 1) * width] for r in range(rows)]

    return json.loads(text, object_hook=restore)
