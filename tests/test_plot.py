"""The figures' shared helpers: numbers as figures print and store them, the grid, the palette."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jacobiator.figures.palette import GREY, XOR_CLASSES, hex_rgba, xor_regions
from jacobiator.figures.plot import axis, fmt, json_grid, json_list, log_range, percent, significant, title
from jacobiator.grids import square_grid


def test_percent_is_never_rounded_to_0_or_100_when_it_is_neither():
    assert percent(0.9996) == "> 99.9 %" and percent(0.999) == "99.9 %" and percent(1.0) == "100 %"
    assert percent(0.0) == "0 %" and percent(0.004) == "< 1 %" and percent(0.5) == "50 %"
    assert percent(1e-6) == "< 1 %"
    # A table telling a small share from a tiny one:
    assert percent(1e-6, 0.01) == "< 0.01 %" and percent(0.004, 0.01) == "< 1 %"


@given(rows=st.integers(1, 6), cols=st.integers(1, 6), digits=st.integers(0, 5),
       values=st.lists(st.floats(-1e12, 1e12) | st.just(np.nan) | st.just(-0.0), min_size=36, max_size=36))
def test_a_grid_is_its_rows_each_rounded_with_gaps_for_nan(rows, cols, digits, values):
    """json_grid rounds the whole grid at once: the same numbers as each row's json_list,
    and a NaN anywhere is a gap (None) there and only there."""
    z = np.array(values[:rows * cols]).reshape(rows, cols)
    grid = json_grid(z, digits)
    assert repr(grid) == repr([json_list(row, digits) for row in z])
    assert [[v is None for v in row] for row in grid] == np.isnan(z).tolist()
    flat = json_list(z, digits)
    assert [v is None for v in flat] == np.isnan(z).ravel().tolist()
    assert [v for v in flat if v is not None] == np.round(z.ravel()[~np.isnan(z.ravel())], digits).tolist()


@pytest.mark.parametrize("rounding", ["json", "scaled", "decimal"])
@given(v=st.floats(1e-20, 1e20) | st.floats(-1e20, -1e-20))
def test_significant_keeps_four_digits(rounding, v):
    (r,) = significant(np.array([v]), rounding=rounding)
    assert float(f"{r:.4g}") == pytest.approx(r, rel=1e-12)  # four digits, but for the last bit
    assert r == pytest.approx(v, rel=5.01e-4)


@pytest.mark.parametrize("rounding", ["json", "scaled", "decimal"])
def test_significant_turns_non_finite_values_into_gaps(rounding):
    assert significant(np.array([np.nan, np.inf, -np.inf, 0.0, 1234.56]), rounding=rounding) == \
        [None, None, None, 0.0, 1235.0]


def test_fmt_prints_a_true_minus():
    assert fmt(-0.012345) == "−0.0123" and fmt(2.0) == "2" and fmt(123456.0, 2) == "1.2e+05"


def test_title_and_axis():
    t = title("top", 0.3, sub="more", yshift=4)
    assert t["text"] == "top<br><span style='font-size:11px'>more</span>" and (t["x"], t["y"], t["yshift"]) == (0.3, 1.0, 4)
    a = axis("x", (-1, 2), lines=True, anchor="y2")
    assert a["range"] == [-1, 2] and a["showgrid"] and a["zeroline"] and a["fixedrange"] and a["anchor"] == "y2"
    assert "range" not in axis("y")


def test_square_grid_rows_run_along_x():
    t, points = square_grid(-1.0, 3.0, 5)
    assert t.tolist() == [-1.0, 0.0, 1.0, 2.0, 3.0]
    assert points.shape == (25, 2)
    assert points[1].tolist() == [0.0, -1.0] and points[5].tolist() == [-1.0, 0.0]
    z = points[:, 0] + 10 * points[:, 1]
    assert (z.reshape(5, 5)[2] == t + 10 * t[2]).all()  # a row of the reshaped values has one y


def test_xor_regions_fade_from_one_class_through_clear_to_the_other():
    scale = xor_regions(0.4)
    assert [s[0] for s in scale] == [0.0, 0.5, 1.0]
    assert scale[0][1] == hex_rgba(XOR_CLASSES[0], 0.4) == "rgba(28,126,214,0.4)"
    assert scale[1][1] == hex_rgba(GREY, 0.0) and scale[2][1] == hex_rgba(XOR_CLASSES[1], 0.4)


@given(curves=st.lists(st.lists(st.none() | st.just(np.nan) | st.floats(-1e6, 1e12), max_size=8), max_size=3),
       step=st.sampled_from([0.25, 0.5, 1.0]))
def test_a_log_range_holds_every_positive_value_and_ends_on_whole_steps(curves, step):
    positive = [v for c in curves for v in c if v is not None and np.isfinite(v) and v > 0]
    fixed = log_range(*curves, step=step)
    if not positive:
        assert fixed == {}  # Plotly's autorange
        return
    low, high = fixed["range"]
    assert low < np.log10(min(positive)) and np.log10(max(positive)) < high
    assert high - low <= np.log10(max(positive)) - np.log10(min(positive)) + 2 * step + 0.04
    for end in (low, high):
        assert end / step == pytest.approx(round(end / step), abs=1e-9)


def test_a_log_range_stays_put_while_the_curves_move_within_it():
    losses = 0.5 * 0.99 ** np.arange(200)  # 0.5 down to 0.07: from 10^-0.3 to 10^-1.15
    ranges = {tuple(log_range(list(losses[: n + 1]))["range"]) for n in range(len(losses))}
    assert ranges == {(-0.5, 0.0), (-1.0, 0.0), (-1.5, 0.0)}  # three ranges in 200 frames
