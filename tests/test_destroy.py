"""The destroy-the-Jacobian experiment: which piece of the backward pass each distortion touches,
the batching of networks, the sweeps, and the figures' live runs against their static renders."""

import json
from dataclasses import replace

import numpy as np
import pytest

from jacobiator import batched, destroy
from jacobiator.activations import get_activation
from jacobiator.destroy import EXACT, Distortion, Setup
from jacobiator.figures import advance, handle, render
from jacobiator.figures import destroy_jacobian as fig

from helpers import run_live

SMALL = Setup(depth=3, width=6, steps=20, n_train=40, n_test=50)


def gradient(distortion: Distortion, seeds=(1,), setup=SMALL):
    """The distorted gradient per layer at the initial weights, and the true one."""
    run = destroy.start(setup, [distortion] * len(seeds), list(seeds))
    out, cache = batched.forward(run.nets, run.data.x)
    _, dL_dout = batched.logistic(out, run.data.t)
    distorted = batched.backward(run.nets, cache, dL_dout, run.hooks)
    return run, distorted, batched.backward(run.nets, cache, dL_dout)


def test_the_hooks_of_exact_networks_are_the_plain_backward_pass():
    run, distorted, true = gradient(EXACT, seeds=(1, 2))
    for (dW, db), (tW, tb) in zip(distorted, true):
        np.testing.assert_array_equal(dW, tW)
        np.testing.assert_array_equal(db, tb)
    # and they draw no random numbers
    untouched = destroy.start(SMALL, [EXACT] * 2, [1, 2]).hooks.rng
    assert run.hooks.rng.random() == untouched.random()


@pytest.mark.parametrize("distortion", [Distortion(x_flip=0.5), Distortion(x_beta=0.0), Distortion(theta_beta=0.0),
                                        Distortion(theta_flip=0.3), Distortion(feedback=True), Distortion(blur=1.0),
                                        Distortion(x_clip=0.5)])
def test_distortions_passed_backwards_leave_the_output_layer_exact_and_change_the_others(distortion):
    _, distorted, true = gradient(distortion)
    np.testing.assert_allclose(distorted[-1][0], true[-1][0], rtol=1e-12)
    assert not np.allclose(distorted[0][0], true[0][0])


def test_a_distorted_grad_theta_changes_every_layer_but_passes_nothing_on():
    _, distorted, true = gradient(Distortion(grad_beta=0.0))
    for (dW, _), (tW, _) in zip(distorted, true):
        np.testing.assert_array_equal(np.sign(dW), np.sign(tW))
        np.testing.assert_allclose(np.abs(dW).mean(), np.abs(tW).mean(), rtol=1e-12)
    # Sign only of the top layer's gradient, exactly: nothing distorted reached it from above.
    top = true[-1][0]
    np.testing.assert_allclose(distorted[-1][0], np.sign(top) * np.abs(top).mean(), rtol=1e-12)


def test_the_blurred_slope_is_the_derivative_averaged_over_a_gaussian():
    gelu = get_activation("gelu")
    z = np.linspace(-4, 4, 17).reshape(1, 1, -1)
    # The convolution by brute force: a fine Riemann sum over the Gaussian's ±8 widths.
    for width in (0.3, 0.6, 1.0):
        e = np.linspace(-8, 8, 4001)
        density = np.exp(-e**2 / 2) / np.sqrt(2 * np.pi)
        by_sum = (gelu.grad(z[..., None] + width * e) * density).sum(axis=-1) * (e[1] - e[0])
        np.testing.assert_allclose(destroy.blurred_slope(gelu.grad, z, [width]), by_sum, atol=1e-6)
    np.testing.assert_allclose(destroy.blurred_slope(gelu.grad, z, [0.0]), gelu.grad(z), rtol=1e-12)


