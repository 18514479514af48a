"""Polynomial approximations of softplus, sigmoid and tanh; the numbers the chapter quotes;
the pre-activation histograms."""

import itertools
import math
import re
from fractions import Fraction

import numpy as np
import pytest

from jacobiator import polyapprox as pa
from jacobiator.figures import poly_approx as fig
from jacobiator.figures import render

KEYS = list(pa.TARGETS)

# Taylor coefficients -------------------------------------------------------

KNOWN = {  # c_0 ... c_9, from the tables of the series
    "softplus": [None, Fraction(1, 2), Fraction(1, 8), 0, Fraction(-1, 192), 0, Fraction(1, 2880), 0,
                 Fraction(-17, 645120), 0],
    "sigmoid": [Fraction(1, 2), Fraction(1, 4), 0, Fraction(-1, 48), 0, Fraction(1, 480), 0,
                Fraction(-17, 80640), 0, Fraction(31, 1451520)],
    "tanh": [0, 1, 0, Fraction(-1, 3), 0, Fraction(2, 15), 0, Fraction(-17, 315), 0, Fraction(62, 2835)],
}


def test_bernoulli_numbers():
    known = {0: 1, 1: Fraction(-1, 2), 2: Fraction(1, 6), 4: Fraction(-1, 30), 6: Fraction(1, 42),
             8: Fraction(-1, 30), 10: Fraction(5, 66), 12: Fraction(-691, 2730), 14: Fraction(7, 6)}
    for m, b in known.items():
        assert pa.bernoulli(m) == b
    assert all(pa.bernoulli(m) == 0 for m in range(3, 22, 2))


@pytest.mark.parametrize("key", KEYS)
def test_taylor_coefficients_match_the_known_series(key):
    exact = pa.rational_taylor(key, 9)
    for n, c in enumerate(KNOWN[key]):
        if c is not None:
            assert exact[n] == c, (key, n)
    floats = pa.taylor_coefficients(key, 9)
    expected_c0 = math.log(2) if key == "softplus" else float(KNOWN[key][0])
    assert floats[0] == pytest.approx(expected_c0, abs=1e-15)


def riccati_series(key: str, degree: int) -> list[Fraction]:
    """The series from the ODEs, term by term, independently of the Bernoulli numbers:
    tanh' = 1 - tanh^2, sigma' = sigma (1 - sigma), softplus' = sigma."""
    def solve(c0, rhs):
        c = [Fraction(c0)]
        for n in range(degree):
            c.append(rhs(c, n) / (n + 1))  # (n+1) c_{n+1} = [x^n] of the right-hand side
        return c

    def square(c, n):
        return sum(c[i] * c[n - i] for i in range(n + 1))

    tanh = solve(0, lambda c, n: (1 if n == 0 else 0) - square(c, n))
    sig = solve(Fraction(1, 2), lambda c, n: c[n] - square(c, n))
    if key == "tanh":
        return tanh
    if key == "sigmoid":
        return sig
    return [Fraction(0)] + [sig[n] / (n + 1) for n in range(degree)]


@pytest.mark.parametrize("key", KEYS)
def test_taylor_coefficients_solve_the_differential_equation_exactly(key):
    assert list(pa.rational_taylor(key, 25)) == riccati_series(key, 25)


def complex_fn(key):
    return {"softplus": lambda z: np.log(1 + np.exp(z)), "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
            "tanh": np.tanh}[key]


@pytest.mark.parametrize("key", KEYS)
def test_taylor_coefficients_match_cauchy_integrals(key):
    # c_n = (1 / 2 pi i) \oint f(z) z^{-n-1} dz on |z| = r < rho: an FFT of f on a circle.
    r, m, degree = 0.5 * pa.TARGETS[key].radius, 256, 21
    z = r * np.exp(2j * np.pi * np.arange(m) / m)
    c = (np.fft.fft(complex_fn(key)(z)) / m)[: degree + 1] / r ** np.arange(degree + 1)
    assert np.abs(c.imag).max() < 1e-12
    assert pa.taylor_coefficients(key, degree) == pytest.approx(c.real, abs=1e-12)


