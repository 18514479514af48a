"""Restore the Jacobian: the directional identity, J_hat learnt from directional samples, the
forward-gradient baseline, the Log-Lin-Exp layer, and the learned gradient models."""


import numpy as np
import pytest

from jacobiator import learned_gradient as lg
from jacobiator import loglinexp, restore
from jacobiator.figures import render

from helpers import numeric_grad, run_live


# The identity (grad_f J) . d_alpha = grad_f . df --------------------------------------


def test_the_directional_identity_holds_for_a_nonlinear_f():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(3, 4))

    def f(x):
        return np.tanh(x @ W.T)

    x, d, grad_f = rng.normal(size=(5, 4)), 1e-4 * rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    J = (1 - np.tanh(x @ W.T) ** 2)[:, :, None] * W  # (5, 3, 4): diag(tanh') W
    lhs = np.einsum("bo,boi,bi->b", grad_f, J, d)  # (grad_f J) . d
    np.testing.assert_allclose(restore.directional_targets(f, x, d, grad_f), lhs, rtol=1e-6)


def test_the_directional_targets_of_the_bilinear_f_are_exact():
    config = lg.Config(dim_i=3, dim_o=2, batch=10)
    u, d_alpha, t = lg.directional_batch(config, np.random.default_rng(1))
    grad_f, x, A = u[:, :2], u[:, 2:5], u[:, 5:].reshape(10, 2, 3)
    np.testing.assert_allclose(np.sum(lg.true_gradient(grad_f, x, A) * d_alpha, axis=1), t, rtol=1e-10)


# Part 1: J_hat -------------------------------------------------------------------


def test_J_hat_converges_to_J_under_mse():
    run = restore.train(restore.Config(dim_i=4, dim_o=3, dim_sample=2, epochs=60, seed=3))
    assert run.history["rel_error"][-1] < 1e-3
    assert run.history["signs"][-1] == 1.0
    assert run.history["rel_error"][0] > 0.5  # it started far away


def test_a_step_changes_only_the_sampled_columns():
    run = restore.start(restore.Config(dim_i=6, dim_o=3, dim_sample=2))
    before = run.J_hat.copy()
    restore.step(run, 1)
    changed = np.any(run.J_hat != before, axis=0)
    assert changed.sum() == 2


def test_least_squares_recovers_J_exactly_when_the_samples_span_its_entries():
    rng = np.random.default_rng(0)
    J = rng.normal(size=(3, 5))
    grad_f, d = rng.normal(size=(20, 3)), rng.normal(size=(20, 5))  # 20 >= 15 unknowns, generic
    t = np.sum((grad_f @ J) * d, axis=1)
    np.testing.assert_allclose(restore.least_squares_jacobian(grad_f, d, t), J, atol=1e-10)


def test_least_squares_leaves_untouched_columns_at_zero():
    rng = np.random.default_rng(1)
    J = rng.normal(size=(2, 4))
    grad_f, d = rng.normal(size=(30, 2)), rng.normal(size=(30, 4))
    d[:, 3] = 0.0  # no direction touches the last column: its entries are undetermined
    J_hat = restore.least_squares_jacobian(grad_f, d, np.sum((grad_f @ J) * d, axis=1))
    np.testing.assert_allclose(J_hat[:, :3], J[:, :3], atol=1e-10)
    np.testing.assert_allclose(J_hat[:, 3], 0.0, atol=1e-12)  # the minimum-norm answer


@pytest.mark.parametrize("shapes, named", [
    (((5, 2), (5, 3), (4,)), "same number"),
    (((5, 2), (5, 3), (5, 1)), "shapes"),
    (((5,), (5, 3), (5,)), "shapes"),
    (((0, 2), (0, 3), (0,)), "N >= 1"),
])
def test_least_squares_with_bad_shapes_is_a_clear_error(shapes, named):
    grad_f, d, t = (np.ones(shape) for shape in shapes)
    with pytest.raises(ValueError, match=named):
        restore.least_squares_jacobian(grad_f, d, t)


