"""The statistics a chaotic claim is quoted with (claims/stats.py)."""

import numpy as np

from claims.stats import share, spread


def test_spread_is_the_median_with_an_interval_inside_the_range():
    values = np.random.default_rng(3).normal(0.9, 0.05, 32)
    s = spread(values)
    assert s["median"] == np.median(values) and s["n"] == 32
    assert s["min"] <= s["lo"] <= s["median"] <= s["hi"] <= s["max"]
    assert spread(values) == s  # the same values, the same interval


def test_the_interval_narrows_with_more_seeds():
    rng = np.random.default_rng(4)
    few, many = spread(rng.normal(size=8)), spread(rng.normal(size=512))
    assert many["hi"] - many["lo"] < (few["hi"] - few["lo"]) / 3


def test_one_outlying_seed_moves_the_median_little_and_the_share_by_one_seed():
    values = np.full(32, 0.9)
    values[0] = 0.5
    assert spread(values)["median"] == 0.9 and spread(values)["min"] == 0.5
    assert share(values < 0.8) == 1 / 32