@pytest.mark.parametrize("key", KEYS)
def test_first_coefficients_by_finite_differences(key):
    f, h = pa.TARGETS[key].fn, 1e-3
    c = pa.taylor_coefficients(key, 2)
    assert (f(h) - f(-h)) / (2 * h) == pytest.approx(c[1], abs=1e-6)
    assert (f(h) - 2 * f(0.0) + f(-h)) / h**2 / 2 == pytest.approx(c[2], abs=1e-5)


@pytest.mark.parametrize("key", KEYS)
def test_taylor_polynomial_is_close_near_zero_and_the_error_scales_like_x_to_the_d_plus_1(key):
    p = pa.taylor(key, 7)
    e1 = abs(p(0.2) - pa.TARGETS[key].fn(0.2))
    e2 = abs(p(0.1) - pa.TARGETS[key].fn(0.1))
    assert e1 < 1e-6
    # The first omitted nonzero term has degree 8 or 9: halving x divides the error by >= 2^8.
    assert e1 / e2 > 2**8 * 0.9


# Chebyshev fits ------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("R", [4.0, 8.0])
def test_chebyshev_error_decreases_with_degree(key, R):
    errors = [pa.max_error(pa.chebyshev(key, d, R), key, -R, R) for d in range(1, 22)]
    # Odd or even symmetry makes pairs of degrees equal; two degrees on, the error must drop.
    assert all(errors[i + 2] < 0.9 * errors[i] for i in range(len(errors) - 2)), errors
    # One degree on, never worse by more than 1 % (least squares is only near-minimax, and
    # the fit uses 4(d+1) nodes, so the node set changes with d).
    assert all(errors[i + 1] <= errors[i] * 1.01 for i in range(len(errors) - 1)), errors


@pytest.mark.parametrize("key", KEYS)
def test_chebyshev_beats_taylor_on_its_interval(key):
    assert pa.max_error(pa.chebyshev(key, 9, 4.0), key, -4, 4) < pa.max_error(pa.taylor(key, 9), key, -4, 4) / 20


def test_chebyshev_nodes_are_the_roots_of_T_n():
    x = pa.chebyshev_nodes(9, 3.0)
    assert np.abs(np.polynomial.chebyshev.chebval(x / 3.0, [0] * 9 + [1])).max() < 1e-12


# The log-series trick ------------------------------------------------------


@pytest.mark.parametrize("terms", [1, 2, 4, 8])
def test_log_series_is_within_its_bound_near_one(terms):
    y = np.linspace(0.5, 2.0, 301)
    u_max = 1.0 / 3.0  # (y - 1)/(y + 1) at y = 1/2 and at y = 2
    err = np.abs(pa.log_series(y, terms) - np.log(y))
    bound = pa.log_series_bound(u_max, terms)
    assert err.max() <= bound
    assert err.max() >= 0.5 * bound  # and the bound is not loose


def test_log_series_converges_for_any_positive_y_but_slowly_far_from_one():
    y = 50.0
    errors = [abs(pa.log_series(y, k) - np.log(y)) for k in (1, 10, 100, 1000)]
    assert errors == sorted(errors, reverse=True) and errors[-1] < 1e-6
    assert errors[1] > 0.1  # ten terms are not enough at y = 50: the reason for reducing the argument


@pytest.mark.parametrize("terms", [1, 3, 5, 8])
def test_mirrored_log_series_softplus_is_within_the_bound_everywhere(terms):
    x = np.linspace(-30, 30, 6001)
    err = np.abs(pa.softplus_log_series(x, terms) - pa.TARGETS["softplus"].fn(x))
    bound = pa.log_series_bound(1.0 / 3.0, terms)  # y = 1 + e^{-|x|} in (1, 2], so u <= 1/3
    assert err.max() <= bound
    assert abs(err[3000]) >= 0.9 * bound  # worst at x = 0, where y = 2
    assert err[np.abs(x) > 20].max() < 1e-14  # and exact far out: the identity carries it


