"""The activation gallery and table: the blurred derivative, the measured properties, the cost module."""

import importlib.util
import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from jacobiator import activation_costs
from jacobiator.activations import ACTIVATIONS, Activation, normal_cdf, sigmoid, softplus
from jacobiator.figures import activation_gallery as gallery
from jacobiator.figures import render
from jacobiator.figures.activation_gallery import (
    blurred_derivative,
    growth_exponent,
    is_bounded,
    rows,
    saturation,
    sup_profile,
    zero_share,
)

ROOT = Path(__file__).resolve().parent.parent
KINKS = {"relu", "leaky_relu", "elu", "relu_ripple"}  # sigma' jumps at 0


def away_from_kinks(key: str, x: np.ndarray, margin: float) -> np.ndarray:
    return x[np.abs(x) > margin] if key in KINKS else x


# The blurred derivative ------------------------------------------------------


@pytest.mark.parametrize("key", sorted(ACTIVATIONS))
def test_blurred_derivative_tends_to_the_derivative_as_h_shrinks(key):
    a = ACTIVATIONS[key]
    x = away_from_kinks(key, np.linspace(-4, 4, 801), 0.01)
    scale = 1 + np.abs(a.grad(x))
    errors = [np.max(np.abs(blurred_derivative(a, x, h) - a.grad(x)) / scale) for h in (0.3, 0.03, 0.003)]
    assert errors[-1] < 1e-4, errors
    # O(h^2) for a smooth sigma: each tenth of h cuts the error well below a tenth
    # (or it is already rounding-level, as for the piecewise-linear ones).
    assert all(e2 < 0.1 * e1 or e2 < 1e-9 for e1, e2 in itertools.pairwise(errors)), errors


@pytest.mark.parametrize("key", sorted(ACTIVATIONS))
def test_a_vanishing_width_gives_the_derivative_not_rounding_noise(key):
    # A difference quotient over h carries a rounding error of about eps |sigma| / h: 1e-4 at
    # h = 1e-12, a division by zero at h = 0. All the way down, sigma'_h stays on sigma'.
    a = ACTIVATIONS[key]
    x = away_from_kinks(key, np.linspace(-5, 5, 101), 1e-3)
    scale = 1 + np.abs(a.grad(x))
    for h in (1e-5, 1e-8, 1e-11, 1e-14, 0.0):
        error = np.abs(blurred_derivative(a, x, h) - a.grad(x)) / scale
        assert error.max() < 1e-6, (h, x[error.argmax()], error.max())


@pytest.mark.parametrize("key", sorted(ACTIVATIONS))
@pytest.mark.parametrize("h", [0.1, 0.5, 2.0, 3.0])
def test_blurred_derivative_is_the_mean_slope(key, h):
    a = ACTIVATIONS[key]
    x = np.linspace(-5, 5, 41)
    # The mean of sigma' over [x - h/2, x + h/2] (trapezoids on sigma', not on sigma).
    t = x[:, None] + np.linspace(-h / 2, h / 2, 4001)[None, :]
    mean_slope = np.trapezoid(a.grad(t), t, axis=1) / h
    error = np.abs(blurred_derivative(a, x, h) - mean_slope) / (1 + np.abs(mean_slope))
    assert error.max() < 2e-4, x[error.argmax()]


def test_blurred_relu_is_a_ramp_of_width_h():
    h, x = 0.5, np.linspace(-2, 2, 401)
    np.testing.assert_allclose(blurred_derivative(ACTIVATIONS["relu"], x, h), np.clip((x + h / 2) / h, 0, 1),
                               atol=1e-12)


def test_blurred_square_is_its_exact_derivative_at_any_width():
    x = np.linspace(-10, 10, 201)
    for h in (0.5, 3.0):
        np.testing.assert_allclose(blurred_derivative(ACTIVATIONS["square"], x, h), 2 * x, atol=1e-12)


@pytest.mark.parametrize("h", [0.5, 1.0, 3.0])
def test_blur_revives_relu_near_the_kink(h):
    # sigma'_h = 0 only for x <= -h/2: the dead share falls from 1/2 to Phi(-h/2).
    assert zero_share(ACTIVATIONS["relu"], h) == pytest.approx(float(normal_cdf(-h / 2)), abs=2e-3)


# The table's measured properties ---------------------------------------------------


def test_relu_has_a_zero_jacobian_for_half_the_normal_inputs():
    assert zero_share(ACTIVATIONS["relu"]) == pytest.approx(0.5, abs=1e-3)


@pytest.mark.parametrize("key", ["leaky_relu", "softplus", "sigmoid", "tanh", "elu", "gelu", "gelu_tanh",
                                 "silu", "sin", "square", "zcosz"])
