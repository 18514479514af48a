"""The network's backward pass against finite differences; Adam and the objectives."""

import numpy as np
import pytest

from jacobiator import nn
from jacobiator.datasets import surface_cloud, xor_cloud, xor_labels

from helpers import numeric_grad


@pytest.mark.parametrize("activation", ["tanh", "gelu", "softplus", "sin"])
@pytest.mark.parametrize("objective", ["mse", "logistic"])
def test_backward_matches_finite_differences(activation, objective):
    rng = np.random.default_rng(3)
    net = nn.init_mlp([2, 5, 4, 1], activation, rng)
    x = rng.normal(size=(7, 2))
    target = (rng.random((7, 1)) < 0.5).astype(float)

    def loss():
        return nn.OBJECTIVES[objective](nn.predict(net, x), target)[0]

    out, cache = nn.forward(net, x)
    grads, dL_dx = nn.backward(net, cache, nn.OBJECTIVES[objective](out, target)[1])
    for (dW, db), W, b in zip(grads, net.weights, net.biases):
        np.testing.assert_allclose(dW, numeric_grad(loss, W), rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(db, numeric_grad(loss, b), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(dL_dx, numeric_grad(loss, x), rtol=1e-5, atol=1e-8)


def test_preactivations_are_what_sigma_is_applied_to():
    rng = np.random.default_rng(0)
    net = nn.init_mlp([2, 6, 6, 1], "relu", rng)
    x = rng.normal(size=(5, 2))
    z1, z2 = nn.preactivations(net, x)
    np.testing.assert_allclose(z1, x @ net.weights[0] + net.biases[0])
    np.testing.assert_allclose(z2, np.maximum(z1, 0) @ net.weights[1] + net.biases[1])


def test_training_fits_a_surface_and_separates_xor():
    rng = np.random.default_rng(1)
    x, t = surface_cloud("saddle", 200, 0.0, seed=1)
    net = nn.init_mlp([2, 16, 16, 1], "tanh", rng)
    losses = nn.train(net, x, t, steps=400, lr=0.01)
    assert losses[-1] < 0.02 * losses[0]

    x, labels = xor_cloud(300, flip=0.0, seed=2)
    net = nn.init_mlp([2, 16, 1], "relu", rng)
    nn.train(net, x, labels, steps=400, lr=0.02, objective="logistic")
    x_test = rng.normal(size=(1000, 2))
    accuracy = np.mean((nn.predict(net, x_test) > 0) == xor_labels(x_test))
    assert accuracy > 0.9


def test_a_non_finite_gradient_skips_the_step_instead_of_poisoning_the_weights():
    rng = np.random.default_rng(0)
    net = nn.init_mlp([2, 3, 1], "square", rng)
    opt = nn.Adam(0.1)
    before = [p.copy() for p in nn.parameters(net)]
    with np.errstate(over="ignore", invalid="ignore"):
        nn.train_step(net, opt, np.full((4, 2), 1e200), np.zeros((4, 1)))
    for p, q in zip(nn.parameters(net), before):
        np.testing.assert_array_equal(p, q)
