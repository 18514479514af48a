"""Every registered figure: renders, is valid Plotly JSON, and rejects bad parameters."""

import importlib
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import live_frames
from jacobiator import figures
from jacobiator.figures import FIGURES, MODULE_OF, handle, render
from jacobiator.figures.plot import progress
from jacobiator.figures.schema import Bool, Choice, Float, Int, Param

KEYS = sorted(FIGURES)
IDENTIFIERS = st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True)


def assert_valid_plotly_json(fig: dict):
    json.dumps(fig, allow_nan=False)  # raises on NaN or inf
    go.Figure(fig)  # raises on anything Plotly does not know


# Valid figures ------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_defaults_render_to_valid_deterministic_plotly_json(key):
    fig = render(key)
    assert fig["data"], "a figure without traces"
    assert_valid_plotly_json(fig)
    assert json.loads(json.dumps(fig)) == fig, "not plain JSON (a tuple, say): the page's copy would differ"
    assert render(key) == fig


def valid_value(p: Param) -> st.SearchStrategy:
    if isinstance(p, Int):
        return st.integers(p.min, p.max)
    if isinstance(p, Float):
        return st.floats(p.min, p.max, allow_nan=False)
    if isinstance(p, Bool):
        return st.booleans()
    if isinstance(p, Choice):
        return st.sampled_from([v for v, _ in p.choices])
    raise NotImplementedError(f"no strategy for parameter kind {type(p).__name__}: add one here")


def valid_overrides(key: str) -> st.SearchStrategy:
    params = FIGURES[key].schema.params
    return st.fixed_dictionaries({}, optional={p.name: valid_value(p) for p in params})


# Figures that train for seconds before they draw (up to their cost cap of
# tens of seconds): fewer random examples, the same check.
# linear_regions counts on grids of up to a million points.
SLOW = ("destroy_sweep", "restore_sizes", "gradient_race", "gradient_fit", "gradient_dims", "linear_regions")


@pytest.mark.parametrize("key", [k for k in KEYS if k not in SLOW])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_valid_parameters_render_to_valid_plotly_json(key, data):
    assert_valid_plotly_json(render(key, **data.draw(valid_overrides(key))))


@pytest.mark.parametrize("key", SLOW)
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_any_valid_parameters_of_a_slow_figure_render_to_valid_plotly_json(key, data):
    assert_valid_plotly_json(render(key, **data.draw(valid_overrides(key))))


# Invalid parameters -------------------------------------------------------

NOT_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
NOT_A_NUMBER = st.one_of(st.text(), st.booleans(), st.none(), st.lists(st.integers(), max_size=2))


def invalid_value(p: Param) -> st.SearchStrategy:
    if isinstance(p, Int):
        return st.one_of(st.integers(max_value=p.min - 1), st.integers(min_value=p.max + 1),
                         st.floats(p.min, p.max).filter(lambda v: v != int(v)),  # not whole
                         NOT_FINITE, NOT_A_NUMBER)
    if isinstance(p, Float):
        return st.one_of(st.floats(max_value=p.min, exclude_max=True, allow_infinity=False),
                         st.floats(min_value=p.max, exclude_min=True, allow_infinity=False),
                         NOT_FINITE, NOT_A_NUMBER)
    if isinstance(p, Bool):
        return st.one_of(st.integers(), st.floats(), st.text(), st.none())
    if isinstance(p, Choice):
        values = [v for v, _ in p.choices]
        return st.one_of(st.text().filter(lambda v: v not in values), st.integers(), st.floats(), st.none())
    raise NotImplementedError(f"no strategy for parameter kind {type(p).__name__}: add one here")


@pytest.mark.parametrize("key", KEYS)
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_invalid_value_is_a_ValueError_naming_the_parameter(key, data):
    p = data.draw(st.sampled_from(FIGURES[key].schema.params), label="param")
    value = data.draw(invalid_value(p), label="value")
    with pytest.raises(ValueError) as e:
        render(key, **{p.name: value})
    assert p.name in str(e.value)


# 'key' and 'self' are covered by test_unknown_parameter_named_like_an_argument.
@pytest.mark.parametrize("key", KEYS)
@settings(max_examples=25, deadline=None)
@given(name=IDENTIFIERS.filter(lambda s: s not in ("key", "self")))
def test_unknown_parameter_is_a_ValueError_naming_it(key, name):
    if name in FIGURES[key].schema.names:
        return
    with pytest.raises(ValueError) as e:
        render(key, **{name: 1})
    assert name in str(e.value)


