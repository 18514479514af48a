"""Helpers shared by the unit tests: finite differences, and a figure run live as the worker runs it."""

import json

import numpy as np

from jacobiator.figures import advance, handle


def numeric_grad(f, array, h=1e-6):
    """Central differences of the scalar f() w.r.t. every entry of ``array`` (changed in place)."""
    grad = np.zeros_like(array)
    for i in np.ndindex(array.shape):
        keep = array[i]
        array[i] = keep + h
        up = f()
        array[i] = keep - h
        grad[i] = (up - f()) / (2 * h)
        array[i] = keep
    return grad


def run_live(key: str, params: dict, frames: int = 100_000) -> dict:
    """The figure's animation stepped frame by frame, as the worker steps it; the last frame."""
    reply = json.loads(handle(json.dumps({"figure": key, "params": params, "slot": "test"})))
    for _ in range(frames):
        if not reply["animating"]:
            break
        reply = json.loads(advance("test", reply["run"]))
    return reply["figure"]