def test_a_blurred_slope_keeps_the_sign_of_the_gradient_passed_back_for_a_monotone_activation():
    run, distorted, true = gradient(Distortion(blur=1.0), setup=replace(SMALL, depth=2))
    # With one hidden layer of GELU the first layer's ∇W changes, the output layer's does not.
    np.testing.assert_allclose(distorted[-1][0], true[-1][0], rtol=1e-12)
    assert not np.allclose(distorted[0][0], true[0][0])


def test_clipping_bounds_each_component_by_its_layers_mean_magnitude_and_keeps_signs():
    g = np.random.default_rng(0).standard_normal((3, 40, 6)) * np.array([1.0, 10.0, 0.1])[:, None, None]
    clipped = destroy.clip_relative(g, [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(clipped[0], g[0])
    for s, c in ((1, 1.0), (2, 2.0)):
        bound = c * np.abs(g[s]).mean()
        assert np.abs(clipped[s]).max() == pytest.approx(bound)
        np.testing.assert_array_equal(np.sign(clipped[s]), np.sign(g[s]))
        small = np.abs(g[s]) <= bound
        np.testing.assert_array_equal(clipped[s][small], g[s][small])


def test_theta_is_distorted_only_inside_the_backward_pass():
    run, _, _ = gradient(Distortion(theta_flip=1.0, theta_beta=0.0))
    fresh = destroy.start(SMALL, [EXACT], [1])
    for w, w0 in zip(run.nets.weights, fresh.nets.weights):
        np.testing.assert_array_equal(w, w0)


def test_feedback_matrices_are_fixed_and_are_not_the_weights():
    run = destroy.start(SMALL, [Distortion(feedback=True)], [1])
    before = [b.copy() for b in run.hooks.feedback]
    destroy.step(run, 5)
    for b, b0, w in zip(run.hooks.feedback, before, run.nets.weights):
        np.testing.assert_array_equal(b, b0)
        assert b.shape == w.shape and not np.allclose(b, w)


def test_the_same_seeds_train_the_same_networks():
    a = destroy.step(destroy.start(SMALL, [Distortion(x_flip=0.3)] * 2, [1, 2]), 20)
    b = destroy.step(destroy.start(SMALL, [Distortion(x_flip=0.3)] * 2, [1, 2]), 20)
    np.testing.assert_array_equal(a.nets.flat, b.nets.flat)


def test_an_exact_network_in_a_batch_trains_as_it_would_alone():
    mixed = destroy.step(destroy.start(SMALL, [Distortion(x_flip=0.4, grad_beta=0.0), EXACT], [1, 1]), 20)
    alone = destroy.step(destroy.start(SMALL, [EXACT], [1]), 20)
    np.testing.assert_allclose(mixed.nets.flat[1], alone.nets.flat[0], rtol=1e-12)
    assert not np.allclose(mixed.nets.flat[0], alone.nets.flat[0])


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "momentum"])
def test_per_network_step_sizes_train_each_network_as_its_own_step_would(optimizer):
    mixed = destroy.step(destroy.start(replace(SMALL, optimizer=optimizer), [EXACT] * 2, [1, 1], lrs=[0.01, 0.1]), 20)
    for s, lr in enumerate((0.01, 0.1)):
        alone = destroy.step(destroy.start(replace(SMALL, optimizer=optimizer, lr=lr), [EXACT], [1]), 20)
        np.testing.assert_allclose(mixed.nets.flat[s], alone.nets.flat[0], rtol=1e-12)


@pytest.mark.parametrize("lrs", [[0.01], [0.01, -0.1], [0.01, 0.0]])
def test_bad_per_network_step_sizes_are_a_clear_error(lrs):
    with pytest.raises(ValueError, match="step sizes"):
        destroy.start(SMALL, [EXACT] * 2, [1, 2], lrs=lrs)


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.5), ("momentum", 0.05)])
def test_gradient_descent_without_adam_also_trains(optimizer, lr):
    run = destroy.step(destroy.start(Setup(optimizer=optimizer, lr=lr, steps=200), [EXACT], [1]), 200)
    assert run.losses[0, -1] < 0.6 * run.losses[0, 0]


