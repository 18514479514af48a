"""The article's claims about the losses, as measured by scripts/observations.py.

Each test asserts, with a stated margin, what the measurement shows; where the
article's claim does not hold as written, the test asserts what does hold
(see c: gradient descent on 1 − CosSim does not keep |x|, it grows it).
The first tests check the descent those measurements rely on.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from jacobiator.descent import crossings, descend, distances
from jacobiator.losses import get_loss

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "observations.py"


@pytest.fixture(scope="module")
def obs():
    """scripts/observations.py, imported as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("observations", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- descend ------------------------------------------------------------------


def test_descent_on_mse_follows_its_closed_form():
    """x_k - y = (1 - 2 η)^k (x_0 - y) for MSE, whose gradient is 2 (x - y)."""
    rng = np.random.default_rng(0)
    x0, y, lr = rng.normal(size=(5, 3)), rng.normal(size=(1, 3)), 0.15
    paths = descend(get_loss("mse"), x0, y, lr, 12)
    assert paths.shape == (13, 5, 3)
    k = np.arange(13)[:, None, None]
    np.testing.assert_allclose(paths - y, (1 - 2 * lr) ** k * (x0 - y)[None], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(paths, descend(get_loss("mse"), x0, np.repeat(y, 5, axis=0), lr, 12))


def test_descent_wrt_y_moves_y_with_x_fixed():
    """With wrt="y", the starts are y's and the fixed argument is x: y_k - x = (1 - 2 η)^k (y_0 - x)."""
    rng = np.random.default_rng(1)
    y0, x, lr = rng.normal(size=(4, 2)), rng.normal(size=(1, 2)), 0.1
    paths = descend(get_loss("mse"), y0, x, lr, 8, wrt="y")
    k = np.arange(9)[:, None, None]
    np.testing.assert_allclose(paths - x, (1 - 2 * lr) ** k * (y0 - x)[None], rtol=1e-12, atol=1e-15)
    # For an asymmetric loss the two directions differ: DotSim's ∇y is not its ∇x.
    a = descend(get_loss("mse_dot"), y0, x, lr, 3, wrt="y")
    b = descend(get_loss("mse_dot"), y0, x, lr, 3, wrt="x")
    assert not np.allclose(a[-1], b[-1])
    with pytest.raises(ValueError, match="wrt"):
        descend(get_loss("mse"), y0, x, lr, 3, wrt="z")


def test_a_path_with_a_non_finite_gradient_stays_put():
    """1 − CosSim has no gradient at x = 0: that path stays there, the others move."""
    x0 = np.array([[0.0, 0.0], [1.0, -1.0]])
    paths = descend(get_loss("cos"), x0, np.array([[1.0, 0.0]]), 0.1, 5)
    assert np.isfinite(paths).all()
    np.testing.assert_array_equal(paths[:, 0], 0.0)
    assert not np.allclose(paths[-1, 1], x0[1])


def test_distances_and_crossings():
    y = np.array([[0.0, 0.0]])
    paths = np.array([[[1.0, 0.0], [0.0, 2.0]],
                      [[-0.5, 0.1], [0.0, 1.0]],
                      [[0.25, 0.0], [0.0, 0.5]]])
    np.testing.assert_allclose(distances(paths, y)[:, 1], [2.0, 1.0, 0.5])
    np.testing.assert_array_equal(crossings(paths, y), [2, 0])
    landing = np.array([[[1.0, 0.0]], [[0.0, 0.0]], [[-1.0, 0.0]]])  # onto the target, then past it
    np.testing.assert_array_equal(crossings(landing, y), [0])


# --- a. to i. ---------------------------------------------------------------------


def test_a_cos_field_does_not_depend_on_the_length_of_y(obs):
    m = obs.observe_cos_field_ignores_y_length()
    assert m["cos_max_relative_difference"] < 1e-9
    assert m["dot_max_relative_difference"] > 1.0  # the measure does see a field that scales with |y|


def test_b_cos_field_grows_like_one_over_the_norm_of_x(obs):
    m = obs.observe_cos_field_grows_like_one_over_x()
    assert m["max_relative_spread_of_grad_norm_times_norm_x"] < 1e-9
    assert m["grad_norm_ratio_t_1e-3_over_t_10"] == pytest.approx(1e4, rel=1e-6)
    # The article: "when x is perfectly aligned with y in the wrong direction, we get a negligible gradient".
    assert m["max_grad_norm_antiparallel"] < 1e-12


def test_c_cos_flow_keeps_the_norm_but_finite_steps_grow_it(obs):
    m = obs.observe_cos_flow_keeps_norm()
    assert m["max_abs_cosine_x_grad"] < 1e-10  # x ⊥ ∇x: the continuous flow keeps |x|
    assert min(m["first_step_relative_growth"]) > 1e-5  # every finite step lengthens x ...
    assert m["first_step_max_relative_error_vs_formula"] < 1e-9  # ... by sqrt(1 + η²|g|²/|x|²)
    assert m["min_relative_growth_per_step"] >= 0.0  # |x| never shrinks along a path
    assert min(m["relative_growth_over_descent"]) > 0.0
    assert max(m["relative_growth_over_descent"]) > 0.05  # up to 5 % and more over 100 steps of η = 0.1


def test_d_the_part_of_x_orthogonal_to_y_does_not_change_dotsim(obs):
    m = obs.observe_dot_ignores_orthogonal_part()
    assert m["dot_max_abs_change"] < 1e-12
    assert m["dot_grad_max_orthogonal_fraction"] < 1e-12
    assert m["cos_max_abs_change"] > 0.1  # the measure does see a similarity that depends on it


def test_e_one_minus_dotsim_rewards_a_longer_x_and_mse_of_dotsim_does_not(obs):
    m = obs.observe_dot_rewards_length_mismatch()
    assert m["dot_max_increment"] < 0  # strictly falling over all of [0, 5] ...
    assert 1.0 < m["dot_first_t_below_0"] <= 1.02  # ... through 0 just past t = 1 ...
    assert m["dot_at_t_5"] == pytest.approx(-4.0, rel=1e-9)  # ... down to 1 - 5
    assert m["mse_dot_argmin_t"] == pytest.approx(1.0, abs=0.01)
    assert m["mse_dot_min"] < 1e-12
    assert m["mse_dot_at_t_5"] == pytest.approx(16.0, rel=1e-9)


def test_f_sumsim_and_cos_plus_mse_have_a_single_minimum_at_y(obs):
    m = obs.observe_single_minimum()
    for key in ("sumsim", "cos_mse"):
        assert max(m[key]["argmin_distance_in_cells"]) <= 1.0, key
        assert m[key]["strict_local_minima"] == [1] * len(m["targets"]), key
        assert max(m[key]["descent_max_final_distance"]) < 1e-3, key
        assert m[f"{key}_min_on_ray_and_line_off_y"] > 0.05, key
    # Each half alone is minimal on a whole set, and descent stops anywhere on it.
    for key in ("cos", "mse_dot"):
        assert max(m[key]["descent_max_final_loss"]) < 1e-9, key
        assert min(m[key]["descent_max_final_distance"]) > 0.5, key
        assert min(m[key]["argmin_distance_in_cells"]) > 10, key
    for name in ("cos_on_ray", "mse_dot_on_line"):
        assert m[name]["max_abs_value"] < 1e-12, name
        assert m[name]["max_grad_norm"] < 1e-12, name


def test_g_descent_on_log_mse_overshoots_where_descent_on_mse_settles(obs):
    m = obs.observe_log_overshoots()
    mse, log_mse = m["mse"], m["log_mse"]
    assert max(mse["crossings"]) == 0
    assert max(mse["final_distance"]) < 1e-4
    assert min(log_mse["crossings"]) >= 1  # every start jumps past the target
    assert log_mse["median_final_distance"] > 0.1  # and is still far from it after 50 steps
    assert min(log_mse["closest_approach"]) < 0.05  # though it passed close by
    # On the angle to y, the same for 1 − CosSim: the log version turns past y and flings x outwards.
    cos, log_cos = m["cos"], m["log_cos"]
    assert max(cos["angle_crossings"]) == 0
    assert sum(c > 0 for c in log_cos["angle_crossings"]) >= len(log_cos["angle_crossings"]) / 2
    assert max(cos["final_norm"]) < 1.1 * m["start_radius"]
    assert max(log_cos["final_norm"]) > 2 * m["start_radius"]


def test_h_gensim_is_cossim_at_1_and_dotsim_at_0(obs):
    m = obs.observe_gensim_special_cases()
    assert m["sim_alpha_1_vs_cos"] < 1e-12
    assert m["sim_alpha_0_vs_dot"] < 1e-12
    assert m["loss_alpha_0_vs_mse_dot"] < 1e-10
    assert m["grad_alpha_0_vs_mse_dot"] < 1e-9
    assert m["grad_alpha_1_vs_cos_squared"] < 1e-10


def test_i_the_normalised_dotsim_loss_is_mse_along_y(obs):
    m = obs.observe_dot_field_and_its_normalised_variant()
    assert m["dot_max_relative_error_grad_norm_vs_one_over_norm_y"] < 1e-12
    assert m["mse_dot_norm_max_relative_difference_vs_projected_mse_grad"] < 1e-9


def test_the_script_measures_every_observation(obs):
    assert [name[0] for name in obs.OBSERVATIONS] == list("abcdefghi")