@pytest.mark.parametrize("name", ["key", "self"])
def test_unknown_parameter_named_like_an_argument(name):
    # render(key, **overrides) and Figure.__call__(self, **overrides) must not
    # turn such a parameter into a TypeError: handle() answers only ValueErrors.
    reply = json.loads(handle(json.dumps({"figure": KEYS[0], "params": {name: 1}})))
    assert name in reply["error"]


# Training figures say how far they are ---------------------------------------

# Light settings of every figure that trains: a whole live run in a second or so.
LIGHT = {
    "sculpt": {"steps": 100, "speed": 25},
    "activation_training": {"steps": 100, "seeds": 2, "group": "bounded", "width": 6},
    "destroy_training": {"steps": 60, "speed": 7},
    "destroy_sweep": {"sweep": "beta", "seeds": 1, "steps": 50, "depth": 1, "width": 4},
    "restore_jacobian": {"dim_i": 4, "dim_o": 3, "epochs": 10, "speed": 3},
    "restore_sizes": {"epochs": 1, "seeds": 1},
    "gradient_race": {"samples": 5000, "speed": 7},
    "gradient_fit": {"samples": 5000, "fit_steps": 20},
    "gradient_dims": {"samples": 5000, "monomials": 8, "width": 8, "depth": 1, "seeds": 1},
    "gradient_chain": {"samples": 5000, "steps": 50, "speed": 25},
}


def test_every_training_figure_has_light_settings():
    assert set(LIGHT) == {k for k, f in FIGURES.items() if f.animation and f.animation.training}


@pytest.mark.parametrize("key", sorted(LIGHT))
def test_every_frame_of_a_training_figure_carries_its_progress(key):
    """layout.meta, which the browser tests and the benchmark read: from step 0 up to ``of``, the
    same keys in every frame, and the static figure carries the last frame's."""
    metas = [figure["layout"]["meta"] for figure in live_frames(key, LIGHT[key])]
    steps = [m["step"] for m in metas]
    assert steps[0] == 0 and steps == sorted(steps) and steps[-1] == metas[-1]["of"] > 0, steps
    assert len({m["of"] for m in metas}) == 1 and all(m.keys() == metas[0].keys() for m in metas)
    assert render(key, **LIGHT[key])["layout"]["meta"] == metas[-1]


def test_progress_is_plain_json():
    meta = progress(np.int64(3), 10, batch=np.int64(1), loss=np.float64(0.123456), diverged=np.nan,
                    rel_error={"fc": np.inf, "lle": 2.0}, phase="fit", fitted=False, none=None)
    assert meta == {"step": 3, "of": 10, "batch": 1, "loss": 0.1235, "diverged": None,
                    "rel_error": {"fc": None, "lle": 2.0}, "phase": "fit", "fitted": False, "none": None}
    assert type(meta["step"]) is int and type(meta["batch"]) is int
    json.dumps(meta, allow_nan=False)


# Links: the text a page writes, read back leniently ------------------------


