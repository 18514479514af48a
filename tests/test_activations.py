"""Every activation: its derivative against finite differences; the exact GELU's erf against math.erf."""

import math

import numpy as np
import pytest

from jacobiator.activations import ACTIVATIONS, erf, get_activation

KINKS = {"relu", "leaky_relu", "elu", "relu_ripple"}  # not differentiable at 0


@pytest.mark.parametrize("key", sorted(ACTIVATIONS))
def test_grad_matches_finite_differences(key):
    a = ACTIVATIONS[key]
    x = np.random.default_rng(7).uniform(-6, 6, 400)
    if key in KINKS:
        x = x[np.abs(x) > 1e-3]
    h = 1e-5
    numeric = (a.fn(x + h) - a.fn(x - h)) / (2 * h)
    np.testing.assert_allclose(a.grad(x), numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("key", sorted(ACTIVATIONS))
def test_values_are_finite_far_out(key):
    x = np.array([-1e4, -50.0, 0.0, 50.0, 1e4])
    a = ACTIVATIONS[key]
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        assert np.isfinite(a.fn(x)).all() and np.isfinite(a.grad(x)).all()


def test_erf_matches_math_erf():
    x = np.linspace(-6, 6, 2001)
    assert np.max(np.abs(erf(x) - np.array([math.erf(v) for v in x]))) < 2e-7


def test_gelu_tanh_approximates_gelu():
    x = np.linspace(-6, 6, 2001)
    gap = np.max(np.abs(ACTIVATIONS["gelu"].fn(x) - ACTIVATIONS["gelu_tanh"].fn(x)))
    assert 1e-5 < gap < 1e-3  # close, and not the same function


def test_unknown_activation_is_a_ValueError_naming_the_choices():
    with pytest.raises(ValueError, match="relu"):
        get_activation("rectifier")


RIPPLED = {"relu": "relu_ripple", "gelu": "gelu_ripple", "tanh": "tanh_ripple"}


@pytest.mark.parametrize("simple, twin", sorted(RIPPLED.items()))
def test_a_ripple_moves_the_value_by_an_eighth_and_the_slope_by_one(simple, twin):
    """The 'complex' twin keeps its base's shape (value within 1/8) but not its derivative (off by up to 1)."""
    x = np.linspace(-6, 6, 24001)
    base, rippled = ACTIVATIONS[simple], ACTIVATIONS[twin]
    value_gap = np.abs(rippled.fn(x) - base.fn(x))
    slope_gap = np.abs(rippled.grad(x) - base.grad(x))
    assert 0.1249 < value_gap.max() <= 0.125 + 1e-12
    assert 0.999 < slope_gap.max() <= 1.0 + 1e-12
    assert not rippled.monotone  # its derivative goes negative somewhere in [-6, 6]
    assert rippled.grad(x).min() < 0
