r"""Backpropagation as a chain of vector–Jacobian products, drawn.

Left: the values a small net computes on its way forward (x, each layer's z and a,
ŷ), and below them the vectors the backward pass carries from ∂L/∂ŷ back to ∂L/∂x,
one VJP per step; optionally the forward-mode JVP along the input's first axis.
The title checks the chain's ∂L/∂x against Jᵀ∇ŷL with the Jacobian formed. Right:
what each costs, in multiply–adds, for a square net of width W (its hidden layers as set).
"""

import numpy as np

from ..activations import ACTIVATIONS, get_activation
from ..chain import forward, jacobian, jacobian_cost, jvp_chain, loss_grad, random_chain, vjp_chain, vjp_cost
from .palette import BLUE, ORANGE, PAPER, RED
from .plot import axis, base_layout, fmt, json_list, legend_below, title
from .schema import Bool, Choice, Figure, Float, Int, Schema

TARGET = np.array([0.5, -0.5])
SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
# Multiply–adds are compared for square nets of these widths.
COST_WIDTHS = [2 ** k for k in range(1, 11)]
DIVERGING = [[0, BLUE], [0.5, PAPER], [1, RED]]

SCHEMA = Schema(params=(
    Float("x1", "input x₁", 0.8, min=-2.0, max=2.0, step=0.05),
    Float("x2", "input x₂", -0.4, min=-2.0, max=2.0, step=0.05),
    Choice("activation", "activation σ", "tanh", choices=tuple((k, a.label) for k, a in ACTIVATIONS.items())),
    Int("depth", "hidden layers H", 2, min=1, max=3),
    Int("width", "hidden width", 3, min=2, max=5),
    Bool("jvp", "show the forward JVP (along x₁)", False),
    Int("seed", "weights seed", 0, min=0, max=99),
))


def stage_names(depth: int, prefix: str = "") -> list[str]:
    """x, z₁, a₁, …, z_H, a_H, ŷ (pre-activations z, outputs a, as in the notation box), each as ``prefix`` + name (``∂L/∂`` for the backward row)."""
    names = ["x"] + [f"{n}{k}".translate(SUBSCRIPT) for k in range(1, depth + 1) for n in ("z", "a")] + ["ŷ"]
    return [prefix + n for n in names]


def block(vectors: list[np.ndarray], names: list[str], rows: int, xaxis: str, yaxis: str, label: str) -> dict:
    """One row of the chain as a heatmap: a column per stage, a cell per component, its value written in."""
    z = np.full((rows, len(vectors)), np.nan)
    for j, v in enumerate(vectors):
        z[: len(v), j] = v
    text = [[("" if np.isnan(c) else fmt(c, 2)) for c in row] for row in z]
    scale = float(np.nanmax(np.abs(z))) or 1.0
    return {"type": "heatmap", "name": label, "x": names, "y": list(range(1, rows + 1)),
            "z": [json_list(row) for row in z], "text": text, "texttemplate": "%{text}",
            "zmin": -scale, "zmax": scale, "colorscale": DIVERGING, "showscale": False,
            "xgap": 3, "ygap": 3, "xaxis": xaxis, "yaxis": yaxis, "meta": {"role": "matrix"},
            "hovertemplate": "%{x}, component %{y}: %{z:.4g}<extra>" + label + "</extra>"}


def operations(depth: int, backward: bool) -> list[tuple[float, str]]:
    """The step between neighbouring columns, as the arrow's label: W_k then σ going forward;
    W_kᵀ and ⊙ σ′(z_k) coming back."""
    steps = []
    for k in range(1, depth + 1):
        w = f"W{k}".translate(SUBSCRIPT)
        steps += [(2 * k - 1.5, f"← {w}ᵀ" if backward else f"{w} →"),
                  (2 * k - 0.5, f"← ⊙σ′(z{k})".translate(SUBSCRIPT) if backward else "σ →")]
    steps.append((2 * depth + 0.5, "← W_outᵀ" if backward else "W_out →"))
    return steps


def cost_traces(depth: int) -> list[dict]:
    """Multiply–adds to ∇ₓL for square nets (input, hidden layers and output all as wide)."""
    common = {"type": "scatter", "mode": "lines+markers", "x": COST_WIDTHS, "xaxis": "x4", "yaxis": "y4",
              "hovertemplate": "width %{x}: %{y:.3s} multiply–adds<extra>%{fullData.name}</extra>"}
    widths = [[h] * (depth + 2) for h in COST_WIDTHS]
    return [
        common | {"name": "VJP chain (backprop)", "y": [vjp_cost(w) for w in widths],
                  "line": {"color": BLUE}, "meta": {"role": "curve"}},
        common | {"name": "form J, then Jᵀ∇L", "y": [jacobian_cost(w) for w in widths],
                  "line": {"color": ORANGE, "dash": "dash"}, "meta": {"role": "reference"}},
    ]


