r"""The activation gallery: each activation, its 1D Jacobian, and a table of their properties.

An activation acts element by element, :math:`\sigma(x)_i = \sigma(x_i)`, so
its Jacobian is the diagonal matrix :math:`\operatorname{diag}(\sigma'(x_i))`:
the scalar :math:`\sigma'` is all there is to look at.

``activation_gallery`` draws :math:`\sigma` and :math:`\sigma'` beside the
*blurred* derivative, the slope measured over a neighbourhood of width
:math:`h`:

.. math::

    \sigma'_h(x) = \frac{\sigma(x + h/2) - \sigma(x - h/2)}{h}
                 = \frac{1}{h} \int_{x - h/2}^{x + h/2} \sigma'(t)\, dt .

It is what a finite step sees. Training never moves a pre-activation by an
infinitesimal :math:`dx`: it moves it by a step :math:`\Delta x` of finite
size, and the output then changes by exactly
:math:`\sigma(x + \Delta x) - \sigma(x) = \Delta x \cdot \overline{\sigma'}`,
where :math:`\overline{\sigma'}` is the *mean* of :math:`\sigma'` over the
interval the step crosses (the fundamental theorem of calculus, the second
form above). So the slope that matters for a step of size :math:`h` is
:math:`\sigma'` averaged by a box of width :math:`h`: a kink is smeared into a
ramp, a flat region next to a slope is no longer dead near its edge
(ReLU's :math:`\sigma'_h(x) > 0` as soon as :math:`x > -h/2`), and fast
wiggles average out. As :math:`h \to 0` it tends to :math:`\sigma'(x)`.

``activation_table`` is the table "computed by the code": for every
registered activation, whether :math:`|\sigma'|` is bounded (and its sup), the
share of standard-normal inputs where :math:`\sigma' = 0` exactly, on which
side :math:`\sigma'` saturates to 0, and the measured cost per element in
numpy (read from the generated ``jacobiator/activation_costs.py``; renders
never time anything, so they stay deterministic).
"""

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np

from .. import activation_costs
from ..activations import ACTIVATIONS, Activation, get_activation, normal_cdf
from .palette import BRIGHT_ORANGE, GOOD_BAD, PERIWINKLE, PINK, TEAL, TEXT
from .plot import axis, base_layout, json_grid, json_list, legend_below, percent, title
from .schema import Choice, Figure, Float, Schema

# --- The blurred derivative -----------------------------------------------------

# Below this width the secant is rounding error (about eps |sigma| / h) rather
# than slope: use the exact derivative, which the secant tends to anyway.
H_EXACT = 1e-6


def blurred_derivative(act: Activation, x: np.ndarray, h: float) -> np.ndarray:
    r""":math:`\sigma'_h(x) = \frac{\sigma(x + h/2) - \sigma(x - h/2)}{h}`, the mean of
    :math:`\sigma'` over :math:`[x - h/2, x + h/2]`; :math:`\sigma'(x)` itself when h = 0."""
    x = np.asarray(x, dtype=float)
    if h < H_EXACT:
        return act.grad(x)
    return (act.fn(x + h / 2) - act.fn(x - h / 2)) / h


# --- Measured properties ---------------------------------------------------------

NEAR = 10.0  # |x| <= NEAR: where pre-activations live; sampled densely
NEAR_POINTS = 4001  # spacing 0.005: fine enough for the peak of any sigma' here
DECADES = (1e1, 1e2, 1e3, 1e4)  # sup |sigma'| over |x| <= R for these R
SHELL_POINTS = 2000  # per decade and side; oscillations are sampled at many phases
BOUNDED_GROWTH = 0.01  # bounded: the sup grows by less than 1 % over the last decade
SATURATED = 1e-3  # a side saturates when |sigma'| far out is below 1/1000 of its peak
ZERO_CELLS = 4000  # cells of width 0.005 over [-NEAR, NEAR] for the zero share