def test_smooth_or_leaky_activations_have_no_zero_share(key):
    # Only isolated zeros (GELU's minimum, cos's roots): no probability. gelu_tanh's
    # derivative underflows to 0 for x < -7.5 or so, a 1e-13 share.
    assert zero_share(ACTIVATIONS[key]) < 1e-9


@pytest.mark.parametrize("key", sorted(ACTIVATIONS))
def test_zero_share_agrees_with_monte_carlo(key):
    x = np.random.default_rng(1).standard_normal(200_000)  # standard error <= 0.0011
    assert zero_share(ACTIVATIONS[key]) == pytest.approx(np.mean(ACTIVATIONS[key].grad(x) == 0), abs=0.006)


EXPECTED = {  # key: (bounded, saturation)
    "relu": (True, "left"), "leaky_relu": (True, "neither"), "softplus": (True, "left"),
    "sigmoid": (True, "both"), "tanh": (True, "both"), "elu": (True, "left"), "gelu": (True, "left"),
    "gelu_tanh": (True, "left"), "silu": (True, "left"), "sin": (True, "neither"),
    "square": (False, "neither"), "zcosz": (False, "neither"),
    # the ripple's cos 8x never dies out, so a rippled activation never saturates, even where its base does
    "relu_ripple": (True, "neither"), "gelu_ripple": (True, "neither"), "tanh_ripple": (True, "neither"),
}


def test_every_activation_has_its_expected_properties_listed():
    assert set(EXPECTED) == set(ACTIVATIONS)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_boundedness_and_saturation_of_known_activations(key):
    a = ACTIVATIONS[key]
    assert (is_bounded(a), saturation(a)) == EXPECTED[key]


def test_sup_of_the_derivative_matches_closed_forms():
    by_key = {r.key: r for r in rows()}
    root2 = math.sqrt(2)  # GELU's sigma'' = phi(x)(2 - x^2) vanishes at x = sqrt(2)
    gelu_peak = float(normal_cdf(root2)) + root2 * math.exp(-1) / math.sqrt(2 * math.pi)
    assert by_key["gelu"].sup == pytest.approx(gelu_peak, rel=1e-6)
    assert by_key["sigmoid"].sup == pytest.approx(0.25, rel=1e-6)
    assert by_key["relu"].sup == by_key["tanh"].sup == by_key["sin"].sup == 1.0
    assert by_key["square"].sup == pytest.approx(2e4, rel=1e-9)  # 2|x| at |x| = 10^4


def test_growth_exponent_reads_the_power_law():
    cube = Activation("cube", "x³", "x^3", lambda x: x**3, lambda x: 3 * x**2, True, "#000000")
    assert growth_exponent(cube) == pytest.approx(2.0, abs=0.01) and not is_bounded(cube)
    assert growth_exponent(ACTIVATIONS["square"]) == pytest.approx(1.0, abs=0.01)
    assert growth_exponent(ACTIVATIONS["zcosz"]) == pytest.approx(1.0, abs=0.05)
    assert growth_exponent(ACTIVATIONS["tanh"]) == 0.0


def test_a_mirrored_softplus_saturates_on_the_right():
    mirrored = Activation("mirror", "−softplus(−x)", "", lambda x: -softplus(-x), lambda x: sigmoid(-x), True, "#000000")
    assert saturation(mirrored) == "right" and is_bounded(mirrored)


def test_sup_profile_never_decreases():
    for a in ACTIVATIONS.values():
        assert np.all(np.diff(sup_profile(a)) >= 0)


# The generated cost module -------------------------------------------------


def test_every_registered_activation_has_a_measured_cost():
    missing = [k for k in ACTIVATIONS if k not in activation_costs.COST_NS]
    assert not missing, (f"no measured cost for {missing}: run `.venv/bin/python scripts/activation_cost.py` "
                         "to regenerate jacobiator/activation_costs.py")
    for key in ACTIVATIONS:
        for part in ("value", "grad"):
            cost = activation_costs.COST_NS[key][part]
            assert math.isfinite(cost) and cost > 0, (
                f"{key} {part}: cost {cost!r}; run `.venv/bin/python scripts/activation_cost.py`")


def load_module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cost_module_is_the_scripts_output_untouched():
    """Not edited by hand, and written by the script as it is now (its header says so and where)."""
    script = load_module("activation_cost", ROOT / "scripts" / "activation_cost.py")
    c = activation_costs
    assert Path(c.__file__).read_text() == script.module_text(c.COST_NS, c.MEASURED_ON, c.REPEATS, c.ELEMENTS), (
        "jacobiator/activation_costs.py differs from what scripts/activation_cost.py writes: rerun the script")