def agreement(chained: np.ndarray, formed: np.ndarray) -> str:
    """How far the VJP chain and Jᵀ∇L agree: to rounding (all a title needs), or the gap."""
    gap = float(np.max(np.abs(chained - formed)))
    return "equal to rounding" if gap <= 1e-12 * max(1.0, float(np.max(np.abs(formed)))) else f"differ by {fmt(gap)}"


def draw(params: dict) -> dict:
    depth = params["depth"]
    chain = random_chain(get_activation(params["activation"]), n_in=2, width=params["width"], depth=depth,
                         n_out=2, seed=params["seed"])
    fwd = forward(chain, np.array([params["x1"], params["x2"]]))
    back = vjp_chain(chain, fwd, loss_grad(fwd.y_hat, TARGET))
    rows = max(chain.widths)
    interleave = lambda first, pre, post, last: [first, *[v for pair in zip(pre, post) for v in pair], last]  # noqa: E731
    data = [block(interleave(fwd.x, fwd.pre, fwd.post, fwd.y_hat), stage_names(depth), rows, "x", "y", "forward"),
            block(interleave(back.d_x, back.d_pre, back.d_post, back.d_y_hat), stage_names(depth, "∂L/∂"), rows,
                  "x2", "y2", "backward (VJPs)")]
    panels = [("y", "forward: the values", False), ("y2", "backward: one VJP per step, from ∂L/∂ŷ = ŷ − y", True)]
    if params["jvp"]:
        tangents, d = [np.array([1.0, 0.0])], np.array([1.0, 0.0])
        pre, post = [], []
        for w, z in zip(chain.hidden, fwd.pre):
            d = w @ d
            pre.append(d)
            d = chain.activation.grad(z) * d
            post.append(d)
        tangents = interleave(tangents[0], pre, post, jvp_chain(chain, fwd, np.array([1.0, 0.0])))
        data.append(block(tangents, stage_names(depth, "∂/∂x₁ "), rows, "x3", "y3", "forward JVP"))
        panels.append(("y3", "forward mode: one JVP per step, from v = (1, 0)", False))
    data += cost_traces(depth)

    formed = jacobian(chain, fwd).T @ back.d_y_hat
    vector = lambda v: "(" + ", ".join(fmt(c, 3) for c in v) + ")"  # noqa: E731
    # Two short lines rather than one long one: the title must fit a phone's width too.
    heading = (f"∂L/∂x by VJPs: {vector(back.d_x)}<br>"
               f"Jᵀ∇ŷL, J formed: {vector(formed)}, {agreement(back.d_x, formed)}")
    this_net = f"{vjp_cost(chain.widths)} multiply–adds by VJPs, {jacobian_cost(chain.widths)} forming J"

    # Stacked blocks in the left 62 %, the cost plot on the right.
    n = len(panels)
    # The gap holds a block's step labels, the next block's title and its column names.
    gap, top = 0.24, 0.9
    height = (top - gap * (n - 1)) / n
    layout = base_layout(height=220 + 180 * n, margin={"l": 40, "r": 10, "t": 90, "b": 70}, showlegend=True,
                         legend=legend_below(-0.08, yanchor="top", font={"size": 11}))
    # Centred over the blocks (it is about them): on a phone, where the cost plot goes below
    # them, it stays with them and centred, rather than a whole-figure title pushed off centre.
    annotations = [title(heading, 0.31, 1.0, sub=f"L = ½‖ŷ − y‖², y = (0.5, −0.5)<br>{this_net}", yshift=26)]
    for i, (yaxis, caption, backward) in enumerate(panels):
        suffix = yaxis[1:]
        low = top - (i + 1) * height - i * gap
        layout[f"xaxis{suffix}"] = axis("", domain=[0, 0.62], anchor=yaxis, side="top", tickangle=0)
        layout[f"yaxis{suffix}"] = axis("", domain=[low, low + height], anchor=f"x{suffix}", autorange="reversed",
                                        showticklabels=False, ticks="")
        annotations.append(title(caption, 0.31, low + height, yshift=22))
        # The steps' labels sit under the block, between the columns they join.
        annotations += [{"text": op, "x": x, "y": rows + 0.5, "xref": f"x{suffix}", "yref": yaxis,
                         "yanchor": "top", "showarrow": False, "font": {"size": 10}}
                        for x, op in operations(depth, backward)]
    layout["xaxis4"] = axis("width W (all layers)", type="log", domain=[0.72, 1], anchor="y4",
                            tickvals=COST_WIDTHS[::2])
    layout["yaxis4"] = axis("multiply–adds to ∇ₓL", type="log", domain=[0.05, top], anchor="x4",
                            exponentformat="power")
    layout["annotations"] = annotations
    return {"data": data, "layout": layout}


FIGURES = [Figure("vjp_chain", "Backpropagation as a chain of vector–Jacobian products", SCHEMA, draw,
                  primary=("x1", "x2", "activation", "depth", "jvp"))]  # what the text asks the reader to try
