"""The particle animation of the gradient field: steppable, deterministic, flowing downhill."""

import json

import numpy as np

from jacobiator.figures import advance, handle, stop
from jacobiator.figures.gradient_field import ANIMATION, SCHEMA


def swarm(**overrides):
    params = SCHEMA.resolve({"display": "particles", "seed": 3, **overrides})
    return ANIMATION.start(params)[1], params


def test_same_seed_same_frames_and_another_seed_differs():
    params = SCHEMA.resolve({"display": "particles", "seed": 3})
    one, two = ANIMATION.start(params), ANIMATION.start(params)
    assert ANIMATION.frame(ANIMATION.step(one, 5, params), params) == ANIMATION.frame(ANIMATION.step(two, 5, params),
                                                                                       params)
    other_params = SCHEMA.resolve({"display": "particles", "seed": 4})
    assert ANIMATION.frame(ANIMATION.start(other_params), other_params) != ANIMATION.frame(ANIMATION.start(params),
                                                                                           params)


def test_particles_flow_down_the_mse_field_towards_the_target():
    s, params = swarm(particles=400, noise=0.0)
    target = np.array([0.6, 0.4])  # the default dragged point
    # Follow the particles that live through 20 steps (none respawned).
    before, age = s.p.copy(), s.age.copy()
    s = ANIMATION.step((None, s), 20, params)[1]
    kept = s.age == age + 20
    assert kept.sum() > 100
    d0 = np.linalg.norm(before[kept] - target, axis=1)
    d1 = np.linalg.norm(s.p[kept] - target, axis=1)
    assert (d1 < d0).mean() > 0.99


def test_particles_stay_on_the_plane_even_where_the_gradient_blows_up():
    s, params = swarm(loss="cos", log=True, speed=4.0, noise=2.0)
    s = ANIMATION.step((None, s), 60, params)[1]
    assert np.isfinite(s.p).all() and (np.abs(s.p) <= 2.0).all()


def test_a_frame_is_a_few_line_traces_whatever_the_particle_count():
    for n in (50, 2000):
        params = SCHEMA.resolve({"display": "particles", "particles": n})
        traces = [t for t in ANIMATION.frame(ANIMATION.start(params), params)["data"]
                  if t["meta"]["role"] == "particles"]
        assert 0 < len(traces) <= 24 and all(t["mode"] == "lines" for t in traces)


def test_the_worker_protocol_starts_advances_and_stops_an_animation():
    reply = json.loads(handle(json.dumps({"figure": "gradient_field", "params": {"display": "particles"}, "slot": "w"})))
    assert reply["animating"]
    first = reply["figure"]
    nxt = json.loads(advance("w", reply["run"]))
    assert nxt["animating"] and nxt["run"] == reply["run"] and nxt["figure"] != first
    # A request that is not an animation replaces the one running in its slot.
    assert not json.loads(handle(json.dumps({"figure": "gradient_field", "params": {}, "slot": "w"})))["animating"]
    assert json.loads(advance("w", reply["run"])) == {"stale": True, "run": reply["run"]}
    again = json.loads(handle(json.dumps({"figure": "gradient_field", "params": {"display": "particles"}, "slot": "w"})))
    stop("w")
    assert json.loads(advance("w", again["run"]))["stale"]


def test_moving_the_target_keeps_the_particles_and_changes_their_flow():
    request = {"figure": "gradient_field", "params": {"display": "particles", "seed": 1}, "slot": "d"}
    run = json.loads(handle(json.dumps(request)))["run"]
    before = json.loads(advance("d", run))["figure"]
    request["params"] |= {"point_x": -1.5, "point_y": -1.5}
    moved = json.loads(handle(json.dumps(request)))["figure"]
    trails = lambda fig: [t for t in fig["data"] if t["meta"]["role"] == "particles"]  # noqa: E731
    # The swarm is carried over: the particle positions are the same points.
    flat = lambda fig: sorted(v for t in trails(fig) for v in t["x"] if v is not None)  # noqa: E731
    assert flat(moved) == flat(before)
    # A changed seed starts a new swarm instead.
    request["params"]["seed"] = 2
    assert flat(json.loads(handle(json.dumps(request)))["figure"]) != flat(before)
    stop("d")