def test_the_least_squares_baseline_sees_the_training_samples():
    config = restore.Config(dim_i=6, dim_o=3, dim_sample=2, seed=4)
    steps = config.samples_per_epoch // config.batch
    grad_f, d, t = restore.training_samples(config, steps)
    run = restore.start(config)
    for k in range(steps):  # the batches train_step draws, in its order
        x_k, d_k, grad_f_k = restore.sample(run)
        rows = slice(k * config.batch, (k + 1) * config.batch)
        np.testing.assert_array_equal(d[rows], d_k)
        np.testing.assert_array_equal(grad_f[rows], grad_f_k)
    baseline = restore.least_squares_baseline(config, epochs=1.0)
    assert baseline["samples"] == config.samples_per_epoch
    assert baseline["columns_seen"] == np.count_nonzero(np.any(d != 0, axis=0))


def test_the_least_squares_baseline_is_exact_once_every_column_is_touched():
    config = restore.Config(dim_i=6, dim_o=3, dim_sample=2, seed=4)
    cover = restore.epochs_to_cover(config)
    assert cover is not None
    assert restore.least_squares_baseline(config, cover)["rel_error"] < 1e-10
    before = cover - config.batch / config.samples_per_epoch  # one mini-batch earlier a column is missing
    assert restore.least_squares_baseline(config, before)["columns_seen"] < config.dim_i


def test_pure_cosine_loss_leaves_the_scale_off():
    run = restore.train(restore.Config(initial_messup=5.0, cos_weight=1.0))
    assert np.linalg.norm(run.J_hat) / np.linalg.norm(run.theta) > 3.0
    fixed = restore.train(restore.Config(initial_messup=5.0, cos_weight=0.5))
    assert abs(np.linalg.norm(fixed.J_hat) / np.linalg.norm(fixed.theta) - 1.0) < 0.05


def test_the_cosine_loss_gradient_matches_finite_differences():
    config = restore.Config(cos_weight=0.7)
    rng = np.random.default_rng(2)
    p, t = rng.normal(size=12), rng.normal(size=12)
    _, dL_dp = restore.batch_loss(config, p, t)
    np.testing.assert_allclose(dL_dp, numeric_grad(lambda: restore.batch_loss(config, p, t)[0], p), rtol=1e-5,
                               atol=1e-9)


@pytest.mark.parametrize("bad, named", [({"dim_sample": 9}, "dim_sample"), ({"cos_weight": 2.0}, "cos_weight"),
                                        ({"optimizer": "lbfgs"}, "optimizer")])
def test_a_bad_config_is_a_clear_error(bad, named):
    with pytest.raises(ValueError, match=named):
        restore.Config(**bad)


def test_the_forward_gradient_is_unbiased_with_variance_n_plus_2():
    rng = np.random.default_rng(0)
    J, grad_f = rng.normal(size=(3, 5)), rng.normal(size=(1, 3))
    true = (grad_f @ J)[0]
    one = np.stack([restore.forward_gradient(J, grad_f, 1, rng)[0] for _ in range(40000)])
    np.testing.assert_allclose(one.mean(axis=0), true, atol=0.1 * np.linalg.norm(true))
    assert abs(np.mean(np.sum(one**2, axis=1)) / (true @ true) - (5 + 2)) < 0.3


def test_the_forward_gradient_curve_improves_with_the_budget():
    J = np.random.default_rng(1).normal(size=(4, 4))
    curve = restore.forward_gradient_curve(J, [16, 256, 4096])
    errors = [q["rel_error"] for q in curve["single"]]
    assert errors[0] > errors[1] > errors[2]
    assert all(s["rel_error"] > q["rel_error"] for s, q in zip(curve["shared"], curve["single"]))