@pytest.mark.parametrize("bad", [{"x_flip": 1.5}, {"grad_beta": -0.1}, {"theta_flip": 2.0}, {"blur": 1.5},
                                 {"x_clip": -1.0}])
def test_a_distortion_out_of_range_is_a_clear_error(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        Distortion(**bad)


@pytest.mark.parametrize("bad, named", [({"depth": 9}, "depth"), ({"optimizer": "rmsprop"}, "optimizer")])
def test_a_setup_out_of_range_is_a_clear_error(bad, named):
    with pytest.raises(ValueError, match=named):
        Setup(**bad)


def test_alignment_of_the_exact_gradient_is_one():
    cos = destroy.alignment(SMALL, EXACT, [1, 2])
    np.testing.assert_allclose(cos, 1.0, atol=1e-12)


# Sweeps -------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(destroy.SWEEPS))
def test_a_sweep_measures_every_curve_value_and_seed(key):
    sr = destroy.sweep(key, Setup(depth=2, width=4, steps=10, n_train=30, n_test=40), [1, 2])
    sweep = destroy.SWEEPS[key]
    assert sr.accuracy.shape == (len(sweep.curves), len(sweep.values), 2)
    assert np.isfinite(sr.accuracy).all() and np.isfinite(sr.setback).all()
    assert sr.steps_done == sr.total_steps


def test_the_depth_sweep_trains_each_depth():
    jobs = destroy.jobs(destroy.SWEEPS["depth"], SMALL, [1, 2])
    assert [j.setup.depth for j in jobs] == list(destroy.DEPTHS)


# The figures -------------------------------------------------------------------


def test_the_live_training_ends_on_the_static_figure():
    params = {"steps": 60, "speed": 7, "x_flip": 0.2, "grad_beta": 0.5}
    assert run_live("destroy_training", params) == render("destroy_training", **params)


def test_the_live_sweep_ends_on_the_static_figure():
    params = {"sweep": "beta", "seeds": 1, "steps": 50, "depth": 1, "width": 4}
    assert run_live("destroy_sweep", params) == render("destroy_sweep", **params)


def test_a_live_sweep_says_how_far_it_is():
    params = {"sweep": "depth", "seeds": 1, "steps": 50, "width": 4}
    reply = json.loads(handle(json.dumps({"figure": "destroy_sweep", "params": params, "slot": "s"})))
    assert reply["animating"]
    layout = json.loads(advance("s", reply["run"]))["figure"]["layout"]
    meta = layout["meta"]  # one frame in: some of the steps done, and the title says how many
    assert 0 < meta["step"] < meta["of"] and 1 <= meta["batch"] <= meta["batches"], meta
    assert layout["annotations"][0]["text"].startswith(
        f"training: {meta['step']} of {meta['of']} steps (batch {meta['batch']}")


def test_a_changed_speed_keeps_the_run_and_another_change_restarts_it():
    params = fig.TRAINING_SCHEMA.defaults()
    live = fig.train(fig.start_training(params), 30)
    update = fig.TRAINING.update
    assert update(live, params, params | {"speed": 20}).run.done == 30
    assert update(live, params, params | {"speed": 20, "x_flip": 0.1}).run.done == 0
    assert update(live, params, params).run.done == 0  # the same parameters asked again: Restart


def test_a_large_sweep_is_capped_and_says_so(monkeypatch):
    biggest = {**fig.SWEEP_SCHEMA.defaults(), "seeds": 6, "depth": 8, "width": 32, "steps": 800}
    assert fig.capped_setup(biggest).steps < 800
    monkeypatch.setattr(fig, "MAX_SECONDS", 0.5)  # the same cap on a sweep small enough for a test
    figure = render("destroy_sweep", sweep="beta", seeds=1, depth=1, width=4, steps=800)
    assert "50 steps, capped from 800" in figure["layout"]["annotations"][0]["text"]


def test_the_default_sweeps_are_not_capped():
    for key in destroy.SWEEPS:
        params = fig.SWEEP_SCHEMA.resolve({"sweep": key})
        assert fig.capped_setup(params).steps == params["steps"]


# Why deep nets relapse: the sharpness against the stability limit ------------------------


def full_hessian(run: destroy.Run, h: float = 1e-5) -> np.ndarray:
    """Network 0's Hessian by central differences of its exact gradient (P, P), symmetrised."""
    nets, x, t = run.nets, run.data.x, run.data.t
    theta = nets.flat.copy()
    cols = []
    for j in range(theta.shape[1]):
        nets.flat[:] = theta
        nets.flat[0, j] += h
        up = batched.flat_gradient(nets, x, t, destroy.OBJECTIVE)[1][0]
        nets.flat[0, j] -= 2 * h
        down = batched.flat_gradient(nets, x, t, destroy.OBJECTIVE)[1][0]
        cols.append((up - down) / (2 * h))
    nets.flat[:] = theta
    hessian = np.array(cols)
    return (hessian + hessian.T) / 2


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_the_sharpness_is_the_top_eigenvalue_of_the_preconditioned_hessian(optimizer):
    setup = Setup(depth=1, width=3, steps=30, n_train=40, n_test=50, optimizer=optimizer, lr=0.05)
    run = destroy.step(destroy.start(setup, [EXACT], [1]), setup.steps)
    before = run.nets.flat.copy()
    hessian = full_hessian(run)
    scale = destroy.preconditioner(run.opt)
    if optimizer == "adam":
        hessian = scale[0][:, None] * hessian * scale[0][None, :]
    else:
        assert scale is None
    top = np.linalg.eigvalsh(hessian)[-1]
    assert top > 0
    np.testing.assert_allclose(destroy.sharpness(run)[0], top, rtol=0.02)
    np.testing.assert_array_equal(run.nets.flat, before)  # the parameters are as they were


def test_the_stability_limits_of_the_optimisers():
    assert destroy.stability_limit(Setup(optimizer="sgd", lr=0.5)) == pytest.approx(4.0)
    assert destroy.stability_limit(Setup(optimizer="momentum", lr=0.1)) == pytest.approx(38.0)
    assert destroy.stability_limit(Setup(optimizer="adam", lr=0.01)) == pytest.approx(3800.0)


def test_the_cures_reach_the_networks_of_a_run():
    cured = destroy.start(Setup(depth=3, width=6, init_gain=2.0, norm=True, residual=True), [EXACT], [1])
    plain = destroy.start(Setup(depth=3, width=6), [EXACT], [1])
    assert cured.nets.norm.all() and cured.nets.residual.all() and not plain.nets.norm.any()
    np.testing.assert_allclose(cured.nets.weights[1], 2.0 * plain.nets.weights[1], rtol=1e-15)


@pytest.mark.parametrize("gain", [0.0, 0.2, 5.0])
def test_an_initialisation_gain_out_of_range_is_a_clear_error(gain):
    with pytest.raises(ValueError, match="init_gain must be between 0.25 and 4"):
        Setup(init_gain=gain)


def test_the_sweep_offers_the_cures_and_its_title_names_them():
    params = fig.SWEEP_SCHEMA.resolve({"sweep": "depth", "norm": True, "residual": True, "init_gain": 0.5})
    setup = fig.setup_of(params)
    assert (setup.norm, setup.residual, setup.init_gain) == (True, True, 0.5)
    assert fig.cures_summary(params) == "normalised, skip connections, initial weights ×0.5"
    assert fig.cures_summary(fig.SWEEP_SCHEMA.resolve({})) == ""
    # normalising costs more per step, so the cost model caps a normalised sweep sooner
    plain = fig.SWEEP_SCHEMA.resolve({"sweep": "depth", "seeds": 6, "steps": 800})
    assert fig.capped_setup({**plain, "norm": True}).steps < fig.capped_setup(plain).steps
