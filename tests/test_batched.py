"""The batched engine: its passes against nn.py's, its hooks, its optimisers.

Training with the engine against nn.train, seed by seed, is in tests/test_training.py;
the destroy chapter's hooks are in tests/test_destroy.py."""

import numpy as np
import pytest

from jacobiator import batched, nn
from jacobiator.datasets import surface_cloud

SIZES = [2, 5, 5, 1]


def test_batched_gradients_equal_nn_backward():
    nets = batched.init_nets(SIZES, "silu", [1, 2, 3, 4])
    x, t = surface_cloud("bumps", 200, 0.1, seed=0)
    out, cache = batched.forward(nets, x)
    _, dL_dout = batched.mse(out, t)
    grads = batched.backward(nets, cache, dL_dout)
    for s in range(nets.count):
        net = batched.unstack(nets, s)
        out_s, cache_s = nn.forward(net, x)
        np.testing.assert_allclose(out[s], out_s, rtol=0, atol=1e-13)
        grads_s, _ = nn.backward(net, cache_s, nn.mse(out_s, t)[1])
        for (dW, db), (dW_s, db_s) in zip(grads, grads_s):
            np.testing.assert_allclose(dW[s], dW_s, rtol=0, atol=1e-13)
            np.testing.assert_allclose(db[s], db_s, rtol=0, atol=1e-13)


class Recorder(batched.Hooks):
    """Identity hooks that note which piece of which layer passed through them, in order."""

    def __init__(self):
        self.calls = []

    def grad(self, k, g):
        self.calls.append(("grad", k))
        return g

    def theta(self, k, w):
        self.calls.append(("theta", k))
        return w

    def dL_da(self, k, g):
        self.calls.append(("dL_da", k))
        return g


def test_hooks_see_every_piece_from_the_top_layer_down():
    nets = batched.init_nets(SIZES, "tanh", [1, 2])
    x, t = surface_cloud("saddle", 20, 0.0, seed=0)
    out, cache = batched.forward(nets, x)
    recorder = Recorder()
    hooked = batched.backward(nets, cache, batched.mse(out, t)[1], recorder)
    assert recorder.calls == [("grad", 2), ("grad", 2), ("theta", 2), ("dL_da", 2),
                              ("grad", 1), ("grad", 1), ("theta", 1), ("dL_da", 1),
                              ("grad", 0), ("grad", 0)]
    plain = batched.backward(nets, cache, batched.mse(out, t)[1])
    for (dW, db), (pW, pb) in zip(hooked, plain):
        np.testing.assert_array_equal(dW, pW)
        np.testing.assert_array_equal(db, pb)


def test_a_hook_on_the_gradient_passed_back_changes_only_the_layers_below():
    class Halve(batched.Hooks):
        def dL_da(self, k, g):
            return 0.5 * g

    nets = batched.init_nets(SIZES, "tanh", [1])
    x, t = surface_cloud("saddle", 20, 0.0, seed=0)
    out, cache = batched.forward(nets, x)
    dL_dout = batched.mse(out, t)[1]
    halved, plain = batched.backward(nets, cache, dL_dout, Halve()), batched.backward(nets, cache, dL_dout)
    np.testing.assert_array_equal(halved[2][0], plain[2][0])
    np.testing.assert_allclose(halved[1][0], 0.5 * plain[1][0], rtol=1e-14)
    np.testing.assert_allclose(halved[0][0], 0.25 * plain[0][0], rtol=1e-14)


# Optimisers ----------------------------------------------------------------------------


def gradients(steps: int, shape=(3, 7), seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) for _ in range(steps)]


def test_sgd_without_momentum_is_plain_gradient_descent_bit_for_bit():
    lr = 0.3
    flat = np.random.default_rng(1).normal(size=(3, 7))
    by_hand = flat.copy()
    ok = np.array([True, False, True])
    opt = batched.SGD(lr, momentum=0.0)
    for g in gradients(4):
        opt.update(flat, g, ok)
        by_hand -= lr * np.where(ok[:, None], g, 0.0)
    np.testing.assert_array_equal(flat, by_hand)
    assert opt.velocity is None