def near_points() -> np.ndarray:
    return np.linspace(-NEAR, NEAR, NEAR_POINTS)


def shell_points(lo: float, hi: float, side: int) -> np.ndarray:
    """SHELL_POINTS points of ``side`` * [lo, hi] (side = -1 or +1)."""
    return side * np.linspace(lo, hi, SHELL_POINTS)


@functools.cache  # activations are frozen dataclasses, hence hashable
def sup_profile(act: Activation) -> np.ndarray:
    r""":math:`M(R) = \sup_{|x| \le R} |\sigma'(x)|` for R in DECADES, sampled: the
    near grid plus, for every decade :math:`[R_{k-1}, R_k]`, a grid on both sides."""
    sups = [float(np.max(np.abs(act.grad(near_points()))))]
    for lo, hi in itertools.pairwise(DECADES):
        shell = np.concatenate([shell_points(lo, hi, -1), shell_points(lo, hi, +1)])
        sups.append(max(sups[-1], float(np.max(np.abs(act.grad(shell))))))
    profile = np.array(sups)
    profile.flags.writeable = False  # cached: nobody may change it
    return profile


def growth_exponent(act: Activation) -> float:
    r"""p in :math:`M(R) \sim R^p` over the last decade: :math:`\log_{10} M(10^4) / M(10^3)`.
    0 for a bounded :math:`\sigma'`; 1 when :math:`|\sigma'|` grows like :math:`|x|`."""
    m = sup_profile(act)
    return math.log10(m[-1] / m[-2]) if m[-2] > 0 else 0.0


def is_bounded(act: Activation) -> bool:
    """Whether sup |sigma'| has stopped growing: over |x| <= 10^4 it exceeds the sup
    over |x| <= 10^3 by less than BOUNDED_GROWTH. A growing sigma' (x^2, z cos z)
    gains a factor of about 10 over that decade."""
    m = sup_profile(act)
    return bool(m[-1] <= (1 + BOUNDED_GROWTH) * m[-2])


def far_slope(act: Activation, side: int) -> float:
    r""":math:`\max |\sigma'|` over :math:`x \in` side :math:`\cdot [10^3, 10^4]`."""
    return float(np.max(np.abs(act.grad(shell_points(DECADES[-2], DECADES[-1], side)))))


SATURATION_SIDES = {(True, True): "both", (True, False): "left", (False, True): "right", (False, False): "neither"}
SATURATION_TEXT = {"both": "both sides", "left": "x → −∞", "right": "x → +∞", "neither": "no"}


def saturation(act: Activation) -> str:
    r"""Where :math:`\sigma' \to 0`: "left" (:math:`x \to -\infty`), "right", "both" or
    "neither". A side saturates when :math:`|\sigma'|` over :math:`[10^3, 10^4]` on
    that side is below SATURATED times its peak near 0 (leaky ReLU's constant 0.01
    is not saturation; sigmoid's :math:`e^{-1000}` is)."""
    peak = sup_profile(act)[0]
    left, right = (far_slope(act, side) <= SATURATED * peak for side in (-1, +1))
    return SATURATION_SIDES[(left, right)]


@functools.cache
def normal_cells() -> tuple[np.ndarray, np.ndarray]:
    r"""The cells of width 2 NEAR / ZERO_CELLS tiling [-NEAR, NEAR]: their midpoints and
    their probabilities :math:`\Phi(b) - \Phi(a)` under N(0, 1). Cell edges fall on
    0, so a kink at 0 is an edge, never a midpoint."""
    edges = np.linspace(-NEAR, NEAR, ZERO_CELLS + 1)
    midpoints, probability = (edges[1:] + edges[:-1]) / 2, np.diff(normal_cdf(edges))
    midpoints.flags.writeable = probability.flags.writeable = False  # cached: nobody may change them
    return midpoints, probability


