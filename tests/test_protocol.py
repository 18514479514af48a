"""What crosses the browser boundary: a link's values, checked by the schema in
Python (the page only reads and writes the link), and run ids, which Python
hands out so that the page and the worker keep no run state of their own."""

import json
import re

import numpy as np
import pytest

from jacobiator.figures import FIGURES, advance, get_figure, handle, render, stop, wire
from jacobiator.figures.schema import Bool, Choice, Drag, Float, Int, Schema

SCHEMA = Schema((
    Int("grid", "Grid", 15, min=5, max=41),
    Float("rate", "Rate", 0.1, min=0.0, max=1.0),
    Bool("log", "Log", False),
    Choice("loss", "Loss", "mse", choices=(("mse", "MSE"), ("cos", "CosSim"))),
    Float("x", "Target x", 0.5, min=-2.0, max=2.0),
    Float("y", "Target y", 0.0, min=-2.0, max=2.0),
), drag=Drag("x", "y"))


def strict_message(overrides: dict) -> str:
    """What the strict check says about ``overrides``."""
    with pytest.raises(ValueError) as e:
        SCHEMA.resolve(overrides)
    return str(e.value)


# A link's values ------------------------------------------------------------


@pytest.mark.parametrize("link, values", [
    ({"grid": "21"}, {"grid": 21}),
    ({"rate": "0.25"}, {"rate": 0.25}),
    ({"rate": "1"}, {"rate": 1.0}),
    ({"log": "true"}, {"log": True}),
    ({"log": "false"}, {"log": False}),
    ({"loss": "cos"}, {"loss": "cos"}),
    ({"x": "-1.5", "y": "1.25"}, {"x": -1.5, "y": 1.25}),  # the dragged point
])
def test_a_links_good_values_are_used_as_their_parameters_type(link, values):
    params, ignored = SCHEMA.resolve_lenient(link)
    assert ignored == []
    assert params == SCHEMA.defaults() | values
    assert all(type(params[k]) is type(v) for k, v in values.items())