def test_momentum_is_the_heavy_ball_step():
    lr, mu = 0.1, 0.9
    start = np.random.default_rng(1).normal(size=(3, 7))
    g1, g2, g3 = gradients(3)
    flat = start.copy()
    opt = batched.SGD(lr, momentum=mu)
    for g in (g1, g2, g3):
        opt.update(flat, g, np.ones(3, dtype=bool))
    # v1 = g1, v2 = mu g1 + g2, v3 = mu^2 g1 + mu g2 + g3; every step moves by -lr v.
    v1, v2 = g1, mu * g1 + g2
    v3 = mu * v2 + g3
    np.testing.assert_allclose(flat, start - lr * (v1 + v2 + v3), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(opt.velocity, mu**2 * g1 + mu * g2 + g3, rtol=1e-14)


def test_a_network_with_a_non_finite_gradient_keeps_its_parameters_and_velocity():
    opt = batched.SGD(0.1, momentum=0.9)
    flat = np.zeros((2, 3))
    opt.update(flat, np.ones((2, 3)), np.array([True, True]))
    before, velocity = flat.copy(), opt.velocity.copy()
    bad = np.array([[np.nan, 1.0, 1.0], [1.0, 1.0, 1.0]])
    opt.update(flat, bad, np.isfinite(bad).all(axis=1))
    np.testing.assert_array_equal(flat[0], before[0])
    np.testing.assert_array_equal(opt.velocity[0], velocity[0])
    np.testing.assert_allclose(flat[1], before[1] - 0.1 * (0.9 * velocity[1] + 1.0))


def test_the_optimisers_by_name():
    assert isinstance(batched.optimizer("adam", 0.01, 2), batched.Adam)
    assert batched.optimizer("sgd", 0.1, 2) == batched.SGD(0.1)
    assert batched.optimizer("momentum", 0.1, 2) == batched.SGD(0.1, batched.MOMENTUM)
    with pytest.raises(ValueError, match="rmsprop"):
        batched.optimizer("rmsprop", 0.1, 2)


# The cures for deep plain nets: initialisation gain, normalisation, skip connections ------------

DEEP = [2, 4, 4, 4, 1]  # three equal-width hidden layers: two skip connections
CURES = {"gain": {"gain": [0.5, 2.0]}, "norm": {"norm": True}, "residual": {"residual": True},
         "all": {"gain": [0.7, 1.6], "norm": [True, False], "residual": [True, True]}}


def finite_difference_gradient(nets: batched.Nets, x, t, h: float = 1e-6) -> np.ndarray:
    """Every network's loss differentiated coordinate by coordinate, centrally (S, P)."""
    out = np.zeros_like(nets.flat)
    for j in range(nets.flat.shape[1]):
        nets.flat[:, j] += h
        up = batched.logistic(batched.predict(nets, x), t)[0]
        nets.flat[:, j] -= 2 * h
        down = batched.logistic(batched.predict(nets, x), t)[0]
        nets.flat[:, j] += h
        out[:, j] = (up - down) / (2 * h)
    return out


@pytest.mark.parametrize("cure", CURES)
def test_the_backward_pass_of_each_cure_is_exact(cure):
    x, t = surface_cloud("saddle", 30, 0.0, seed=0)
    t = (t > 0).astype(float)
    nets = batched.init_nets(DEEP, "gelu", [1, 2], **CURES[cure])
    _, grad = batched.flat_gradient(nets, x, t, "logistic")
    np.testing.assert_allclose(grad, finite_difference_gradient(nets, x, t), rtol=1e-5, atol=1e-8)
    assert np.abs(grad).max() > 1e-3  # a real gradient, not two zeros agreeing


@pytest.mark.parametrize("cure", CURES)
def test_each_cure_changes_the_network(cure):
    x, _ = surface_cloud("saddle", 30, 0.0, seed=0)
    plain = batched.predict(batched.init_nets(DEEP, "gelu", [1, 2]), x)
    cured = batched.predict(batched.init_nets(DEEP, "gelu", [1, 2], **CURES[cure]), x)
    assert np.all(np.abs(cured - plain).max(axis=(1, 2)) > 1e-3)


def test_the_cures_switched_off_are_the_plain_network_bit_for_bit():
    x, _ = surface_cloud("saddle", 30, 0.0, seed=0)
    plain = batched.init_nets(DEEP, "gelu", [1, 2])
    off = batched.init_nets(DEEP, "gelu", [1, 2], gain=1.0, norm=False, residual=False)
    np.testing.assert_array_equal(off.flat, plain.flat)
    np.testing.assert_array_equal(batched.predict(off, x), batched.predict(plain, x))


def test_a_gain_scales_the_weights_and_not_the_biases():
    plain = batched.init_nets(DEEP, "gelu", [1, 2])
    scaled = batched.init_nets(DEEP, "gelu", [1, 2], gain=[0.5, 3.0])
    for w, w0 in zip(scaled.weights, plain.weights):
        np.testing.assert_allclose(w, np.array([0.5, 3.0])[:, None, None] * w0, rtol=1e-15)
    for b, b0 in zip(scaled.biases, plain.biases):
        np.testing.assert_array_equal(b, b0)


def test_normalised_pre_activations_have_zero_mean_and_unit_variance_over_the_layer():
    x, _ = surface_cloud("saddle", 30, 0.0, seed=0)
    nets = batched.init_nets(DEEP, "gelu", [1, 2], gain=3.0, norm=[True, False])
    _, cache = batched.forward(nets, x)
    for layer in cache[:-1]:
        u = layer.u[0]
        np.testing.assert_allclose(u.mean(axis=-1), 0.0, atol=1e-12)
        np.testing.assert_allclose(u.var(axis=-1), 1.0, rtol=1e-3)  # up to ε
        assert not np.allclose(layer.u[1].var(axis=-1), 1.0, rtol=0.1)  # the other network does not normalise


def test_a_skip_connection_adds_the_layer_input_only_where_widths_agree():
    x, _ = surface_cloud("saddle", 30, 0.0, seed=0)
    nets = batched.init_nets(DEEP, "gelu", [1], residual=True)
    _, cache = batched.forward(nets, x)
    act = nets.activation.fn
    np.testing.assert_allclose(cache[1].a_prev, act(cache[0].u), rtol=1e-14)  # 2 -> 4: no skip
    np.testing.assert_allclose(cache[2].a_prev, cache[1].a_prev + act(cache[1].u), rtol=1e-14)
    np.testing.assert_allclose(cache[3].a_prev, cache[2].a_prev + act(cache[2].u), rtol=1e-14)


def test_a_network_in_a_mixed_batch_is_the_network_alone():
    x, _ = surface_cloud("saddle", 30, 0.0, seed=0)
    mixed = batched.init_nets(DEEP, "gelu", [1, 2, 3], gain=[1.0, 2.0, 0.5], norm=[False, True, True],
                              residual=[True, False, True])
    out = batched.predict(mixed, x)
    for s, (g, n, r) in enumerate(zip([1.0, 2.0, 0.5], [False, True, True], [True, False, True])):
        alone = batched.predict(batched.init_nets(DEEP, "gelu", [s + 1], gain=g, norm=n, residual=r), x)
        np.testing.assert_allclose(out[s], alone[0], rtol=1e-12, atol=1e-14)


def test_bad_cure_options_are_clear_errors():
    with pytest.raises(ValueError, match="gain must be positive"):
        batched.init_nets(DEEP, "gelu", [1, 2], gain=[1.0, 0.0])
    with pytest.raises(ValueError, match="norm must be one value or one per network"):
        batched.init_nets(DEEP, "gelu", [1, 2], norm=[True, False, True])
    with pytest.raises(ValueError, match="cannot hold it"):
        batched.unstack(batched.init_nets(DEEP, "gelu", [1], residual=True), 0)
