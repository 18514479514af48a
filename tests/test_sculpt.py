"""The sculpting figure: its training run, its view, and the projection that draws it."""

import json

import numpy as np
import pytest

from jacobiator.figures import advance, handle, render, stop
from jacobiator.figures import sculpt
from jacobiator.figures.projection import project, view


def test_top_view_shows_the_plane_as_it_is():
    top = view(azimuth=0, elevation=90)
    p = np.array([[0.3, -0.7, 0.5], [1.0, 1.0, -1.0]])
    np.testing.assert_allclose(project(p, top, 1.0)[:, :2], p[:, :2], atol=1e-12)


def test_a_view_is_a_rotation_and_the_far_side_is_deeper():
    m = view(azimuth=35, elevation=20)
    np.testing.assert_allclose(m @ m.T, np.eye(3), atol=1e-12)
    front, back = project(np.array([[0.0, -1.0, 0.0], [0.0, 1.0, 0.0]]), view(0, 30), 1.0)
    assert back[2] > front[2]  # the viewer looks along +y


def test_training_lowers_the_test_error():
    params = sculpt.SCHEMA.defaults()
    run = sculpt.start(params)
    sculpt.train(run, 20, params["steps"])
    early = run.test_loss[-1][1]
    sculpt.train(run, 580, params["steps"])
    assert sculpt.done(run, params) and run.step == 600
    assert run.test_loss[-1][1] < 0.2 * early


def test_the_budget_is_never_overrun():
    params = sculpt.SCHEMA.resolve({"steps": 50, "speed": 30})
    run = sculpt.step(sculpt.start(params), 1, params)
    assert run.step == 30 and not sculpt.done(run, params)
    run = sculpt.step(run, 1, params)
    assert run.step == 50 and sculpt.done(run, params)


def test_the_static_figure_is_the_end_of_the_live_run():
    params = {"steps": 100, "speed": 25}
    reply = json.loads(handle(json.dumps({"figure": "sculpt", "params": params, "slot": "s"})))
    assert reply["animating"] and reply["figure"]["layout"]["meta"]["step"] == 0
    run = reply["run"]
    for _ in range(4):
        reply = json.loads(advance("s", run))
    assert not reply["animating"] and json.loads(advance("s", run))["stale"]
    assert reply["figure"] == render("sculpt", **params)


def test_turning_the_view_keeps_the_run_and_other_changes_restart_it():
    slot = "view"
    started = json.loads(handle(json.dumps({"figure": "sculpt", "params": {"speed": 20}, "slot": slot})))
    advance(slot, started["run"])
    turned = json.loads(handle(json.dumps({"figure": "sculpt", "params": {"speed": 20, "azimuth": 90}, "slot": slot})))
    assert turned["figure"]["layout"]["meta"]["step"] == 20
    changed = json.loads(handle(json.dumps({"figure": "sculpt", "params": {"speed": 20, "width": 8}, "slot": slot})))
    assert changed["figure"]["layout"]["meta"]["step"] == 0
    advance(slot, changed["run"])
    again = json.loads(handle(json.dumps({"figure": "sculpt", "params": {"speed": 20, "width": 8}, "slot": slot})))
    assert again["figure"]["layout"]["meta"]["step"] == 0  # Restart
    stop(slot)


def test_a_diverging_run_stays_drawable():
    params = sculpt.SCHEMA.resolve({"steps": 50})
    run = sculpt.train(sculpt.start(params), 20, params["steps"])
    run.net.weights[0][0, 0] = np.nan  # diverged: every output from here on is NaN
    run = sculpt.train(run, 30, params["steps"])
    assert not np.isfinite(run.train_loss[-1])
    fig = sculpt.frame(run, params)
    json.dumps(fig, allow_nan=False)  # no NaN reaches the page
    assert fig["layout"]["meta"]["train_mse"] is None  # a diverged loss reported as no number
    train = next(t for t in fig["data"] if t["name"] == "train")
    assert train["y"][:20] == pytest.approx(run.train_loss[:20], abs=1e-6)
    assert all(v is None for v in train["y"][20:])  # the diverged steps are gaps on the log axis
    # The surface is still drawn (the diverged net's output shown as 0), not left out.
    surface = [v for t in fig["data"] if t["name"].startswith("surface") for v in t["y"]]
    assert surface and all(v is None or np.isfinite(v) for v in surface)
    assert sum(v is not None for v in surface) > 0.6 * len(surface)


def test_loss_values_a_log_axis_cannot_show_become_gaps():
    assert sculpt.finite_curve([1.0, np.inf, 0.0, np.nan, -1.0, 2.0]) == [1.0, None, None, None, None, 2.0]