def exact_share(share: float) -> str:
    """A share in percent to 3 digits; below 10⁻⁹ (a tail where tanh rounds to ±1, at a
    threshold that differs between numpy builds) as "< 10⁻⁷ %"."""
    return "< 10⁻⁷ %" if 0 < share < 1e-9 else f"{100 * share:.3g} %"


def zero_share(act: Activation, h: float = 0.0) -> float:
    r""":math:`P(\sigma'_h(x) = 0)` for :math:`x \sim N(0, 1)`, from the normal CDF:
    the total probability of the cells whose midpoint has a (blurred, if h > 0)
    derivative exactly 0. Exact up to half a cell at each end of a zero interval
    (:math:`\varphi(0) \cdot 0.0025 < 0.001`) and the mass beyond :math:`|x| = 10`
    (:math:`10^{-23}`); an isolated zero (GELU's minimum) weighs nothing, as it should."""
    midpoints, probability = normal_cells()
    return float(probability[blurred_derivative(act, midpoints, h) == 0.0].sum())


@dataclass(frozen=True)
class Row:
    """One activation's measured properties: one row of the table."""

    key: str
    label: str
    sup: float  # sup |sigma'| over |x| <= 10^4 (sampled)
    bounded: bool
    growth: float  # exponent p of sup ~ R^p over the last decade
    zero_share: float
    saturation: str  # left / right / both / neither
    cost_value: float | None  # ns per element, None when not measured yet
    cost_grad: float | None


def row(act: Activation) -> Row:
    cost_value, cost_grad = act.cost_ns
    return Row(key=act.key, label=act.label, sup=float(sup_profile(act)[-1]), bounded=is_bounded(act),
               growth=growth_exponent(act), zero_share=zero_share(act), saturation=saturation(act),
               cost_value=cost_value, cost_grad=cost_grad)


@functools.cache
def rows() -> tuple[Row, ...]:
    """Every registered activation measured once (a few ms); renders only re-sort it."""
    return tuple(row(a) for a in ACTIVATIONS.values())


# --- activation_gallery -----------------------------------------------------------

CHOICES = tuple((k, a.label) for k, a in ACTIVATIONS.items())
CURVE_POINTS = 801  # includes x = 0, where the kinks are

GALLERY_SCHEMA = Schema(params=(
    Choice("activation", "activation σ", "relu", choices=CHOICES),
    Choice("compare", "compare with (dashed)", "tanh", choices=(("none", "none"),) + CHOICES),
    Float("h", "blur width h", 0.5, min=0.0, max=3.0, step=0.05,
          help="the slope is measured over [x − h/2, x + h/2]; 0 gives the exact derivative σ′"),
    Float("range", "x range ±", 5.0, min=2.0, max=10.0, step=0.5, help="half-width of the x axis"),
))

# (sigma and sigma', blurred) colours, readable on white and on the dark slate page.
MAIN_COLOURS = (PERIWINKLE, BRIGHT_ORANGE)
COMPARE_COLOURS = (TEAL, PINK)


def curve(x, y, name, colour, axes, dash="solid", width=2.2, hover="y") -> dict:
    return {"type": "scatter", "mode": "lines", "name": name, "x": json_list(x), "y": json_list(y),
            "xaxis": "x" + axes, "yaxis": "y" + axes, "meta": {"role": "curve"},
            "line": {"color": colour, "width": width, "dash": dash},
            "hovertemplate": f"x = %{{x:.2f}}<br>{hover} = %{{y:.3f}}<extra>{name}</extra>"}


def activation_traces(act: Activation, x: np.ndarray, h: float, colours, dash: str) -> list[dict]:
    """sigma on the left panel; sigma' and the blurred derivative on the right."""
    blur_name = f"{act.label}: blurred σ′, h = {h:g}" if h >= H_EXACT else f"{act.label}: h = 0, exact σ′"
    return [
        curve(x, act.fn(x), f"{act.label}: σ", colours[0], "", dash, hover="σ"),
        curve(x, act.grad(x), f"{act.label}: σ′", colours[0], "2", dash, hover="σ′"),
        curve(x, blurred_derivative(act, x, h), blur_name, colours[1], "2", dash, width=3.2, hover="σ′ₕ"),
    ]


