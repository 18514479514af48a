"""The distortion formula D_{p,β} of the destroy-the-Jacobian chapter, component by component."""

import numpy as np
import pytest

from jacobiator.distortion import cosine, distort, flip_signs, keep_sign


def batch(seed=0, shape=(3, 40, 7)):
    return np.random.default_rng(seed).normal(size=shape) * np.array([1.0, 10.0, 0.01])[:, None, None]


def test_exact_settings_return_the_array_itself():
    g = batch()
    assert distort(g, [0.0] * 3, [1.0] * 3, np.random.default_rng(0)) is g


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.7, 1.0])
def test_sign_keeping_keeps_every_sign_and_the_mean_magnitude(beta):
    g = batch()
    d = keep_sign(g, [beta] * 3)
    np.testing.assert_array_equal(np.sign(d), np.sign(g))
    np.testing.assert_allclose(np.abs(d).mean(axis=(1, 2)), np.abs(g).mean(axis=(1, 2)), rtol=1e-12)


def test_sign_only_is_the_sign_times_the_mean_magnitude():
    g = batch()
    d = keep_sign(g, [0.0] * 3)
    np.testing.assert_allclose(d, np.sign(g) * np.abs(g).mean(axis=(1, 2), keepdims=True), rtol=1e-12)


def test_sign_keeping_turns_magnitude_ratios_r_into_r_to_the_beta():
    g = np.array([[1.0, -4.0, 16.0]])
    d = keep_sign(g, [0.5])
    np.testing.assert_allclose(np.abs(d[0, 1:] / d[0, 0]), [2.0, 4.0])
    np.testing.assert_allclose(keep_sign(g, [1.0]), g)


def test_an_all_zero_gradient_stays_zero():
    g = np.zeros((2, 5))
    assert np.all(keep_sign(g, [0.0, 0.5]) == 0)


def test_each_network_keeps_its_own_setting():
    g = batch()
    d = distort(g, [0.0, 1.0, 0.0], [1.0, 1.0, 0.0], np.random.default_rng(0))
    np.testing.assert_allclose(d[0], g[0], rtol=1e-12)  # exact
    np.testing.assert_allclose(d[1], -g[1], rtol=1e-12)  # p = 1 flips every sign
    np.testing.assert_allclose(d[2], np.sign(g[2]) * np.abs(g[2]).mean(), rtol=1e-12)


@pytest.mark.parametrize("p", [0.1, 0.45, 0.5])
def test_flips_happen_with_probability_p(p):
    g = np.ones((1, 100_000))
    share = np.mean(flip_signs(g, [p], np.random.default_rng(1)) < 0)
    assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / g.size)  # four standard errors


def test_flips_are_fresh_at_every_call_and_average_to_the_gradient_scaled_by_1_minus_2p():
    rng = np.random.default_rng(2)
    g = rng.normal(size=(1, 500))
    draws = np.stack([flip_signs(g, [0.45], rng)[0] for _ in range(4000)])
    assert not np.array_equal(draws[0], draws[1])
    scale = draws.mean(axis=0) / g[0]
    assert abs(np.median(scale) - 0.1) < 0.02


def test_cosine_per_network():
    a = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    b = np.array([[0.0, 2.0], [2.0, 2.0], [1.0, 0.0]])
    np.testing.assert_allclose(cosine(a, b), [0.0, 1.0, 0.0])
