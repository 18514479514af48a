"""A learned gradient chained through a network: the exact rule, feedback alignment, the tanh f."""

import numpy as np
import pytest

from jacobiator import learned_chain as lc
from jacobiator import learned_gradient as lg
from jacobiator.figures import render

from helpers import run_live

SMALL = lc.ChainConfig(dim=3, tanh_layers=2, points=5, steps=40, seed=2)


def mean_squared_error(config, weights, task):
    residual = lc.forward(config, weights, task.x)[-1] - task.y
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
    task = lc.make_task(SMALL)
    acts = lc.forward(SMALL, task.start, task.x)
    _, grad_A = lc.backward(SMALL, lc.backprop, task.start, acts, 2.0 * (acts[-1] - task.y))
    eps = 1e-6
    for layer, A in enumerate(task.start):
        for index in np.ndindex(A.shape):
            plus = [w.copy() for w in task.start]
            minus = [w.copy() for w in task.start]
            plus[layer][index] += eps
            minus[layer][index] -= eps
            numeric = (mean_squared_error(SMALL, plus, task) - mean_squared_error(SMALL, minus, task)) / (2 * eps)
            assert grad_A[layer].mean(axis=0)[index] == pytest.approx(numeric, abs=1e-7)


def test_feedback_alignment_hands_down_through_B_not_A():
    task = lc.make_task(SMALL)
    acts = lc.forward(SMALL, task.start, task.x)
    grad_y = 2.0 * (acts[-1] - task.y)
    exact_arrived, exact_A = lc.backward(SMALL, lc.backprop, task.start, acts, grad_y)
    arrived, grad_A = lc.backward(SMALL, lc.feedback_alignment(task.B), task.start, acts, grad_y)
    top = len(task.start) - 1
    np.testing.assert_allclose(grad_A[top], exact_A[top])  # the read-out's ∇A is exact
    np.testing.assert_allclose(arrived[top - 1], grad_y @ task.B[top])  # ∇x through B (the read-out is linear)
    assert not np.allclose(arrived[top - 1], exact_arrived[top - 1])
    # with B = A it is backprop
    same = lc.backward(SMALL, lc.feedback_alignment(task.start), task.start, acts, grad_y)
    for a, b in zip(same[1], exact_A):
        np.testing.assert_allclose(a, b)


def test_backprop_fits_the_teacher_and_its_errors_are_zero():
    config = lc.ChainConfig(seed=1)
    curve = lc.fit(config, lc.backprop)
    assert len(curve) == config.steps + 1
    assert curve[-1] < 0.1 * curve[0]
    errors = lc.gradient_errors(config, lc.backprop)
    assert errors == {"arrived": [0.0] * 3, "grad_A": [0.0] * 3, "own": [0.0] * 2}


def test_a_learned_rule_with_the_exact_log_lin_exp_net_is_backprop_for_the_linear_layers():
    config = lc.ChainConfig(tanh_layers=0, steps=20)
    exact = lg.Model("lle", lg.exact_lle(lg.Config(dim_i=2, dim_o=2)), None)
    task = lc.make_task(config)
    np.testing.assert_allclose(lc.fit(config, lc.learned({"linear": exact}), task),
                               lc.fit(config, lc.backprop, task), rtol=1e-9)
    errors = lc.gradient_errors(config, lc.learned({"linear": exact}), task)
    assert max(errors["grad_A"]) < 1e-9


def test_errors_are_measured_against_backprop_from_the_read_out_down():
    config = lc.ChainConfig()
    task = lc.make_task(config)

    def scaled(kind, grad_out, x, A, layer):  # every ∇x handed down 10 % too large, ∇A exact
        grad_x, grad_A = lc.backprop(kind, grad_out, x, A, layer)
        return 1.1 * grad_x, grad_A
    errors = lc.gradient_errors(config, scaled, task)
    np.testing.assert_allclose(errors["arrived"], [0.0, 0.1, 0.21], atol=1e-12)  # compounding: 1.1² - 1
    np.testing.assert_allclose(errors["grad_A"], [0.0, 0.1, 0.21], atol=1e-12)
    np.testing.assert_allclose(errors["own"], [0.1, 0.1], atol=1e-12)  # each layer adds its own 10 %


def test_an_unknown_rule_or_missing_models_is_a_clear_error():
    task = lc.make_task(SMALL)
    with pytest.raises(ValueError, match="unknown rule"):
        lc.rule_of("dfa", task)
    with pytest.raises(ValueError, match="needs its trained models"):
        lc.rule_of("lle", task)
    with pytest.raises(ValueError, match="tanh_layers"):
        lc.ChainConfig(tanh_layers=-1)


def test_the_experiment_stepped_in_pieces_ends_as_in_one_go():
    config, chain = lg.Config(samples=2000, fd_step=0.01, seed=3), lc.ChainConfig(steps=30)
    exp = lc.start_experiment(config, chain)
    while not exp.finished:
        lc.step_experiment(exp, 7, 4)
    whole = lc.seed_run(config, chain)
    for key in lc.RULES:
        assert exp.fits[key].curve == whole[key]["curve"]
        assert len(whole[key]["curve"]) == chain.steps + 1
    alone = lg.train(lg.Config(samples=2000, fd_step=0.01, seed=3, f="tanh"))
    assert whole["race"]["tanh"]["lle"] == alone.history["lle"]["rel_error"][-1]  # each race as if alone
    assert exp.samples == 2 * 2000


def test_the_figure_ends_on_its_static_render_and_draws_every_rule():
    params = {"samples": 5000, "steps": 50, "speed": 25, "tanh_layers": 1}
    static = render("gradient_chain", **params)
    assert run_live("gradient_chain", params) == static
    assert [trace["meta"]["rule"] for trace in static["data"]] == list(lc.RULES)
    assert all(len(trace["y"]) == 51 for trace in static["data"])  # the loss before each step and after the last
    assert static["layout"]["meta"]["fit_step"] == 50 and static["layout"]["meta"]["final_loss"]["backprop"] > 0