def dead_note(act: Activation, h: float) -> str:
    """The zero share of sigma' and of its blur, as the right panel's title says it."""
    exact = zero_share(act, 0.0)
    if h < H_EXACT:
        return f"σ′ = 0 for {percent(exact, 0.01)} of N(0, 1) inputs"
    return f"σ′ = 0 for {percent(exact, 0.01)} of N(0, 1) inputs; σ′ₕ = 0 for {percent(zero_share(act, h), 0.01)}"


def compare_note(compare: str) -> str:
    return "" if compare == "none" else f"dashed: {get_activation(compare).label}"


def draw_gallery(params: dict) -> dict:
    act = get_activation(params["activation"])
    h, half = params["h"], params["range"]
    x = np.linspace(-half, half, CURVE_POINTS)
    data = activation_traces(act, x, h, MAIN_COLOURS, "solid")
    if params["compare"] != "none":
        data += activation_traces(get_activation(params["compare"]), x, h, COMPARE_COLOURS, "dash")
    blur = f"and its blur σ′ₕ over width h = {h:g}" if h >= H_EXACT else "(h = 0: exact)"
    layout = base_layout(
        xaxis=axis("x", (-half, half), lines=True, domain=[0, 0.46]),
        yaxis=axis("σ(x)", lines=True),
        xaxis2=axis("x", (-half, half), lines=True, domain=[0.54, 1], anchor="y2"),
        yaxis2=axis("σ′(x)", lines=True, anchor="x2"),
        annotations=[title(f"σ(x): {act.label}", 0.23, sub=compare_note(params["compare"])),
                     title(f"σ′(x), the 1D Jacobian, {blur}", 0.77, sub=dead_note(act, h))],
        legend=legend_below(-0.18, yanchor="top", font={"size": 11}),
        margin={"l": 50, "r": 10, "t": 50, "b": 40},
        height=440,
        showlegend=True,
    )
    return {"data": data, "layout": layout}


# --- activation_table -------------------------------------------------------------

SORTS = (("registry", "as in the article"), ("name", "by name"),
         ("cost", "by cost (cheapest first)"), ("zero_share", "by zero share (fewest zeros first)"))

TABLE_SCHEMA = Schema(params=(Choice("sort", "sort rows", "registry", choices=SORTS),))

SORT_KEYS = {
    "registry": lambda r: 0,  # sorted() is stable: the registry's order
    "name": lambda r: r.label.casefold(),
    "cost": lambda r: (r.cost_value or math.inf) + (r.cost_grad or math.inf),
    "zero_share": lambda r: r.zero_share,
}

COLUMNS = ("sup |σ′|<br>(∞: unbounded)", "P(σ′ = 0)<br>x ~ N(0, 1)", "σ′ → 0<br>saturates",
           "σ cost<br>ns / element", "σ′ cost<br>ns / element")
SATURATION_SCORE = {"neither": 0.0, "left": 0.5, "right": 0.5, "both": 1.0}
ROW_PX = 26


def bound_cell(r: Row) -> tuple[str, float, str]:
    """(text, badness, hover): unbounded is bad; a sup above 1 can amplify with depth."""
    # Short cells (a number is bounded, ∞ is not): on a phone the table's columns are ~50 px wide.
    if not r.bounded:
        return (f"∞ ~|x|^{round(r.growth, 1):g}", 1.0,
                f"unbounded: sup over |x| ≤ R grows like R^{r.growth:.2f}; {r.sup:.3g} at R = 10⁴")
    return (f"{r.sup:.3g}", 0.0 if r.sup <= 1 + 1e-9 else 0.35,
            f"bounded: sup |σ′| = {r.sup:.4g}, the same over |x| ≤ 10³ and |x| ≤ 10⁴")


