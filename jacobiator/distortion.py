r"""Distorting a gradient, or a weight matrix, on purpose.

One formula covers every distortion of the *destroy the Jacobian* chapter. For
an array :math:`g` (one layer's gradient, or its weights, in one network)

.. math::

    D_{p,\beta}(g) = m \odot \operatorname{sign}(g)\,|g|^\beta\,
                     \frac{\operatorname{mean}|g|}{\operatorname{mean}|g|^\beta},
    \qquad m_i = \begin{cases} -1 & \text{with probability } p \\ +1 & \text{otherwise} \end{cases}

with the flips :math:`m` drawn afresh at every call.

- :math:`p = 0, \beta = 1`: exact.
- :math:`\beta = 0`: only the signs are kept, rescaled so the mean magnitude stays.
- :math:`0 < \beta < 1`: "sign keeping" in between. Every sign is kept and the
  magnitudes are pulled towards their mean: :math:`|g|^\beta` is a power, so
  ratios between components shrink from :math:`r` to :math:`r^\beta`.
- :math:`p`: random sign flips. :math:`p = 0.5` is pure noise, :math:`p = 1` a
  constant flip. Since :math:`E[m_i] = 1 - 2p`, the flipped array is on average
  the true one scaled by :math:`1 - 2p`.

Arrays carry a leading axis of S networks trained side by side; ``p`` and
``beta`` give each network its own setting, and the means are taken per network.
"""

import numpy as np

Array = np.ndarray


def _per_slice(values: Array, like: Array) -> Array:
    """(S,) values shaped to broadcast against ``like`` (S, ...)."""
    return np.asarray(values, dtype=float).reshape((-1,) + (1,) * (like.ndim - 1))


def keep_sign(g: Array, beta: Array) -> Array:
    r""":math:`\operatorname{sign}(g)\,|g|^\beta\,\operatorname{mean}|g| / \operatorname{mean}|g|^\beta`,
    the means over every axis but the first; :math:`\beta = 1` returns :math:`g`."""
    axes = tuple(range(1, g.ndim))
    magnitude = np.abs(g)
    powered = magnitude ** _per_slice(beta, g)
    mean_powered = powered.mean(axis=axes, keepdims=True)
    # An all-zero gradient stays zero (0 / 0 would be NaN).
    scale = np.divide(magnitude.mean(axis=axes, keepdims=True), mean_powered,
                      out=np.zeros_like(mean_powered), where=mean_powered > 0)
    return np.sign(g) * powered * scale


def flip_signs(g: Array, p: Array, rng: np.random.Generator) -> Array:
    """Each component's sign flipped with probability ``p`` (one p per network), independently."""
    return np.where(rng.random(g.shape) < _per_slice(p, g), -g, g)


def distort(g: Array, p: Array, beta: Array, rng: np.random.Generator) -> Array:
    r""":math:`D_{p,\beta}(g)` per network; arrays no network distorts are returned as they are."""
    p, beta = np.asarray(p, dtype=float), np.asarray(beta, dtype=float)
    if np.any(beta != 1.0):
        g = keep_sign(g, beta)
    if np.any(p > 0.0):
        g = flip_signs(g, p, rng)
    return g


def cosine(a: Array, b: Array) -> Array:
    """Per network (first axis) the cosine between the flattened arrays; 0 where either is zero."""
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.divide(np.sum(a * b, axis=1), norms, out=np.zeros(len(a)), where=norms > 0)