def test_reduced_log_series_without_mirror_is_good_on_its_range_and_fails_beyond():
    m = pa.reduction_power(4.0)
    assert m == 3 and (1 + math.exp(4.0)) ** (1 / 2**m) <= 2 < (1 + math.exp(4.0)) ** (1 / 2 ** (m - 1))
    acc = pa.log_series_accuracy(terms_list=(5,), R=4.0)
    # On [-R, R]: 2^m times the one-step bound at u = 1/3.
    assert acc["plain_reduced_R"][0] <= 2**m * pa.log_series_bound(1 / 3, 5)
    assert acc["plain_reduced_span"][0] > 1.0  # on [-30, 30] the chosen a no longer does the trick
    assert acc["mirror"][0] <= acc["mirror_bound"][0]


# The registry --------------------------------------------------------------


def test_registry_keys_and_applicability():
    assert set(pa.METHODS) == {"taylor", "chebyshev", "log_series"}
    assert pa.methods_for("softplus") == ["taylor", "chebyshev", "log_series"]
    assert pa.methods_for("tanh") == pa.methods_for("sigmoid") == ["taylor", "chebyshev"]
    x = np.linspace(-1, 1, 11)
    for key in KEYS:
        for method in pa.methods_for(key):
            # tanh's degree-9 fit on [-4, 4] is the worst of them: 0.025.
            assert np.abs(pa.approximant(method, key, 9, 4.0)(x) - pa.TARGETS[key].fn(x)).max() < 0.03


@pytest.mark.parametrize("method, key, named", [
    ("log_series", "tanh", "log_series"), ("log_series", "sigmoid", "sigmoid"),
    ("pade", "tanh", "pade"), ("taylor", "relu", "relu"),
])
def test_registry_refuses_with_a_clear_ValueError(method, key, named):
    with pytest.raises(ValueError, match=named):
        pa.approximant(method, key, 9, 4.0)


# Measurements the chapter quotes -------------------------------------------


def test_degree_9_taylor_of_softplus_departs_near_pi_not_at_4():
    d = pa.taylor_departure("softplus", 9)
    # |error| > 0.1 from |x| = 3.11 on both sides (softplus - x/2 is even, so the error is too).
    assert d["abs"]["+"] == pytest.approx(3.109, abs=0.005)
    assert d["abs"]["-"] == pytest.approx(d["abs"]["+"], abs=1e-6)
    # Relative error > 10 %: earlier on the left, where softplus itself is small.
    assert d["rel"]["-"] == pytest.approx(2.389, abs=0.005)
    assert d["rel"]["+"] == pytest.approx(3.584, abs=0.005)
    # The question's "outside [-4, 4]" is generous: every departure is inside it, near pi.
    assert max(d["abs"]["+"], d["rel"]["+"], d["rel"]["-"]) < 4
    # And the crossing is real: just before it the error is below 0.1, just after above.
    p, f, x = pa.taylor("softplus", 9), pa.TARGETS["softplus"].fn, d["abs"]["+"]
    assert abs(p(x - 1e-3) - f(x - 1e-3)) < 0.1 < abs(p(x + 1e-3) - f(x + 1e-3))


def test_degree_9_taylor_errors_on_4_for_the_three_functions():
    worst = {k: pa.max_error(pa.taylor(k, 9), k, -4, 4) for k in KEYS}
    assert worst["softplus"] == pytest.approx(0.963, abs=0.005)
    assert worst["sigmoid"] == pytest.approx(3.46, abs=0.01)
    assert worst["tanh"] == pytest.approx(4967, rel=0.01)


@pytest.mark.parametrize("key", KEYS)
def test_taylor_error_shrinks_inside_the_radius_and_grows_outside(key):
    ev = pa.taylor_radius_evidence(key)
    inside, outside = ev["inside"], ev["outside"]
    assert all(b < a for a, b in itertools.pairwise(inside)), inside
    # softplus's coefficients carry an extra 1/n: its growth outside starts at degree 9.
    start = 2 if key == "softplus" else 0
    assert all(b > a for a, b in itertools.pairwise(outside[start:])), outside
    assert outside[-1] > 2 * outside[start]
    # The ratio per degree is r / rho: 0.9 and 1.1 (softplus within 0.04, through its 1/n).
    margin = 0.04 if key == "softplus" else 1e-3
    assert ev["inside_ratio"] == pytest.approx(0.9, abs=margin)
    assert ev["outside_ratio"] == pytest.approx(1.1, abs=margin)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("R", [4.0, 8.0, 16.0])
