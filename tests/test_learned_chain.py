"""A learned gradient chained through a network: the exact rule, feedback alignment, the tanh f."""

import numpy as np
import pytest

from jacobiator import learned_chain as lc
from jacobiator import learned_gradient as lg

SMALL = lc.ChainConfig(dim=3, tanh_layers=2, points=5, steps=40, seed=2)


def mean_squared_error(config, weights, prob):
    residual = lc.forward(config, weights, prob.x)[-1] - prob.y
    return np.mean(np.sum(residual**2, axis=1))


def test_the_tanh_gradient_matches_finite_differences():
    config = lg.Config(dim_i=3, dim_o=2)
    grad_f, x, A = lg.draw(config, 4, np.random.default_rng(1))
    analytic = lg.tanh_gradient(grad_f, x, A)
    alpha = lg.inputs(grad_f, x, A)[:, 2:]  # (x, A) flattened per sample
    numeric = np.zeros_like(analytic)
    eps = 1e-6
    for k in range(alpha.shape[1]):
        step = np.zeros_like(alpha)
        step[:, k] = eps
        plus, minus = alpha + step, alpha - step
        value = [np.sum(grad_f * lg.tanh_f(a[:, :3], a[:, 3:].reshape(4, 2, 3)), axis=1) for a in (plus, minus)]
        numeric[:, k] = (value[0] - value[1]) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, atol=1e-8)
    assert not np.allclose(analytic, lg.true_gradient(grad_f, x, A))  # tanh's slope is in it


def test_the_default_f_and_step_are_the_bilinear_ones():
    config = lg.Config()
    assert config.f == "linear" and config.fd_step == 1.0
    one, two = (lg.directional_batch(config, np.random.default_rng(4)) for _ in range(2))
    u, d_alpha, t = one
    grad_f, x, A = u[:, :2], u[:, 2:4], u[:, 4:].reshape(-1, 2, 2)
    dx, dA = d_alpha[:, :2], d_alpha[:, 2:].reshape(-1, 2, 2)
    df = 0.5 * (lg.f(x + dx, A + dA) - lg.f(x - dx, A - dA))
    np.testing.assert_array_equal(t, np.sum(grad_f * df, axis=1))  # bit for bit the targets of before
    np.testing.assert_array_equal(t, two[2])


def test_the_central_difference_is_exact_for_the_linear_f_and_shrinks_with_h_for_tanh():
    assert lc.central_difference_error(lg.Config(f="linear")) < 1e-12
    coarse, fine = (lc.central_difference_error(lg.Config(f="tanh", fd_step=h)) for h in (1.0, 0.01))
    assert coarse > 0.05
    assert fine < 1e-3 * coarse  # O(h²): a hundredth of the step, about a ten-thousandth of the error


@pytest.mark.parametrize("bad, named", [({"f": "relu"}, "unknown f"), ({"fd_step": 0.0}, "fd_step")])
def test_a_bad_f_or_step_is_a_clear_error(bad, named):
    with pytest.raises(ValueError, match=named):
        lg.Config(**bad)


def test_exact_backprop_through_the_chain_matches_finite_differences():
    prob = lc.problem(SMALL)
    acts = lc.forward(SMALL, prob.start, prob.x)
    _, grad_A = lc.backward(SMALL, lc.backprop, prob.start, acts, 2.0 * (acts[-1] - prob.y))
    eps = 1e-6
    for layer, A in enumerate(prob.start):
        for index in np.ndindex(A.shape):
            plus = [w.copy() for w in prob.start]
            minus = [w.copy() for w in prob.start]
            plus[layer][index] += eps
            minus[layer][index] -= eps
            numeric = (mean_squared_error(SMALL, plus, prob) - mean_squared_error(SMALL, minus, prob)) / (2 * eps)
            assert grad_A[layer].mean(axis=0)[index] == pytest.approx(numeric, abs=1e-7)


def test_feedback_alignment_hands_down_through_B_not_A():
    prob = lc.problem(SMALL)
    acts = lc.forward(SMALL, prob.start, prob.x)
    grad_y = 2.0 * (acts[-1] - prob.y)
    exact_arrived, exact_A = lc.backward(SMALL, lc.backprop, prob.start, acts, grad_y)
    arrived, grad_A = lc.backward(SMALL, lc.feedback_alignment(prob.B), prob.start, acts, grad_y)
    top = len(prob.start) - 1
    np.testing.assert_allclose(grad_A[top], exact_A[top])  # the read-out's ∇A is exact
    np.testing.assert_allclose(arrived[top - 1], grad_y @ prob.B[top])  # ∇x through B (the read-out is linear)
    assert not np.allclose(arrived[top - 1], exact_arrived[top - 1])
    # with B = A it is backprop
    same = lc.backward(SMALL, lc.feedback_alignment(prob.start), prob.start, acts, grad_y)
    for a, b in zip(same[1], exact_A):
        np.testing.assert_allclose(a, b)


def test_backprop_fits_the_teacher_and_its_errors_are_zero():
    config = lc.ChainConfig(seed=1)
    curve = lc.fit(config, lc.backprop)
    assert len(curve) == config.steps + 1
    assert curve[-1] < 0.1 * curve[0]
    errors = lc.gradient_errors(config, lc.backprop)
    assert errors == {"arrived": [0.0] * 3, "grad_A": [0.0] * 3}


def test_a_learned_rule_with_the_exact_log_lin_exp_net_is_backprop_for_the_linear_layers():
    config = lc.ChainConfig(tanh_layers=0, steps=20)
    exact = lg.Model("lle", lg.exact_lle(lg.Config(dim_i=2, dim_o=2)), None)
    prob = lc.problem(config)
    np.testing.assert_allclose(lc.fit(config, lc.learned({"linear": exact}), prob),
                               lc.fit(config, lc.backprop, prob), rtol=1e-9)
    errors = lc.gradient_errors(config, lc.learned({"linear": exact}), prob)
    assert max(errors["grad_A"]) < 1e-9


def test_errors_are_measured_against_backprop_from_the_read_out_down():
    config = lc.ChainConfig()
    prob = lc.problem(config)

    def scaled(kind, grad_out, x, A, layer):  # every ∇x handed down 10 % too large, ∇A exact
        grad_x, grad_A = lc.backprop(kind, grad_out, x, A, layer)
        return 1.1 * grad_x, grad_A
    errors = lc.gradient_errors(config, scaled, prob)
    np.testing.assert_allclose(errors["arrived"], [0.0, 0.1, 0.21], atol=1e-12)  # compounding: 1.1² - 1
    np.testing.assert_allclose(errors["grad_A"], [0.0, 0.1, 0.21], atol=1e-12)


def test_an_unknown_rule_or_missing_models_is_a_clear_error():
    prob = lc.problem(SMALL)
    with pytest.raises(ValueError, match="unknown rule"):
        lc.rule_of("dfa", prob)
    with pytest.raises(ValueError, match="needs its trained models"):
        lc.rule_of("lle", prob)
    with pytest.raises(ValueError, match="tanh_layers"):
        lc.ChainConfig(tanh_layers=-1)