def test_rising_loss_detection():
    run = restore.start(restore.Config())
    run.history.update(held_out_loss=[1, 1, 1, 1, 1, 2, 2, 2, 2, 2], signs=[0.5] * 5 + [0.6] * 5,
                       step=list(range(10)))
    found = restore.rising_loss_better_signs(run)
    assert found["found"] and found["loss_ratio"] == 2.0 and abs(found["signs_gain"] - 0.1) < 1e-12
    run.history.update(signs=[0.6] * 5 + [0.5] * 5)
    assert not restore.rising_loss_better_signs(run)["found"]


# Part 2: the Log-Lin-Exp layer and the learned models --------------------------------


def test_the_log_lin_exp_backward_pass_matches_finite_differences():
    rng = np.random.default_rng(4)
    net = loglinexp.init_lle(5, 6, 3, rng, exponent_scale=0.5)
    u = rng.normal(size=(7, 5))  # negative inputs too: the complex logarithm carries their signs
    target = rng.normal(size=(7, 3))

    def loss():
        return float(np.sum((loglinexp.predict(net, u) - target) ** 2))

    out, cache = loglinexp.forward(net, u)
    grads = loglinexp.backward(net, cache, 2 * (out - target))
    for g, p in zip(grads, net.params):
        np.testing.assert_allclose(g, numeric_grad(loss, p), rtol=1e-5, atol=1e-7)


def test_signs_survive_the_log_domain():
    net = loglinexp.LogLinExp(np.array([[1.0, 1.0], [2.0, 1.0], [1.0, 0.0]]), np.eye(3), np.zeros(3))
    u = np.array([[-2.0, 3.0], [-2.0, -3.0], [0.0, 5.0]])
    np.testing.assert_allclose(loglinexp.predict(net, u), [[-6, 12, -2], [6, -12, -2], [0, 0, 0]], atol=1e-9)


@pytest.mark.parametrize("dims", [(1, 1), (2, 3), (4, 2)])
def test_constructed_weights_represent_both_gradients_exactly(dims):
    config = lg.Config(dim_i=dims[0], dim_o=dims[1])
    grad_f, x, A = lg.draw(config, 50, np.random.default_rng(0))
    np.testing.assert_allclose(loglinexp.predict(lg.exact_lle(config), lg.inputs(grad_f, x, A)),
                               lg.true_gradient(grad_f, x, A), atol=1e-12)


def test_both_models_learn_from_the_same_samples_only():
    race = lg.start(lg.Config(samples=6400, seed=1))
    seen = {key: [] for key in lg.MODELS}
    for key, model in race.models.items():
        def step(u, d_alpha, t, model_step=model.step, log=seen[key]):
            log.append((u.copy(), d_alpha.copy(), t.copy()))
            return model_step(u, d_alpha, t)
        model.step = step
    lg.step(race, race.config.steps)
    fc, lle = seen.values()
    assert len(fc) == len(lle) == 6400 // race.config.batch  # one batch each per step, nothing else
    for a, b in zip(fc, lle):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    assert not np.array_equal(fc[0][0], fc[1][0])  # and a new batch every step
    for key in lg.MODELS:
        h = race.history[key]
        assert h["rel_error"][-1] < h["rel_error"][0]
        assert h["samples"][-1] == 6400


def test_the_true_gradient_fits_the_linear_model():
    curve = lg.fit_linear(lg.true_gradient, lg.Config(dim_i=3, dim_o=2))
    assert curve[-1] < 0.05 * curve[0]


# The figures' live runs end on their static renders ---------------------------------


@pytest.mark.parametrize("key, params", [
    ("restore_jacobian", {"dim_i": 4, "dim_o": 3, "epochs": 10, "speed": 3}),
    ("restore_sizes", {"epochs": 2, "seeds": 1}),
    ("gradient_race", {"samples": 5000, "speed": 7}),
    ("gradient_fit", {"samples": 5000, "fit_steps": 20}),
    ("gradient_dims", {"samples": 5000, "monomials": 8, "width": 8, "depth": 1, "seeds": 2}),
])
def test_the_live_run_ends_on_the_static_figure(key, params):
    assert run_live(key, params) == render(key, **params)