def link_text(value) -> str:
    """A value as the page writes it into a link (JavaScript's ``String(value)``)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


@pytest.mark.parametrize("key", KEYS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_a_link_reads_back_every_valid_value(key, data):
    schema = FIGURES[key].schema
    overrides = data.draw(valid_overrides(key), label="overrides")
    link = {name: link_text(value) for name, value in overrides.items()}
    assert schema.resolve_lenient(link) == (schema.resolve(overrides), [])


@pytest.mark.parametrize("key", KEYS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_link_yields_valid_parameters_and_reasons_naming_what_it_ignored(key, data):
    schema = FIGURES[key].schema
    link = data.draw(st.dictionaries(st.sampled_from(schema.names) | IDENTIFIERS, st.text(), max_size=4), label="link")
    params, ignored = schema.resolve_lenient(link)  # never raises: a bad link must not break the figure
    assert schema.resolve(params) == params
    assert len(ignored) <= len(link)
    assert all(any(name in reason for name in link) for reason in ignored)


# The lazy registry ---------------------------------------------------------


def test_the_registry_maps_every_figure_to_the_module_that_defines_it():
    # Every module of the package, imported: a figure in a module the map forgets fails here.
    defined = {}
    for path in sorted(Path(figures.__file__).parent.glob("*.py")):
        module = importlib.import_module(f"jacobiator.figures.{path.stem}")
        for figure in getattr(module, "FIGURES", []) if path.stem != "__init__" else []:
            assert figure.key not in defined, f"{figure.key!r} is defined in {defined[figure.key]} and {path.stem}"
            defined[figure.key] = path.stem
    assert MODULE_OF == defined
    assert {key: FIGURES[key].key for key in FIGURES} == {key: key for key in defined}


def imported_after(code: str) -> set[str]:
    """The modules of jacobiator.figures that a fresh Python has imported after running ``code``."""
    probe = code + "\nimport sys; print(' '.join(m for m in sys.modules if m.startswith('jacobiator.figures.')))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return {name.removeprefix("jacobiator.figures.") for name in done.stdout.split()}


def test_importing_the_registry_imports_no_figure_module():
    # What the worker imports at boot: the same however many figure modules there are.
    modules = set(MODULE_OF.values())
    assert not imported_after("import jacobiator.figures as f; assert len(f.FIGURES) and 'sculpt' in f.FIGURES") & modules
    used = imported_after("from jacobiator.figures import render; render('gradient_field', grid=5)") & modules
    assert used == {"gradient_field"}


def test_a_wrong_map_is_an_error_naming_the_figure_and_module():
    registry = figures.Registry({"sculpt": "descent_paths"})
    with pytest.raises(RuntimeError, match="'sculpt'.*'descent_paths'"):
        registry["sculpt"]
    with pytest.raises(KeyError):
        registry["no_such_figure"]


# The worker's entry point -------------------------------------------------


def test_handle_answers_a_good_request_with_the_figure():
    reply = json.loads(handle(json.dumps({"figure": "gradient_field", "params": {"grid": 7, "log": True}})))
    assert set(reply) == {"figure", "animating"} and not reply["animating"]
    assert reply["figure"] == render("gradient_field", grid=7, log=True)


@pytest.mark.parametrize("request_, named", [
    ({"figure": "no_such_figure", "params": {}}, "no_such_figure"),
    ({"figure": "gradient_field", "params": {"grid": 1000}}, "grid"),
    ({"figure": "gradient_field", "params": {"colour": "red"}}, "colour"),
])
def test_handle_answers_a_bad_request_with_an_error(request_, named):
    reply = json.loads(handle(json.dumps(request_)))
    assert set(reply) == {"error"}
    assert named in reply["error"]


# gradient_field, read back from its traces --------------------------------


def traces(fig: dict) -> dict:
    return {t["meta"]["role"]: t for t in fig["data"]}


def shafts(trace: dict) -> tuple[np.ndarray, np.ndarray]:
    """(tails, tips) of the arrows of a trace: arrow k is entries 7k..7k+6, its shaft 7k -> 7k+1."""
    xy = np.array([trace["x"], trace["y"]], dtype=float).T
    assert len(xy) % 7 == 0
    return xy[0::7], xy[1::7]


@pytest.mark.parametrize("grid", [5, 15, 41])
@pytest.mark.parametrize("log", [False, True])
def test_one_arrow_per_grid_point(grid, log):
    t = traces(render("gradient_field", grid=grid, log=log))
    assert len(t["arrows"]["x"]) + len(t["capped"]["x"]) == 7 * grid**2
    assert len(t["arrows"]["y"]) + len(t["capped"]["y"]) == 7 * grid**2


@pytest.mark.parametrize("target", [(0.6, 0.4), (-1.3, 1.1), (0.0, 0.0), (1.9, -1.9)])
@pytest.mark.parametrize("log", [False, True])
def test_arrows_near_the_target_point_towards_it(target, log):
    fig = render("gradient_field", point_x=target[0], point_y=target[1], log=log, grid=21)
    t = traces(fig)
    tails, tips = (np.concatenate(a) for a in zip(shafts(t["arrows"]), shafts(t["capped"])))
    shaft, to_target = tips - tails, np.array(target) - tails
    near = (np.linalg.norm(to_target, axis=1) <= 1.0) & (np.linalg.norm(shaft, axis=1) > 0)
    assert near.sum() >= 10
    dot = np.einsum("ij,ij->i", shaft[near], to_target[near])
    assert (dot > 0).all(), tails[near][dot <= 0]


def test_target_marker_sits_at_the_target():
    t = traces(render("gradient_field", point_x=-0.75, point_y=1.25))
    assert (t["target"]["x"], t["target"]["y"]) == ([-0.75], [1.25])


def test_log_field_is_capped_near_the_target_and_the_plain_one_is_not():
    target = np.array([0.6, 0.4])  # the default
    assert traces(render("gradient_field"))["capped"]["x"] == []

    tails, _ = shafts(traces(render("gradient_field", log=True))["capped"])
    assert len(tails) > 0
    assert (np.linalg.norm(tails - target, axis=1) < 1.0).any()
