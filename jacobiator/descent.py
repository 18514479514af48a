r"""Plain gradient descent on a per-sample loss, and what to measure on its paths.

The paths are arrays of shape ``(steps + 1, N, n)``: ``paths[k, i]`` is where
the i-th start is after k steps.
"""

import numpy as np

from .losses import Loss

Array = np.ndarray


def descend(loss: Loss, x0: Array, y: Array, lr: float, steps: int, wrt: str = "x") -> Array:
    r"""Gradient descent from N starts at once; returns the paths, shape ``(steps + 1, N, n)``.

    With ``wrt="x"`` (the default), ``x0`` (N, n) holds the starts of x and ``y``
    the target(s), shape (1, n) or (N, n); every step is

    .. math:: x_{k+1} = x_k - \eta\, \nabla_x L(x_k, y), \qquad \eta = \mathtt{lr}.

    With ``wrt="y"`` the roles swap: x stays fixed and y moves,
    ``x0`` (N, n) holds the starts **of y** and ``y`` holds **the fixed x**
    ((1, n) or (N, n)); every step is

    .. math:: y_{k+1} = y_k - \eta\, \nabla_y L(x, y_k).

    A path whose gradient is not finite (a singular point such as x = 0 for
    CosSim), or whose next point would not be finite, stays where it is from
    then on.
    """
    if wrt not in _GRADIENT:
        raise ValueError(f"wrt must be 'x' or 'y', not {wrt!r}")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, not {steps!r}")
    p = np.array(x0, dtype=float)
    if p.ndim != 2:
        raise ValueError(f"the starts must have shape (N, n), not {p.shape}")
    fixed = np.broadcast_to(np.asarray(y, dtype=float), p.shape)
    grad = _GRADIENT[wrt]

    paths = np.empty((int(steps) + 1, *p.shape))
    paths[0] = p
    with np.errstate(all="ignore"):
        for k in range(int(steps)):
            moved = p - lr * grad(loss, p, fixed)
            p = np.where(np.isfinite(moved).all(axis=1, keepdims=True), moved, p)
            paths[k + 1] = p
    return paths


# The gradient that moves the point p, given the fixed argument f.
_GRADIENT = {
    "x": lambda loss, p, f: loss.dL_dx(p, f),
    "y": lambda loss, p, f: loss.dL_dy(f, p),
}


def distances(paths: Array, target: Array) -> Array:
    r""":math:`|p_k - y|` for every step k and path, shape ``(steps + 1, N)``."""
    return np.linalg.norm(paths - target, axis=-1)


def crossings(paths: Array, target: Array) -> Array:
    r"""How many steps of each path jump past the target, shape (N,).

    With :math:`u = (p_0 - y) / |p_0 - y|` the initial direction, a step jumps
    past the target when the coordinate :math:`\langle p_k - y | u \rangle`
    changes sign (from > 0 to < 0, or back); a step landing exactly on the
    target (coordinate 0) does not count.
    """
    offset = paths - target
    u = offset[0] / np.linalg.norm(offset[0], axis=-1, keepdims=True)
    along = np.einsum("kij,ij->ki", offset, u)
    s = np.sign(along)
    return np.sum(s[1:] * s[:-1] < 0, axis=0)