def test_dim_sample_above_dim_i_is_taken_as_dim_i_and_said():
    figure = render("restore_jacobian", dim_i=3, dim_sample=8, epochs=2)
    assert "dim_sample taken as dim_i = 3" in figure["layout"]["annotations"][0]["text"]


def test_the_multiply_adds_of_one_gradient():
    config = lg.Config()  # 2 x 2: 8 inputs (∇f, x, A), 6 outputs (∇x, ∇A)
    costs = lg.gradient_costs(config)
    assert costs["backprop"] == 8  # A^T ∇f and ∇f x^T, 4 each
    assert costs["fc"]["multiply_adds"] == 8 * 64 + 64 * 64 + 64 * 64 + 64 * 6  # three hidden layers of 64
    assert costs["fc"]["functions"] == 3 * 64  # one GELU per hidden unit
    assert costs["lle"]["multiply_adds"] == 2 * 64 * 8 + 64 + 6 * 64  # W log u, re and im; Re(m); read-out
    assert costs["fc"]["ratio"] == costs["fc"]["multiply_adds"] / 8
    wider = lg.gradient_costs(lg.Config(width=128))
    assert wider["fc"]["multiply_adds"] > 3 * costs["fc"]["multiply_adds"]  # the square layers dominate


# The headline made fair: errors of each block, costs, step sizes tuned per size -------------


def test_each_gradient_block_has_its_own_relative_error():
    config = lg.Config(dim_i=3, dim_o=2)
    grad_f, x, A = lg.draw(config, 40, np.random.default_rng(2))
    held_out = (lg.inputs(grad_f, x, A), lg.true_gradient(grad_f, x, A))
    net = lg.exact_lle(config)
    net.M[config.dim_i:] = 0.0  # keep ∇x exact, answer ∇A = 0
    model = lg.Model("lle", net, None)
    q = lg.quality(model, held_out, config.dim_i)
    assert q["rel_error_x"] < 1e-12
    assert q["rel_error_A"] == pytest.approx(1.0)
    true = held_out[1]  # together: |∇A| / |(∇x, ∇A)|, between the two
    assert q["rel_error"] == pytest.approx(np.linalg.norm(true[:, 3:]) / np.linalg.norm(true))
    assert set(lg.quality(model, held_out)) == {"cosine", "rel_error"}  # without dim_i, as before


def test_a_race_records_both_blocks_for_both_models():
    race = lg.train(lg.Config(samples=1000, depth=1, width=8, monomials=8))
    for key in lg.MODELS:
        h = race.history[key]
        assert len(h["rel_error_x"]) == len(h["rel_error_A"]) == len(h["rel_error"]) > 1
        # the overall error lies between the two blocks' errors (a weighted mean of their squares)
        lo, hi = sorted((h["rel_error_x"][-1], h["rel_error_A"][-1]))
        assert lo <= h["rel_error"][-1] <= hi


def test_parameter_counts():
    config = lg.Config()  # 2 x 2: 8 inputs, 6 outputs
    fc, lle = (lg.model_cost(lg.make_model(key, config))["parameters"] for key in lg.MODELS)
    assert fc == (8 * 64 + 64) + 2 * (64 * 64 + 64) + (64 * 6 + 6)  # weights and biases
    assert lle == 64 * 8 + 6 * 64 + 6  # exponents W, read-out M and its offset c


SMALL = lg.Config(samples=1500, depth=1, width=8, monomials=8)


