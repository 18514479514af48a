"""The analytic gradients of every registered loss, checked against its value."""

import numpy as np
import pytest

from jacobiator.losses import LOSSES, get_loss

N = 7
H = 1e-6  # central-difference step
LOSS_VARIANTS = [(key, log) for key in LOSSES for log in (False, True)]


def batch(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A float64 batch (x, y) of shape (N, n), with no x_i equal (or very close) to y_i."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(N, n)), rng.normal(size=(N, n))
    assert np.linalg.norm(x - y, axis=1).min() > 0.1
    return x, y


def finite_difference_jacobian(value, x, y, wrt: str) -> np.ndarray:
    """J[k, i, j] = d value(x, y)[k] / d (x or y)[i, j], by central differences."""
    J = np.zeros((N, *x.shape))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            e = np.zeros_like(x)
            e[i, j] = H
            if wrt == "x":
                J[:, i, j] = (value(x + e, y) - value(x - e, y)) / (2 * H)
            else:
                J[:, i, j] = (value(x, y + e) - value(x, y - e)) / (2 * H)
    return J


def per_sample_jacobian(grad: np.ndarray) -> np.ndarray:
    """The Jacobian that per-sample gradients imply: sample k depends only on row k."""
    J = np.zeros((N, *grad.shape))
    J[np.arange(N), np.arange(N)] = grad
    return J


@pytest.mark.parametrize("n", [2, 5])
@pytest.mark.parametrize("key, log", LOSS_VARIANTS, ids=[f"{'log_' if log else ''}{k}" for k, log in LOSS_VARIANTS])
def test_gradients_match_finite_differences(key, log, n):
    loss = get_loss(key, log=log)
    x, y = batch(n, seed=1234 + n)

    L = loss.value(x, y)
    dL_dx, dL_dy = loss.dL_dx(x, y), loss.dL_dy(x, y)
    assert L.shape == (N,)
    assert dL_dx.shape == dL_dy.shape == (N, n)

    np.testing.assert_allclose(per_sample_jacobian(dL_dx), finite_difference_jacobian(loss.value, x, y, "x"),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(per_sample_jacobian(dL_dy), finite_difference_jacobian(loss.value, x, y, "y"),
                               rtol=1e-5, atol=1e-5)


def test_mse_is_the_squared_distance():
    x, y = batch(3, seed=7)
    np.testing.assert_allclose(get_loss("mse").value(x, y), np.sum((x - y) ** 2, axis=1), rtol=1e-12)


def test_log_mse_gradient_norm_is_two_over_distance():
    x, y = batch(2, seed=8)
    dlogL_dx = get_loss("mse", log=True).dL_dx(x, y)
    np.testing.assert_allclose(np.linalg.norm(dlogL_dx, axis=1), 2 / np.linalg.norm(x - y, axis=1), rtol=1e-9)


def test_unknown_loss_names_the_known_ones():
    with pytest.raises(ValueError) as e:
        get_loss("no_such_loss")
    message = str(e.value)
    assert "no_such_loss" in message
    assert all(key in message for key in LOSSES)