def zero_cell(r: Row) -> tuple[str, float, str]:
    return (percent(r.zero_share, 0.01), min(1.0, r.zero_share / 0.5),
            f"σ′(x) = 0 exactly (in float64) for {exact_share(r.zero_share)} of x ~ N(0, 1)")


def saturation_cell(r: Row) -> tuple[str, float, str]:
    return (SATURATION_TEXT[r.saturation], SATURATION_SCORE[r.saturation],
            f"|σ′| for 10³ ≤ |x| ≤ 10⁴ below {SATURATED:g} × its peak: {SATURATION_TEXT[r.saturation]}")


def cost_cell(cost: float | None, all_costs: list[float], what: str) -> tuple[str, float, str]:
    """Badness on a log scale from the cheapest to the dearest of the column."""
    if cost is None:
        return "not measured", 1.0, "run scripts/activation_cost.py"
    lo, hi = min(all_costs), max(all_costs)
    badness = math.log(cost / lo) / math.log(hi / lo) if hi > lo else 0.0
    return f"{cost:.2g}" if cost < 10 else f"{cost:.0f}", badness, f"{what}: {cost:.3g} ns per element"


def cells(table: list[Row]) -> list[list[tuple[str, float, str]]]:
    values = [r.cost_value for r in table if r.cost_value]
    grads = [r.cost_grad for r in table if r.cost_grad]
    return [[bound_cell(r), zero_cell(r), saturation_cell(r),
             cost_cell(r.cost_value, values, "σ(x)"), cost_cell(r.cost_grad, grads, "σ′(x)")] for r in table]


def sources() -> str:
    m = activation_costs.MEASURED_ON
    cell = 2 * NEAR / ZERO_CELLS
    return (f"sup over |x| ≤ 10⁴ · P(σ′ = 0) exact from the normal CDF, over cells of {cell:g}<br>"
            f"cost: median of {activation_costs.REPEATS} runs on {activation_costs.ELEMENTS:,} floats, "
            f"numpy {m['numpy']}, {m['cpu']}<br>(scripts/activation_cost.py, {m['date']})")


def draw_table(params: dict) -> dict:
    table = sorted(rows(), key=SORT_KEYS[params["sort"]])
    grid = cells(table)
    labels = [r.label for r in table]
    trace = {
        "type": "heatmap", "x": list(COLUMNS), "y": labels, "meta": {"role": "table"},
        "z": json_grid([[c[1] for c in line] for line in grid], 3),
        "text": [[c[0] for c in line] for line in grid],
        "hovertext": [[c[2] for c in line] for line in grid],
        "texttemplate": "%{text}", "textfont": {"size": 12, "color": TEXT},
        "hovertemplate": "<b>%{y}</b><br>%{hovertext}<extra></extra>",
        "colorscale": GOOD_BAD, "zmin": 0, "zmax": 1, "showscale": False, "xgap": 2, "ygap": 2,
    }
    heading = title(f"Activations, measured by the code<br><span style='font-size:10px'>{sources()}</span>", 0.5,
                    yshift=44, font={"size": 13})
    layout = base_layout(
        xaxis={"side": "top", "type": "category", "fixedrange": True, "showgrid": False, "zeroline": False,
               "tickfont": {"size": 11}},
        yaxis={"type": "category", "autorange": "reversed", "fixedrange": True, "showgrid": False,
               "zeroline": False, "tickfont": {"size": 12}},
        annotations=[heading],
        margin={"l": 140, "r": 10, "t": 124, "b": 10},
        height=min(480, max(300, 134 + ROW_PX * len(table))),
        showlegend=False,
    )
    return {"data": [trace], "layout": layout}


FIGURES = [
    Figure("activation_gallery", "An activation, its derivative and its blurred derivative", GALLERY_SCHEMA,
           draw_gallery),
    Figure("activation_table", "Activation properties, computed by the code", TABLE_SCHEMA, draw_table),
]
