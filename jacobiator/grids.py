"""Grids of points on a square of the plane, shared by the core and the figures."""

import numpy as np

Array = np.ndarray


def square_grid(lo: float, hi: float, n: int) -> tuple[Array, Array]:
    """The n coordinates along each side of [lo, hi]^2 and the n*n points as an (n*n, 2)
    batch; rows run along x (point k is (t[k % n], t[k // n])), so values reshape to (n, n)
    rows of constant y, as a heatmap's z."""
    t = np.linspace(lo, hi, n)
    g1, g2 = np.meshgrid(t, t)
    return t, np.stack([g1.ravel(), g2.ravel()], axis=1)
