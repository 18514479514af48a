"""The lecture notes' constructions, reproduced (jacobiator.lecture and its figures)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jacobiator import lecture as L
from jacobiator.activations import get_activation
from jacobiator.figures import render
from jacobiator.figures.lecture_notes import deep_widths, region_colors
from jacobiator.grids import square_grid
from jacobiator.nn import MLP


def by_role(fig: dict, role: str) -> dict:
    return next(t for t in fig["data"] if t["meta"]["role"] == role)


# XOR --------------------------------------------------------------------------------


def test_xor_least_squares_is_w_0_b_one_half():
    w, b = L.least_squares_linear(L.XOR_X, L.XOR_Y)
    assert np.abs(w).max() < 1e-12 and abs(b - 0.5) < 1e-12
    assert L.linear_mse(w, b, L.XOR_X, L.XOR_Y) == pytest.approx(0.25, abs=1e-12)
    # The same answer from lstsq, not just from the normal equations.
    w_prime = np.linalg.lstsq(L.with_ones(L.XOR_X), L.XOR_Y, rcond=None)[0]
    assert np.allclose(w_prime, [0.0, 0.0, 0.5], atol=1e-12)


@given(dw=st.tuples(*[st.floats(-1, 1)] * 3).filter(lambda d: max(map(abs, d)) > 1e-3))
def test_xor_no_linear_model_beats_a_quarter(dw):
    assert L.linear_mse(np.array(dw[:2]), 0.5 + dw[2], L.XOR_X, L.XOR_Y) > 0.25


def test_xor_relu_net_reproduces_the_notes_matrices_and_xor_exactly():
    net = L.NOTE_XOR_NET
    assert np.array_equal(L.XOR_X @ net.W, [[0, 0], [1, 1], [1, 1], [2, 2]])
    assert np.array_equal(net.preactivation(L.XOR_X), [[0, -1], [1, 0], [1, 0], [2, 1]])
    assert np.array_equal(net.hidden(L.XOR_X), [[0, 0], [1, 0], [1, 0], [2, 1]])
    assert np.array_equal(net(L.XOR_X), L.XOR_Y)  # exactly, not approximately


def test_xor_hidden_features_are_separated_by_the_output_line():
    h = L.NOTE_XOR_NET.hidden(L.XOR_X)
    side = h @ L.NOTE_XOR_NET.w + L.NOTE_XOR_NET.b - 0.5
    assert np.array_equal(side > 0, L.XOR_Y == 1)
    fig = render("xor_relu_features", stage=0.0)  # at stage 0 the right panel is the input
    points = [t for t in fig["data"] if t["meta"]["role"].startswith("xor-")]
    assert sorted(zip(points[2]["x"], points[2]["y"])) == [(0.0, 0.0), (1.0, 1.0)]


def test_xor_linear_figure_reports_the_least_squares_fit():
    linear, relu_net = (a["text"] for a in render("xor_linear")["layout"]["annotations"])
    assert linear.startswith("linear ŷ = wᵀx + b: MSE 0.250") and "w = (0, 0), b = 0.5, MSE 0.250" in linear
    assert relu_net.endswith("MSE 0")
    assert "MSE 0.345" in render("xor_linear", w1=0.5, w2=0.3, b=0.2)["layout"]["annotations"][0]["text"]


# Hinges ------------------------------------------------------------------------------


def test_construction_through_the_notes_corners_gives_the_notes_coefficients():
    cx, cy = np.array(L.NOTE_CORNERS).T
    offset, a = L.interpolating_hinges(cx, cy)
    assert offset == 0.0
    assert np.array_equal(a, L.NOTE_SLOPE_CHANGES)


def test_the_notes_hinge_sum_is_its_function():
    x = np.linspace(-1, 7, 801)
    f = L.hinge_sum(x, L.NOTE_KNOTS, L.NOTE_SLOPE_CHANGES)
    assert np.abs(f - L.note_target(x)).max() < 1e-12
    assert L.hinge_sum(np.array([0.0, 1, 2, 3, 4.5, 6, 7]), L.NOTE_KNOTS, L.NOTE_SLOPE_CHANGES).tolist() == \
        [0.0, 1.0, 1.0, 3.0, 1.5, 0.0, 0.0]


def test_least_squares_slopes_recover_the_notes_coefficients():
    x = np.linspace(*L.HINGE_DOMAIN, 401)
    offset, a = L.least_squares_hinges(x, L.note_target(x), L.NOTE_KNOTS)
    assert abs(offset) < 1e-10
    assert np.allclose(a, L.NOTE_SLOPE_CHANGES, atol=1e-10, rtol=0)


def test_default_hinge_figure_is_the_notes_construction():
    fig = render("relu_hinges")
    assert "a = (1, −1, 2, −3, 1), c₀ = 0" in fig["layout"]["annotations"][0]["text"]
    fit, target = by_role(fig, "fit"), by_role(fig, "target-curve")
    assert np.abs(np.array(fit["y"]) - np.array(target["y"])).max() < 1e-9
    assert sorted(by_role(fig, "knots")["x"] + by_role(fig, "target")["x"]) == list(L.NOTE_KNOTS)


def test_knot_sequence_starts_with_the_notes_and_is_nested():
    assert L.knot_sequence(5).tolist() == list(L.NOTE_KNOTS)
    assert L.knot_sequence(12).tolist() == [0, 1, 2, 3, 6, 4.5, 3.75, 5.25, 0.5, 1.5, 2.5, 3.375]
    for n in range(1, L.MAX_HINGES):
        assert L.knot_sequence(n + 1)[:n].tolist() == L.knot_sequence(n).tolist()
    with pytest.raises(ValueError):
        L.knot_sequence(13)


@settings(max_examples=50, deadline=None)
@given(points=st.lists(st.tuples(st.floats(1e-3, 2), st.floats(-3, 3)), min_size=2, max_size=12),
       start=st.floats(-5, 5))
def test_construction_passes_through_its_points_and_is_flat_outside(points, start):
    gaps, values = (np.array(v) for v in zip(*points))
    knots = start + np.cumsum(gaps)
    offset, a = L.interpolating_hinges(knots, values)
    f = L.hinge_sum(knots, knots, a, offset)
    assert np.allclose(f, values, atol=1e-8)
    outside = L.hinge_sum(np.array([knots[0] - 1, knots[-1] + 1]), knots, a, offset)
    assert np.allclose(outside, [values[0], values[-1]], atol=1e-8)


@pytest.mark.parametrize("target", list(L.TARGETS))
@pytest.mark.parametrize("hinges", [1, 3, 5, 8, 12])
def test_free_slopes_fit_no_worse_than_the_construction(target, hinges):
    # The construction is one hinge sum on the same knots; least squares is the best one.
    fig = {mode: render("relu_hinges", target=target, hinges=hinges, selected=1, knot_x=0.0,
                        knot_y=float(L.get_target(target)(np.array(0.0))), slopes=mode)
           for mode in ("construction", "least_squares")}
    err = {m: np.sqrt(np.mean(np.square(by_role(f, "error")["y"]))) for m, f in fig.items()}
    assert err["least_squares"] <= err["construction"] + 1e-4


def test_dragged_knot_sets_the_selected_hinge():
    fig = render("relu_hinges", selected=2, knot_x=4.0, knot_y=2.0)
    handle = by_role(fig, "target")
    assert (handle["x"], handle["y"]) == ([4.0], [2.0])
    x, f = np.array(by_role(fig, "fit")["x"]), np.array(by_role(fig, "fit")["y"])
    assert f[np.argmin(np.abs(x - 4.0))] == pytest.approx(2.0, abs=1e-9)
    # A selection past the count drags the last hinge, and a knot dropped on another merges.
    assert by_role(render("relu_hinges", hinges=3, selected=9, knot_x=1.0), "target")["text"] == ["3: drag"]


# Linear regions ----------------------------------------------------------------------

SEEDS = range(5)
# Measured at the defaults (init lecun, square [-1, 1]^2, 200 x 200 grid), per seed:
# (shallow 2-20-1 on the grid, deep 2-10-10-1 on the grid, shallow exact in the square).
REGION_COUNTS = {0: (171, 146, 189), 1: (171, 173, 200), 2: (169, 192, 192), 3: (166, 143, 182), 4: (165, 120, 190)}


def nets(seed: int):
    return L.random_relu_net([2, 20, 1], seed), L.random_relu_net([2, 10, 10, 1], seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_region_counts_for_fixed_seeds(seed):
    shallow, deep = nets(seed)
    counts = (L.count_regions(shallow, 1.0, 200), L.count_regions(deep, 1.0, 200),
              L.shallow_regions_in_square(shallow.weights[0], shallow.biases[0], 1.0))
    assert counts == REGION_COUNTS[seed]
    # A grid only finds regions, never invents them; the plane's bound holds over all.
    assert counts[0] <= counts[2] <= L.plane_bound(20) == 211
    assert counts[1] <= L.product_bound([10, 10]) == 3136
    fig = render("linear_regions", seed=seed)
    titles = [a["text"] for a in fig["layout"]["annotations"]]
    assert f"{counts[0]} regions on the grid" in titles[0] and f"{counts[2]} in the square" in titles[0]
    assert f"{counts[1]} regions on the grid" in titles[1]


def test_a_finer_grid_sees_more_regions_but_not_all():
    shallow, _ = nets(0)
    exact = L.shallow_regions_in_square(shallow.weights[0], shallow.biases[0], 1.0)
    coarse, fine = L.count_regions(shallow, 1.0, 200), L.count_regions(shallow, 1.0, 2000)
    assert (coarse, fine, exact) == (171, 186, 189)
    # The whole plane: 20 lines in general position make 1 + 20 + 190 regions.
    assert L.shallow_regions_in_square(shallow.weights[0], shallow.biases[0], 1e6) == 211


def test_a_deep_net_can_have_more_regions_than_any_shallow_one_of_its_size():
    _, deep = nets(2)
    # A grid count is a lower bound, so this deep net has at least 229 regions in
    # [-2, 2]^2 alone: more than 20 lines can make in the whole plane.
    assert L.count_regions(deep, 2.0, 1000) == 229 > L.plane_bound(20)


def test_the_figure_counts_on_a_grid_as_fine_as_the_text_quotes_and_draws_a_thinned_map():
    # The text's 1000 x 1000 count is reachable from the figure's grid slider; the map stays 200 x 200.
    _, deep = nets(2)
    fig = render("linear_regions", seed=2, half_width=2.0, grid=1000)
    assert f"{L.count_regions(deep, 2.0, 1000)} regions on the grid" in fig["layout"]["annotations"][1]["text"]
    for trace in fig["data"]:
        assert len(trace["x"]) == len(trace["z"]) == len(trace["z"][0]) == 200
        assert trace["x"][0] == -2.0 and trace["x"][-1] == 2.0


def test_exact_count_of_simple_arrangements():
    # x1 = 0 and x2 = 0: four quadrants; a third line x1 + x2 = 3 misses the unit square.
    W, b = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.array([0.0, 0.0, -3.0])
    assert L.shallow_regions_in_square(W, b, 1.0) == 4
    assert L.shallow_regions_in_square(W, b, 2.0) == 5  # it now cuts a corner: no crossing inside
    assert L.shallow_regions_in_square(W, b, 4.0) == 7  # and crosses both axes inside
    _, count = L.region_ids(L.activation_patterns(
        MLP([W, np.ones((3, 1))], [b, np.zeros(1)], get_activation("relu")), square_grid(-4.0, 4.0, 101)[1]))
    assert count == 7


def test_neighbouring_regions_get_different_colours():
    net = L.random_relu_net([2, 40, 1], 3, "uniform")
    t, x = square_grid(-3.0, 3.0, 200)
    ids, count = L.region_ids(L.activation_patterns(net, x))
    ids = ids.reshape(len(t), len(t))
    c = region_colors(ids, count)[ids]
    differ_h, differ_v = ids[:, 1:] != ids[:, :-1], ids[1:] != ids[:-1]
    assert (c[:, 1:] != c[:, :-1])[differ_h].all() and (c[1:] != c[:-1])[differ_v].all()


def test_deep_widths_split_the_units():
    assert deep_widths(20) == [10, 10] and deep_widths(7) == [4, 3]


# MSE against cross-entropy ---------------------------------------------------------------


def test_mse_gradient_vanishes_where_cross_entropy_does_not():
    for z, mse_grad, ce_grad in [(-5.0, -0.013207, -0.993307), (-10.0, -9.0787e-5, -0.999955)]:
        assert float(L.mse_on_sigmoid(z, 1.0)[1]) == pytest.approx(mse_grad, rel=1e-4)
        assert float(L.ce_on_sigmoid(z, 1.0)[1]) == pytest.approx(ce_grad, rel=1e-5)
    # Confidently wrong (z = -5, sigma = 0.0067): cross-entropy pushes 75 times harder.
    assert float(L.ce_on_sigmoid(-5.0, 1.0)[1] / L.mse_on_sigmoid(-5.0, 1.0)[1]) == pytest.approx(75.2, abs=0.1)
    # |dMSE/dz| never exceeds 8/27 (at sigma = 1/3), however wrong the prediction.
    z = np.linspace(-20, 20, 40001)
    assert np.abs(L.mse_on_sigmoid(z, 1.0)[1]).max() == pytest.approx(8 / 27, rel=1e-6)


@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_gradients_match_finite_differences(y):
    z, eps = np.linspace(-12, 12, 97), 1e-6
    for loss in (L.mse_on_sigmoid, L.ce_on_sigmoid):
        numeric = (loss(z + eps, y)[0] - loss(z - eps, y)[0]) / (2 * eps)
        assert np.allclose(loss(z, y)[1], numeric, atol=1e-7)


def test_the_notes_onehot_example():
    assert L.onehot_squared_errors() == pytest.approx((1.28, 0.96), abs=1e-12)


def test_mse_vs_ce_figure_quotes_the_marked_logit():
    title = render("mse_vs_ce")["layout"]["annotations"][1]["text"]
    assert "MSE −0.0132" in title and "CE −0.993" in title
    log_fig = render("mse_vs_ce", log=True, z_max=20.0)
    mse = np.array([v for v in log_fig["data"][2]["y"] if v is not None])
    assert mse.min() < 1e-7  # the tail keeps its precision on the log axis