def test_tuning_picks_each_models_best_step_size_on_the_same_search():
    grid = (1e-6, 0.01, 3.0)  # too small to move, reasonable, too large
    tuned = lg.tune_step_size(SMALL, grid, seeds=(10, 11))
    for key in lg.MODELS:
        t = tuned[key]
        assert t["grid"] == list(grid) and len(t["rel_error"]) == 3 and all(len(e) == 2 for e in t["rel_error"])
        assert t["score"] == [pytest.approx(np.median(np.nan_to_num(e, nan=np.inf))) for e in t["rel_error"]]
        assert t["step_size"] == grid[int(np.argmin(t["score"]))]
        assert t["step_size"] == 0.01  # neither extreme wins
        # the search is the same for both: each step size tried on the same seeds' samples
        alone = lg.final_quality(lg.with_step_size(SMALL, 11, grid[1], grid[1]))
        assert t["rel_error"][1][1] == alone[key]["rel_error"]


def test_the_tuned_comparison_evaluates_on_other_seeds_at_the_chosen_step_sizes():
    out = lg.tuned_comparison(SMALL, (0.003, 0.03), tuning_seeds=(10,), seeds=(0, 1))
    runs = [lg.final_quality(lg.with_step_size(SMALL, s, out["fc"]["step_size"], out["lle"]["step_size"]))
            for s in (0, 1)]
    for key in lg.MODELS:
        assert out[key]["step_size"] in (0.003, 0.03)
        for name in lg.QUALITY:
            assert out[key][name] == [run[key][name] for run in runs]
        assert out[key]["parameters"] == lg.model_cost(lg.make_model(key, SMALL))["parameters"]
    with pytest.raises(ValueError, match=r"tuning seeds \[1\] are also evaluation seeds"):
        lg.tuned_comparison(SMALL, (0.01,), tuning_seeds=(1, 5), seeds=(0, 1))
    with pytest.raises(ValueError, match="positive"):
        lg.tune_step_size(SMALL, (0.0, 0.01), seeds=(3,))


def test_the_size_sweep_runs_every_seed_at_every_size():
    config = lg.Config(samples=500, depth=1, width=8, monomials=8)
    result = lg.across_dims(config, dims=(1, 2), seeds=(4, 7))
    for key in lg.MODELS:
        for name in lg.QUALITY:
            assert np.shape(result[key][name]) == (2, 2)  # size, seed
    again = lg.final_quality(lg.Config(**{**lg.square(config, 2).__dict__, "seed": 7}))
    assert result["lle"]["rel_error_x"][1][1] == again["lle"]["rel_error_x"]
    with pytest.raises(ValueError, match="at least one size and one seed"):
        lg.start_dims(config, dims=(1, 2), seeds=())


def test_the_sizes_figure_draws_the_median_and_range_over_seeds():
    params = {"samples": 5000, "monomials": 8, "width": 8, "depth": 1, "seeds": 3}
    figure = render("gradient_dims", **params)
    result = lg.across_dims(lg.Config(samples=5000, monomials=8, width=8, depth=1), seeds=(0, 1, 2))
    assert "median of 3 seeds" in figure["layout"]["annotations"][0]["text"]
    assert figure["layout"]["meta"]["seeds"] == 3
    for trace in figure["data"]:
        values = np.array(result[trace["meta"]["model"]]["rel_error"])
        np.testing.assert_allclose(trace["y"], np.median(values, axis=1), rtol=1e-3)
        np.testing.assert_allclose(trace["error_y"]["array"], values.max(axis=1) - np.median(values, axis=1),
                                   rtol=1e-3, atol=1e-6)
        np.testing.assert_allclose(trace["error_y"]["arrayminus"], np.median(values, axis=1) - values.min(axis=1),
                                   rtol=1e-3, atol=1e-6)
    x_only = render("gradient_dims", **params, error="rel_error_x")
    assert "relative error of ∇x" in x_only["layout"]["yaxis"]["title"]["text"]
    assert x_only["data"][0]["y"] != figure["data"][0]["y"]