@pytest.mark.parametrize("name, text, value", [
    ("grid", "999", 999),  # out of range
    ("grid", "4", 4),
    ("rate", "-0.5", -0.5),
    ("x", "2.5", 2.5),  # the dragged point off the plot
    ("grid", "2.5", 2.5),  # not whole
    ("grid", "abc", "abc"),  # wrong type
    ("rate", "", ""),
    ("rate", "inf", float("inf")),
    ("log", "yes", "yes"),
    ("log", "1", "1"),
    ("loss", "<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
])
def test_a_bad_value_is_ignored_with_the_strict_checks_message(name, text, value):
    params, ignored = SCHEMA.resolve_lenient({name: text})
    assert params == SCHEMA.defaults()
    assert ignored == [strict_message({name: value})]
    assert name in ignored[0]


def test_an_unknown_name_is_ignored_with_the_strict_checks_message():
    params, ignored = SCHEMA.resolve_lenient({"nope": "1"})
    assert params == SCHEMA.defaults()
    assert ignored == [strict_message({"nope": 1})] and "'nope'" in ignored[0]


def test_an_empty_link_keeps_the_base():
    assert SCHEMA.resolve_lenient({}) == (SCHEMA.defaults(), [])
    base = SCHEMA.resolve({"grid": 7})
    assert SCHEMA.resolve_lenient({}, base) == (base, [])


def test_good_values_apply_over_the_base_and_each_bad_one_costs_only_itself():
    base = SCHEMA.resolve({"grid": 7, "loss": "cos"})
    params, ignored = SCHEMA.resolve_lenient({"rate": "0.5", "grid": "99", "log": "true", "loss": "l1"}, base)
    assert params == base | {"rate": 0.5, "log": True}
    assert ignored == [strict_message({"grid": 99}), strict_message({"loss": "l1"})]
    assert base == SCHEMA.resolve({"grid": 7, "loss": "cos"})  # the base is not changed in place


def test_a_request_with_a_link_draws_the_good_values_and_says_what_it_ignored():
    request = {"figure": "gradient_field", "params": {"grid": 7}, "link": {"log": "true", "grid": "999"}}
    reply = json.loads(handle(json.dumps(request)))
    assert reply["params"] == get_figure("gradient_field").schema.resolve({"grid": 7, "log": True})
    assert len(reply["ignored"]) == 1 and reply["ignored"][0].startswith("grid must be between")
    assert reply["figure"] == render("gradient_field", grid=7, log=True)


# Run ids --------------------------------------------------------------------

PARTICLES = {"figure": "gradient_field", "params": {"display": "particles", "seed": 3}}


def start(slot: str) -> dict:
    return json.loads(handle(json.dumps(PARTICLES | {"slot": slot})))


def test_a_new_request_in_a_slot_invalidates_the_old_run():
    first = start("a")
    second = start("a")
    assert second["run"] != first["run"]
    assert json.loads(advance("a", first["run"])) == {"stale": True, "run": first["run"]}
    assert json.loads(advance("a", second["run"]))["run"] == second["run"]
    stop("a")


def test_a_stale_advance_does_not_step_the_current_run():
    # The same request in two slots; in one of them, an ack of the run it replaced comes first.
    replaced = start("stale")["run"]
    runs = {slot: start(slot)["run"] for slot in ("fresh", "stale")}
    assert json.loads(advance("stale", replaced))["stale"]
    frames = {slot: json.loads(advance(slot, run))["figure"] for slot, run in runs.items()}
    assert frames["stale"] == frames["fresh"]
    # ...which is one frame on: a step more would show.
    assert json.loads(advance("fresh", runs["fresh"]))["figure"] != frames["fresh"]
    for slot in runs:
        stop(slot)


def test_a_request_replaces_only_the_run_in_its_own_slot():
    a, b = start("a"), start("b")
    assert a["run"] != b["run"]
    start("a")
    assert json.loads(advance("b", b["run"]))["animating"]
    stop("a")
    stop("b")


# Arrays as typed arrays (wire.py: what the worker posts) ---------------------


def numbers_in_text(text: str) -> int:
    """The most numbers (or null gaps) in one JSON array of ``text``: a list of numbers left in the reply."""
    item = r"(?:-?[\d.e+-]+|null)"
    return max((len(run.split(",")) for run in re.findall(rf"\[({item}(?:,{item})*)\]", text)), default=0)


def test_a_figures_arrays_leave_the_text_as_float64_arrays():
    request = json.dumps({"figure": "gradient_field", "params": {"grid": 32}})
    text, arrays = wire.handle(request)
    assert numbers_in_text(handle(request)) > 7000  # the arrows, as JSON
    assert numbers_in_text(text) <= 4  # a range, a margin: layout, not data
    assert all(a.dtype == np.float64 and a.ndim == 1 for a in arrays)
    reply = json.loads(text)
    heatmap, arrows = reply["figure"]["data"][:2]
    assert heatmap["z"] == {"$array": 2, "shape": [41, 41]}
    assert arrays[heatmap["z"]["$array"]].size == 41 * 41
    assert arrows["meta"]["role"] == "arrows" and arrays[arrows["x"]["$array"]].size == 32 * 32 * 7


def test_a_gap_travels_as_nan_and_comes_back_as_a_gap():
    request = json.dumps({"figure": "gradient_field", "params": {"grid": 5}})
    text, arrays = wire.handle(request)
    arrows = json.loads(text)["figure"]["data"][1]
    x = arrays[arrows["x"]["$array"]]
    assert np.isnan(x[2::7]).all() and np.isfinite(x[0::7]).all()  # the gap after each shaft
    assert wire.unpack(text, arrays) == json.loads(handle(request))


def test_text_and_category_arrays_stay_json():
    text, arrays = wire.handle(json.dumps({"figure": "activation_table"}))
    table = json.loads(text)["figure"]["data"][0]
    assert all(isinstance(v, str) for v in table["x"])  # categories
    assert table["z"]["shape"][1] == len(table["x"])  # the numbers go as an array


@pytest.mark.parametrize("key", sorted(FIGURES))
def test_every_figure_reads_back_the_same_after_packing(key):
    request = json.dumps({"figure": key})
    assert wire.unpack(*wire.handle(request)) == json.loads(handle(request))


def test_animation_frames_are_packed_and_a_stale_reply_has_no_arrays():
    text, arrays = wire.handle(json.dumps(PARTICLES | {"slot": "typed"}))
    run = json.loads(text)["run"]
    text, arrays = wire.advance("typed", run)
    assert json.loads(text)["run"] == run and arrays
    assert wire.advance("typed", run - 1) == (json.dumps({"stale": True, "run": run - 1}, separators=(",", ":")), [])
    stop("typed")


def test_a_readers_error_is_text_only():
    text, arrays = wire.handle(json.dumps({"figure": "gradient_field", "params": {"grid": 999}}))
    assert "error" in json.loads(text) and arrays == []
