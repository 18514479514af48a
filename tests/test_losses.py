"""The analytic gradients of every registered loss, checked against its value;
and the registry's rules (log only of a loss that is never negative, α in [0, 2])."""

import warnings

import numpy as np
import pytest

from jacobiator.losses import LOSSES, cos_sim, dot_sim, gen_sim, gensim_loss, get_loss, log_of

N = 7
H = 1e-6  # central-difference step
ALPHAS = (0.0, 0.5, 1.0, 1.5, 2.0)

# (key, log, alpha): every registered loss, its log where that is defined, GenSim at several α.
LOSS_VARIANTS = [(key, log, 1.0) for key, loss in LOSSES.items()
                 for log in ((False, True) if loss.nonnegative else (False,))]
LOSS_VARIANTS += [("gensim", log, alpha) for alpha in ALPHAS if alpha != 1.0 for log in (False, True)]
VARIANT_IDS = [f"{'log_' if log else ''}{key}{'' if alpha == 1.0 else f'_a{alpha:g}'}"
               for key, log, alpha in LOSS_VARIANTS]


def batch(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A float64 batch (x, y) of shape (N, n) away from every singular point and kink:
    |x|, |y| and |x - y| above 0.3 (CosSim, DotSim, log L at x = y) and every
    |y_d x_d| above 0.01 (the kinks of the sign losses)."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(50 * N, n)), rng.normal(size=(50 * N, n))
    ok = ((np.linalg.norm(x, axis=1) > 0.3) & (np.linalg.norm(y, axis=1) > 0.3)
          & (np.linalg.norm(x - y, axis=1) > 0.3) & (np.abs(x * y).min(axis=1) > 0.01))
    assert ok.sum() >= N
    return x[ok][:N], y[ok][:N]


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
@pytest.mark.parametrize("key, log, alpha", LOSS_VARIANTS, ids=VARIANT_IDS)
def test_gradients_match_finite_differences(key, log, alpha, n):
    loss = get_loss(key, log=log, alpha=alpha)
    x, y = batch(n, seed=1234 + n)

    L = loss.value(x, y)
    dL_dx, dL_dy = loss.dL_dx(x, y), loss.dL_dy(x, y)
    assert L.shape == (N,)
    assert dL_dx.shape == dL_dy.shape == (N, n)
    assert np.isfinite(L).all() and np.isfinite(dL_dx).all() and np.isfinite(dL_dy).all()

    np.testing.assert_allclose(per_sample_jacobian(dL_dx), finite_difference_jacobian(loss.value, x, y, "x"),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(per_sample_jacobian(dL_dy), finite_difference_jacobian(loss.value, x, y, "y"),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("key, log, alpha", LOSS_VARIANTS, ids=VARIANT_IDS)
def test_singular_points_give_no_warnings(key, log, alpha):
    """At x = 0 and y = 0 the formulas divide by zero: inf or nan, but silently."""
    loss = get_loss(key, log=log, alpha=alpha)
    zero, one = np.zeros((2, 3)), np.ones((2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x, y in ((zero, one), (one, zero), (zero, zero)):
            assert loss.value(x, y).shape == (2,)
            assert loss.dL_dx(x, y).shape == loss.dL_dy(x, y).shape == (2, 3)


def test_gensim_is_finite_where_its_alpha_removes_the_singularity():
    """GenSim_0 = DotSim never divides by |x|, GenSim_2 never by |y|."""
    zero, y = np.zeros((2, 3)), np.ones((2, 3))
    np.testing.assert_allclose(get_loss("gensim", alpha=0.0).dL_dx(zero, y), get_loss("mse_dot").dL_dx(zero, y))
    np.testing.assert_allclose(get_loss("gensim", alpha=2.0).dL_dy(y, zero), -2 * y / 3)  # 2 (0 - 1) x / |x|^2
    assert not np.isfinite(get_loss("gensim", alpha=0.5).dL_dx(zero, y)).any()


def test_nonnegative_flags_are_true():
    """A loss flagged nonnegative never goes below 0 (up to rounding); the others do."""
    x, y = batch(3, seed=11)
    x = np.concatenate([x, 3 * y, -y])  # along y, beyond y, opposite y
    y = np.concatenate([y, y, y])
    for key, loss in LOSSES.items():
        lowest = loss.value(x, y).min()
        assert (lowest >= -1e-15) if loss.nonnegative else (lowest < 0), key


@pytest.mark.parametrize("key", [key for key, loss in LOSSES.items() if not loss.nonnegative])
def test_log_of_a_loss_that_can_be_negative_is_refused(key):
    with pytest.raises(ValueError, match="never negative") as e:
        get_loss(key, log=True)
    assert LOSSES[key].label in str(e.value)


def test_log_of_log_is_refused():
    with pytest.raises(ValueError, match="never negative"):
        log_of(get_loss("mse", log=True))


@pytest.mark.parametrize("alpha", [-0.01, 2.01, 5.0, float("nan")])
def test_gensim_alpha_out_of_range_is_refused(alpha):
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        get_loss("gensim", alpha=alpha)
    with pytest.raises(ValueError):
        gensim_loss(alpha)


def test_alpha_reaches_gensim():
    x, y = batch(2, seed=12)
    values = [get_loss("gensim", alpha=a).value(x, y) for a in ALPHAS]
    assert all(not np.allclose(a, b) for a, b in zip(values, values[1:]))
    np.testing.assert_array_equal(get_loss("gensim").value(x, y), LOSSES["gensim"].value(x, y))


@pytest.mark.parametrize("alpha", ALPHAS)
def test_gensim_of_y_with_itself_is_one(alpha):
    _, y = batch(4, seed=13)
    np.testing.assert_allclose(gen_sim(y, y, alpha), 1.0, rtol=1e-12)
    np.testing.assert_allclose(gensim_loss(alpha).value(y, y), 0.0, atol=1e-24)


def test_similarities_on_simple_vectors():
    x, y = np.array([[1.0, 0.0], [2.0, 2.0]]), np.array([[1.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(cos_sim(x, y), [1 / np.sqrt(2), 1 / np.sqrt(2)], rtol=1e-12)
    np.testing.assert_allclose(dot_sim(x, y), [0.5, 2.0], rtol=1e-12)
    # <x|y> / (|x|^α |y|^(2-α)) at α = 1.5: 1 / (1 * 2^0.25) and 2 / (8^0.75 * 1)
    np.testing.assert_allclose(gen_sim(x, y, 1.5), [2**-0.25, 2 / 8**0.75], rtol=1e-12)


def test_sign_losses_as_the_article_writes_them():
    x, y = np.array([[1.0, -1.0, 2.0]]), np.array([[1.0, 1.0, -3.0]])
    # signs agree, disagree, disagree: -(0 + 2 + 2); ReLU(-y x): 0 + 1 + 6
    np.testing.assert_array_equal(get_loss("sign_agree").value(x, y), [-4.0])
    np.testing.assert_array_equal(get_loss("relu_agree").value(x, y), [7.0])


def test_sums_and_variants_are_what_their_labels_say():
    x, y = batch(3, seed=14)
    L = {key: get_loss(key).value(x, y) for key in LOSSES}
    np.testing.assert_allclose(L["sumsim"], L["cos"] + L["mse_dot"], rtol=1e-12)
    np.testing.assert_allclose(L["cos_mse"], L["cos"] + L["mse"], rtol=1e-12)
    np.testing.assert_allclose(L["cos"], 1 - cos_sim(x, y), rtol=1e-12)
    np.testing.assert_allclose(L["dot"], 1 - dot_sim(x, y), rtol=1e-12)
    np.testing.assert_allclose(L["mse_dot"], (1 - dot_sim(x, y)) ** 2, rtol=1e-12)
    np.testing.assert_allclose(L["mse_dot_norm"], np.sum(y * y, axis=1) * L["mse_dot"], rtol=1e-10)
    np.testing.assert_allclose(L["gensim"], L["cos"] ** 2, rtol=1e-10)


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
