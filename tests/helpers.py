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


def live_frames(key: str, params: dict, frames: int = 100_000):
    """The figure's animation stepped frame by frame, as the worker steps it: every frame drawn."""
    reply = json.loads(handle(json.dumps({"figure": key, "params": params, "slot": "test"})))
    yield reply["figure"]
    for _ in range(frames):
        if not reply["animating"]:
            break
        reply = json.loads(advance("test", reply["run"]))
        yield reply["figure"]


def run_live(key: str, params: dict, frames: int = 100_000) -> dict:
    """The last frame of the figure's animation, stepped as the worker steps it."""
    for figure in live_frames(key, params, frames):
        pass
    return figure