def test_cost_script_writes_a_module_that_reads_back(tmp_path):
    script = load_module("activation_cost", ROOT / "scripts" / "activation_cost.py")
    costs = script.measure(repeats=1, elements=1000)
    assert set(costs) == set(ACTIVATIONS)
    assert all(c["value"] > 0 and c["grad"] > 0 for c in costs.values())
    written = tmp_path / "costs.py"
    written.write_text(script.module_text(costs, script.machine(), 1, 1000))
    assert load_module("costs", written).COST_NS == costs


# The figures -----------------------------------------------------------------------


def cells_by_label(fig: dict) -> dict[str, list[str]]:
    (trace,) = fig["data"]
    return dict(zip(trace["y"], trace["text"]))


def test_table_has_one_row_per_activation_and_its_measured_numbers():
    fig = render("activation_table")
    (trace,) = fig["data"]
    assert trace["type"] == "heatmap" and trace["showscale"] is False
    assert trace["y"] == [a.label for a in ACTIVATIONS.values()]
    assert len(trace["z"]) == len(ACTIVATIONS) and all(len(line) == len(trace["x"]) for line in trace["z"])
    assert all(0 <= v <= 1 for line in trace["z"] for v in line)
    cells = cells_by_label(fig)
    assert cells["ReLU"][1] == "50 %" and cells["tanh"][1] == "0 %"
    assert cells["ReLU"][2] == "x → −∞" and cells["tanh"][2] == "both sides" and cells["sin"][2] == "no"
    assert cells["x² (polynomial)"][0].startswith("∞")
    title = fig["layout"]["annotations"][0]["text"]
    assert "scripts/activation_cost.py" in title and activation_costs.MEASURED_ON["numpy"] in title


def test_table_colours_bad_cells_worse_than_good_ones():
    (trace,) = render("activation_table")["data"]
    z = dict(zip(trace["y"], trace["z"]))
    assert z["ReLU"][1] == 1.0 and z["tanh"][1] == 0.0  # zero share
    assert z["x² (polynomial)"][0] == 1.0 and z["tanh"][0] == 0.0  # bounded
    assert z["tanh"][2] > z["ReLU"][2] > z["sin"][2]  # saturation: both > one side > neither


def test_table_sorts():
    by = {sort: render("activation_table", sort=sort)["data"][0]["y"] for sort in ("name", "cost", "zero_share")}
    assert by["name"] == sorted(by["name"], key=str.casefold)
    assert by["zero_share"][-1] == "ReLU"
    cost = {ACTIVATIONS[k].label: c["value"] + c["grad"] for k, c in activation_costs.COST_NS.items()}
    assert [cost[label] for label in by["cost"]] == sorted(cost[label] for label in by["cost"])


def test_table_says_when_a_cost_was_not_measured(monkeypatch):
    costs = {k: v for k, v in activation_costs.COST_NS.items() if k != "relu"}
    monkeypatch.setattr(activation_costs, "COST_NS", costs)
    gallery.rows.cache_clear()
    try:
        assert cells_by_label(render("activation_table"))["ReLU"][3] == "not measured"
    finally:
        gallery.rows.cache_clear()


def by_name(fig: dict) -> dict:
    return {t["name"]: t for t in fig["data"]}


def test_gallery_draws_sigma_its_derivative_and_the_blur():
    traces = by_name(render("activation_gallery", activation="tanh", compare="none", h=1.0, range=4.0))
    assert set(traces) == {"tanh: σ", "tanh: σ′", "tanh: blurred σ′, h = 1"}
    x = np.array(traces["tanh: σ"]["x"])
    assert x[0] == -4.0 and x[-1] == 4.0
    np.testing.assert_allclose(traces["tanh: σ"]["y"], np.tanh(x), atol=1e-4)
    blurred = blurred_derivative(ACTIVATIONS["tanh"], x, 1.0)
    np.testing.assert_allclose(traces["tanh: blurred σ′, h = 1"]["y"], blurred, atol=1e-4)
    assert traces["tanh: blurred σ′, h = 1"]["xaxis"] == "x2"


def test_gallery_compare_is_a_dashed_second_set_and_h_zero_is_exact():
    fig = render("activation_gallery", activation="relu", compare="gelu", h=0.0)
    assert len(fig["data"]) == 6
    assert [t["line"]["dash"] for t in fig["data"]] == ["solid"] * 3 + ["dash"] * 3
    traces = by_name(fig)
    assert traces["ReLU: h = 0, exact σ′"]["y"] == traces["ReLU: σ′"]["y"]


def test_gallery_title_quotes_the_dead_share_and_its_blur():
    notes = " ".join(a["text"] for a in render("activation_gallery", activation="relu", h=0.5)["layout"]["annotations"])
    assert "σ′ = 0 for 50 %" in notes and "σ′ₕ = 0 for 40 %" in notes  # Phi(-0.25) = 0.401
