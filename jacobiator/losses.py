r"""Losses as pairs of functions: a value and its analytic gradients.

Every loss acts on batches: ``x`` and ``y`` have shape ``(N, n)``, a list of N
vectors of dimension n. ``value(x, y)`` returns the N per-sample losses
:math:`L(x_i, y_i)`; ``dL_dx`` and ``dL_dy`` return the per-sample gradients,
shape ``(N, n)``. The loss of the whole batch is the mean of the values, so its
gradient w.r.t. ``x_i`` is ``dL_dx(x, y)[i] / N``.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

Array = np.ndarray

# log L is taken of L + LOG_EPS, so that log L and its gradient stay finite
# where L = 0 (x = y); below 1e-12 the field is capped anyway.
LOG_EPS = 1e-12


@dataclass(frozen=True)
class Loss:
    """A loss L(x, y) with its gradients w.r.t. both arguments."""

    key: str
    label: str
    formula: str  # LaTeX, shown in the article and the plot title
    value: Callable[[Array, Array], Array]
    dL_dx: Callable[[Array, Array], Array]
    dL_dy: Callable[[Array, Array], Array]


def mse(x: Array, y: Array) -> Array:
    r"""Squared distance, per sample: :math:`L(x, y) = \langle x-y | x-y \rangle`."""
    d = x - y
    return np.einsum("ij,ij->i", d, d)


def mse_dx(x: Array, y: Array) -> Array:
    r""":math:`\nabla_x L = 2 (x - y)`."""
    return 2.0 * (x - y)


def mse_dy(x: Array, y: Array) -> Array:
    r""":math:`\nabla_y L = -2 (x - y)`."""
    return -2.0 * (x - y)


def log_of(loss: Loss) -> Loss:
    r"""The loss :math:`\log(L + \epsilon)`, whose gradient is :math:`\nabla L / (L + \epsilon)`.

    For a loss that reaches 0 this rescales the field: far from the minimum the
    arrows shrink, near it they blow up (for MSE, :math:`|\nabla \log L| = 2/|x-y|`).
    """

    def value(x, y):
        return np.log(loss.value(x, y) + LOG_EPS)

    def grad(dL):
        def dlogL(x, y):
            return dL(x, y) / (loss.value(x, y) + LOG_EPS)[:, None]

        return dlogL

    return Loss(
        key=f"log_{loss.key}",
        label=f"log {loss.label}",
        formula=rf"\log\left({loss.formula}\right)",
        value=value,
        dL_dx=grad(loss.dL_dx),
        dL_dy=grad(loss.dL_dy),
    )


LOSSES: dict[str, Loss] = {
    loss.key: loss
    for loss in [
        Loss("mse", "MSE", r"\langle x-y \mid x-y \rangle", mse, mse_dx, mse_dy),
    ]
}


def get_loss(key: str, log: bool = False) -> Loss:
    """The registered loss ``key``, or its logarithm when ``log`` is true."""
    if key not in LOSSES:
        raise ValueError(f"unknown loss {key!r}; choose one of: {', '.join(LOSSES)}")
    return log_of(LOSSES[key]) if log else LOSSES[key]
