r"""Point clouds for the experiments, deterministic for a given seed.

Surfaces: inputs uniform on :math:`[-1, 1]^2`, targets :math:`t = s(x) + \epsilon`
with Gaussian noise. XOR: a standard normal cloud labelled 1 where the two
coordinates have opposite signs, some labels flipped at random.
"""

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Surface:
    key: str
    label: str
    fn: Callable[[Array, Array], Array]


def _bumps(x1, x2):
    return np.exp(-8 * ((x1 - 0.4) ** 2 + (x2 - 0.3) ** 2)) - 0.8 * np.exp(-8 * ((x1 + 0.45) ** 2 + (x2 + 0.35) ** 2))


SURFACES: dict[str, Surface] = {
    s.key: s
    for s in [
        Surface("saddle", "saddle x₁x₂", lambda x1, x2: x1 * x2),
        Surface("ripple", "ripple sin(4r)/2", lambda x1, x2: 0.5 * np.sin(4.0 * np.hypot(x1, x2))),
        Surface("bumps", "a hill and a hole", _bumps),
        Surface("step", "a smooth step", lambda x1, x2: 0.5 * np.tanh(6.0 * (x1 + 0.5 * x2))),
    ]
}


def get_surface(key: str) -> Surface:
    if key not in SURFACES:
        raise ValueError(f"unknown surface {key!r}; choose one of: {', '.join(SURFACES)}")
    return SURFACES[key]


def surface_cloud(key: str, n: int, noise: float, seed: int) -> tuple[Array, Array]:
    """``n`` inputs (n, 2) on [-1, 1]^2 and their noisy targets (n, 1)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (n, 2))
    t = get_surface(key).fn(x[:, 0], x[:, 1]) + noise * rng.normal(size=n)
    return x, t[:, None]


def xor_labels(x: Array) -> Array:
    """1 where the coordinates' signs differ, else 0, as an (n, 1) column."""
    return ((x[:, 0] > 0) != (x[:, 1] > 0)).astype(float)[:, None]


def xor_cloud(n: int, flip: float, seed: int) -> tuple[Array, Array]:
    """A standard normal cloud (n, 2) and its XOR labels, a share ``flip`` of them flipped."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    labels = xor_labels(x)
    flipped = rng.random(n) < flip
    labels[flipped] = 1.0 - labels[flipped]
    return x, labels


@dataclass(frozen=True)
class Data:
    """A training set and a separate test set."""

    x: Array  # (N, 2) training inputs
    t: Array  # (N, 1) training targets (noisy labels or noisy heights)
    x_test: Array  # (M, 2)
    t_test: Array  # (M, 1) clean labels or the noiseless surface


def xor_data(n_train: int, n_test: int, flip: float, seed: int) -> Data:
    """The XOR cloud with a share ``flip`` of its labels flipped, and a clean test cloud from the next seed."""
    x, t = xor_cloud(n_train, flip, seed)
    x_test, t_test = xor_cloud(n_test, 0.0, seed + 1)
    return Data(x, t, x_test, t_test)


@functools.cache
def best_cut_accuracy(samples: int = 20_000, seed: int = 0, directions: int = 360) -> float:
    """The best accuracy of one straight cut (a half-plane, either side class 1) on the clean XOR
    cloud, searched over ``directions`` directions and, per direction, every threshold: about 63 %.
    A network that does no better has not used its hidden layers."""
    x = np.random.default_rng(seed).normal(size=(samples, 2))
    label = xor_labels(x)[:, 0]
    best = 0.0
    for angle in np.linspace(0.0, np.pi, directions, endpoint=False):
        order = np.argsort(x @ np.array([np.cos(angle), np.sin(angle)]))
        # Cutting after the first i points: class 0 below, class 1 above.
        below_zeros = np.concatenate([[0], np.cumsum(1 - label[order])])
        above_ones = label.sum() - np.concatenate([[0], np.cumsum(label[order])])
        right = (below_zeros + above_ones) / samples
        best = max(best, right.max(), 1 - right.min())  # or the other way round
    return float(best)
