"""The activation comparison: its batched networks against nn.py, its data, its figure.

The activation chapter's measured statements (many seeds, margins wider than the
spread between kernels) are claims: claims/activations.py, checked by tests/test_claims.py."""

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from jacobiator import batched, nn, training
from jacobiator.datasets import SURFACES, xor_labels
from jacobiator.figures import activation_training as figure
from jacobiator.figures import render
from jacobiator.training import Config


# The batched networks are nn.py's networks, one per seed ----------------------


@pytest.mark.parametrize("dataset", ["xor", "ripple"])
@pytest.mark.parametrize("activation", ["relu", "tanh", "gelu", "zcosz"])
def test_batched_training_equals_nn_train_seed_by_seed(dataset, activation):
    # Rounding differences of a batched matmul (1e-16) grow in a chaotic run:
    # over 100 steps they stay far below 1e-10.
    config = Config(dataset=dataset, activations=(activation,), depth=3, width=8, steps=100, seeds=3, lr=0.02)
    run = training.step(training.start(config), config.steps)
    data = training.make_data(config)
    for s, seed in enumerate(config.seed_list):
        net = nn.init_mlp(config.sizes, activation, np.random.default_rng(seed))
        losses = nn.train(net, data.x, data.t, config.steps, config.lr, config.objective)
        np.testing.assert_allclose(run.losses[0, s], losses, rtol=0, atol=1e-10)
        slice_s = batched.unstack(run.nets[activation], s)
        for w, w_ref in zip(slice_s.weights, net.weights):
            np.testing.assert_allclose(w, w_ref, rtol=0, atol=1e-9)


def test_training_in_chunks_equals_training_in_one_go():
    config = Config(activations=("tanh", "sin"), steps=60, seeds=2, width=6)
    whole = training.step(training.start(config), 60)
    chunked = training.start(config)
    for n in (1, 7, 13, 100):  # the last chunk stops at the budget
        chunked = training.step(chunked, n)
    assert chunked.done == whole.done == 60 and chunked.finished
    np.testing.assert_array_equal(chunked.losses, whole.losses)


def test_a_seed_with_a_non_finite_gradient_skips_its_step_alone():
    config = Config(activations=("tanh",), steps=5, seeds=2, width=4)
    run = training.start(config)
    run.nets["tanh"].flat[1, 0] = np.nan  # seed 2's first weight
    frozen = run.nets["tanh"].flat[1].copy()
    run = training.step(run, 5)
    np.testing.assert_array_equal(run.nets["tanh"].flat[1], frozen)
    net = nn.init_mlp(config.sizes, "tanh", np.random.default_rng(1))
    data = training.make_data(config)
    np.testing.assert_allclose(run.losses[0, 0], nn.train(net, data.x, data.t, 5, config.lr, "logistic"), atol=1e-12)


def test_the_test_sets_are_clean_and_separate():
    xor = training.make_data(Config(flip=0.3))
    np.testing.assert_array_equal(xor.t_test, xor_labels(xor.x_test))
    assert np.mean(xor.t != xor_labels(xor.x)) > 0.2  # the training labels are flipped
    bumps = training.make_data(Config(dataset="bumps", noise=0.2))
    assert not np.allclose(bumps.x[:10], bumps.x_test[:10])
    x1, x2 = bumps.x_test.T
    np.testing.assert_allclose(bumps.t_test[:, 0], SURFACES["bumps"].fn(x1, x2))


def test_relapse_measures_the_worst_setback_after_the_burn_in():
    curves = np.array([[4.0, 3.0, 2.0, 1.0, 0.5], [4.0, 1.0, 3.0, 0.5, 2.0], [4.0, 2.0, np.nan, 1.0, 1.0]])
    np.testing.assert_allclose(training.relapse(curves, burn_in=1), [0.75, 4.0, np.inf])


# The figures ------------------------------------------------------------------------


def test_the_animation_ends_on_the_static_figure():
    params = figure.SCHEMA.resolve({"steps": 100, "seeds": 2, "group": "bounded", "width": 6})
    animation = figure.ANIMATION
    state = animation.start(params)
    first = animation.frame(state, params)
    assert "step 0 of 100" in first["layout"]["annotations"][0]["text"]
    frames = 0
    while not animation.done(state, params):
        state = animation.step(state, 1, params)
        frames += 1
        if frames in (1, 2):  # the first frames, with one or two points per curve, are valid figures too
            middle = animation.frame(state, params)
            json.dumps(middle, allow_nan=False)
            go.Figure(middle)
    json.dumps(first, allow_nan=False)
    go.Figure(first)
    assert frames == -(-100 // state["chunk"]) and frames > 1
    final = animation.frame(state, params)
    assert "step 100 of 100" in final["layout"]["annotations"][0]["text"]
    assert final == render("activation_training", **params)


def test_a_budget_too_large_for_a_static_render_is_capped_and_says_so():
    params = figure.SCHEMA.resolve({"group": "all", "depth": 8, "width": 32, "seeds": 8, "steps": 2000})
    config = figure.config_of(params)
    assert figure.capped_steps(config) < 100
    assert figure.seconds_per_step(config) * figure.capped_steps(config) <= figure.MAX_SECONDS
    state = figure.start(params)
    assert "capped from 2000" in figure.frame(state, params)["layout"]["annotations"][0]["text"]


def test_the_default_figure_trains_its_whole_budget():
    config = figure.config_of(figure.SCHEMA.defaults())
    assert figure.capped_steps(config) == config.steps == 300


def test_the_metric_bars_show_the_median_of_the_seeds():
    fig = render("activation_training", steps=100, seeds=3, group="classic", width=6)
    bars = next(t for t in fig["data"] if t["meta"]["role"] == "metric-median")
    dots = next(t for t in fig["data"] if t["meta"]["role"] == "metric-seeds")
    per_activation = np.array(dots["y"]).reshape(3, 3)
    np.testing.assert_allclose(bars["y"], np.median(per_activation, axis=1), rtol=1e-3)
