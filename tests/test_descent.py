"""jacobiator.descent: gradient descent on a loss of jacobiator.losses, and the distances and
target crossings of its paths (the gradient-fields chapter's measurements in
claims/gradient_fields.py rely on them)."""

import numpy as np
import pytest

from jacobiator.descent import crossings, descend, distances
from jacobiator.losses import get_loss


def test_descent_on_mse_follows_its_closed_form():
    """x_k - y = (1 - 2 η)^k (x_0 - y) for MSE, whose gradient is 2 (x - y)."""
    rng = np.random.default_rng(0)
    x0, y, lr = rng.normal(size=(5, 3)), rng.normal(size=(1, 3)), 0.15
    paths = descend(get_loss("mse"), x0, y, lr, 12)
    assert paths.shape == (13, 5, 3)
    k = np.arange(13)[:, None, None]
    np.testing.assert_allclose(paths - y, (1 - 2 * lr) ** k * (x0 - y)[None], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(paths, descend(get_loss("mse"), x0, np.repeat(y, 5, axis=0), lr, 12))


def test_descent_wrt_y_moves_y_with_x_fixed():
    """With wrt="y", the starts are y's and the fixed argument is x: y_k - x = (1 - 2 η)^k (y_0 - x)."""
    rng = np.random.default_rng(1)
    y0, x, lr = rng.normal(size=(4, 2)), rng.normal(size=(1, 2)), 0.1
    paths = descend(get_loss("mse"), y0, x, lr, 8, wrt="y")
    k = np.arange(9)[:, None, None]
    np.testing.assert_allclose(paths - x, (1 - 2 * lr) ** k * (y0 - x)[None], rtol=1e-12, atol=1e-15)
    # For an asymmetric loss the two directions differ: DotSim's ∇y is not its ∇x.
    a = descend(get_loss("mse_dot"), y0, x, lr, 3, wrt="y")
    b = descend(get_loss("mse_dot"), y0, x, lr, 3, wrt="x")
    assert not np.allclose(a[-1], b[-1])
    with pytest.raises(ValueError, match="wrt"):
        descend(get_loss("mse"), y0, x, lr, 3, wrt="z")


def test_a_path_with_a_non_finite_gradient_stays_put():
    """1 − CosSim has no gradient at x = 0: that path stays there, the others move."""
    x0 = np.array([[0.0, 0.0], [1.0, -1.0]])
    paths = descend(get_loss("cos"), x0, np.array([[1.0, 0.0]]), 0.1, 5)
    assert np.isfinite(paths).all()
    np.testing.assert_array_equal(paths[:, 0], 0.0)
    assert not np.allclose(paths[-1, 1], x0[1])


def test_distances_and_crossings():
    y = np.array([[0.0, 0.0]])
    paths = np.array([[[1.0, 0.0], [0.0, 2.0]],
                      [[-0.5, 0.1], [0.0, 1.0]],
                      [[0.25, 0.0], [0.0, 0.5]]])
    np.testing.assert_allclose(distances(paths, y)[:, 1], [2.0, 1.0, 0.5])
    np.testing.assert_array_equal(crossings(paths, y), [2, 0])
    landing = np.array([[[1.0, 0.0]], [[0.0, 0.0]], [[-1.0, 0.0]]])  # onto the target, then past it
    np.testing.assert_array_equal(crossings(landing, y), [0])