def test_chebyshev_error_decays_geometrically_at_the_bernstein_rate(key, R):
    decay = pa.chebyshev_decay(key, R)
    assert decay["used"] >= 20
    # sigmoid and tanh (poles) within 1 %; softplus (a log branch point) within 7 %.
    assert decay["fitted"] == pytest.approx(decay["predicted"], rel=0.07 if key == "softplus" else 0.01)
    assert decay["fitted"] > 1.0


def test_bernstein_rates_quoted():
    assert pa.bernstein_rate("softplus", 4.0) == pytest.approx(2.057, abs=1e-3)
    assert pa.bernstein_rate("tanh", 4.0) == pytest.approx(1.467, abs=1e-3)
    assert pa.bernstein_rate("softplus", 16.0) == pytest.approx(1.215, abs=1e-3)


# The figures ----------------------------------------------------------------


def test_poly_approx_draws_every_applicable_method_and_keeps_errors_on_scale():
    for key in KEYS:
        f = render("poly_approx", function=key, degree=21, R=1.0, view=30.0)
        roles = [t["meta"]["role"] for t in f["data"]]
        assert ("log_series" in roles) == (key == "softplus")
        for t in f["data"]:
            if t["meta"]["role"].endswith("-error"):
                y = [v for v in t["y"] if v is not None]
                assert min(y) >= fig.ERROR_FLOOR and max(y) <= fig.ERROR_CEILING
        # At R = 1, degree 21, the Taylor error at |x| = 30 is off the scale, and shown as such.
        clipped = next(t for t in f["data"] if t["meta"]["role"] == "taylor-clipped")
        assert clipped["y"][0] == fig.ERROR_CEILING and clipped["y"][-1] == fig.ERROR_CEILING


def test_poly_approx_legend_quotes_the_max_error():
    f = render("poly_approx")  # softplus, degree 9, R = 4
    names = {t["meta"]["role"]: t["name"] for t in f["data"]}
    assert names["taylor"].endswith("= 0.96")
    assert names["chebyshev"].endswith("= 3.7e-04")
    assert names["log_series"].endswith("= 1.1e-06")
    for method, name in [(m, names[m]) for m in pa.methods_for("softplus")]:
        worst = pa.max_error(pa.approximant(method, "softplus", 9, 4.0), "softplus", -4, 4)
        assert name.endswith("= " + fig.legend_error(worst))


def shares_in_titles(f: dict) -> list[float]:
    text = " ".join(a["text"] for a in f["layout"]["annotations"])
    return [float(v) / 100 for v in re.findall(r"([\d.]+) %", text)]


@pytest.mark.parametrize("params", [{}, {"task": "ripple", "activation": "relu", "R": 1.0},
                                    {"activation": "gelu", "steps": 0, "R": 20.0},
                                    {"task": "bumps", "activation": "softplus", "seed": 7, "steps": 200}])
def test_preactivation_histogram_shares_are_in_0_1_and_sum_to_one(params):
    f = render("preactivation_histogram", **params)
    shares = shares_in_titles(f)
    assert len(shares) >= 2 and all(0.0 <= s <= 1.0 for s in shares)
    for t in f["data"]:
        assert sum(t["y"]) == pytest.approx(1.0, abs=1e-3)  # each histogram: shares of all z


def test_preactivation_histogram_titles_match_share_inside():
    run = fig.trained_preactivations("xor", "tanh", 150, 0.03, 0)
    f = render("preactivation_histogram")
    expected = [fig.share_inside(z, 4.0) for pair in zip(run["before"], run["after"]) for z in pair]
    assert shares_in_titles(f) == pytest.approx(expected, abs=0.006)


def test_share_inside():
    z = np.array([-5.0, -4.0, 0.0, 3.9, 4.1, np.nan])
    assert fig.share_inside(z, 4.0) == pytest.approx(3 / 6)
    assert fig.share_inside(np.array([]), 4.0) == 1.0
