r"""Backpropagation as a chain of vector–Jacobian products.

A small fully connected net

.. math::

    z_k = W_k a_{k-1}, \quad a_k = \sigma(z_k) \quad (k = 1 \dots H), \qquad
    \hat y = W_{\text{out}} a_H, \qquad L = \tfrac12 \lVert \hat y - y \rVert^2,

with :math:`a_0 = x` (column vectors here; the article writes rows, :math:`z_k = a_{k-1} W_k`). Its Jacobian :math:`J = \partial \hat y / \partial x` is the
product of the layers' Jacobians, :math:`W_{\text{out}} \operatorname{diag}\sigma'(z_H) W_H
\cdots \operatorname{diag}\sigma'(z_1) W_1`. Backpropagation never forms it: it
carries the row vector :math:`g^\top = \nabla_{\hat y} L^\top` back through the
chain, one vector–Jacobian product (VJP) per layer, :math:`g \leftarrow W^\top g`
and :math:`g \leftarrow \sigma'(z) \odot g`, and ends on :math:`J^\top \nabla_{\hat y} L
= \nabla_x L`. The forward-mode twin, the Jacobian–vector product (JVP), carries a
direction :math:`v` of the input forward and ends on :math:`J v`.
"""

from dataclasses import dataclass

import numpy as np

from .activations import Activation


@dataclass(frozen=True)
class Chain:
    """The net's weights: ``hidden[k]`` maps layer k's input to its pre-activation
    (no biases: they add nothing to the Jacobians), ``out`` maps the last hidden layer to ŷ."""

    hidden: tuple[np.ndarray, ...]
    out: np.ndarray
    activation: Activation

    @property
    def widths(self) -> list[int]:
        """d₀ (the input), the hidden widths, then the output's."""
        return [self.hidden[0].shape[1]] + [w.shape[0] for w in self.hidden] + [self.out.shape[0]]


def random_chain(activation: Activation, n_in: int, width: int, depth: int, n_out: int, seed: int) -> Chain:
    """Gaussian weights scaled by 1/√fan-in, so the values stay of order one along the chain."""
    rng = np.random.default_rng(seed)
    sizes = [n_in] + [width] * depth
    hidden = tuple(rng.standard_normal((d_out, d_in)) / np.sqrt(d_in) for d_in, d_out in zip(sizes, sizes[1:]))
    return Chain(hidden, rng.standard_normal((n_out, width)) / np.sqrt(width), activation)


@dataclass(frozen=True)
class Forward:
    """The forward pass: each layer's pre-activation and output, and the prediction."""

    x: np.ndarray
    pre: tuple[np.ndarray, ...]   # z_k
    post: tuple[np.ndarray, ...]  # a_k = σ(z_k)
    y_hat: np.ndarray


def forward(chain: Chain, x: np.ndarray) -> Forward:
    x = np.asarray(x, dtype=float)
    if x.shape != (chain.widths[0],):
        raise ValueError(f"x must be a vector of {chain.widths[0]} numbers, got shape {x.shape}")
    a, pre, post = x, [], []
    for w in chain.hidden:
        z = w @ a
        a = chain.activation.fn(z)
        pre.append(z)
        post.append(a)
    return Forward(x, tuple(pre), tuple(post), chain.out @ a)


def loss(y_hat: np.ndarray, y: np.ndarray) -> float:
    r"""L = ½‖ŷ − y‖²."""
    return 0.5 * float(np.sum((y_hat - y) ** 2))


def loss_grad(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""∇_ŷ L = ŷ − y: where backpropagation starts."""
    return y_hat - y


@dataclass(frozen=True)
class Backward:
    """The vectors a backward pass carries: ∂L/∂ŷ, then for each layer from the
    last, ∂L/∂a_k and ∂L/∂z_k, and last ∂L/∂x."""

    d_y_hat: np.ndarray
    d_post: tuple[np.ndarray, ...]  # ∂L/∂a_k, layer order (k = 1 … H)
    d_pre: tuple[np.ndarray, ...]   # ∂L/∂z_k, layer order
    d_x: np.ndarray


def vjp_chain(chain: Chain, fwd: Forward, g: np.ndarray) -> Backward:
    """Carry the row vector ``g`` (∂L/∂ŷ) back through the chain, one VJP per step:
    a matrix transposed times a vector, or an elementwise product; no Jacobian is formed."""
    d_post, d_pre = [], []
    d = chain.out.T @ g                      # through ŷ = W_out a_H
    for w, z in zip(reversed(chain.hidden), reversed(fwd.pre)):
        d_post.append(d)
        d = chain.activation.grad(z) * d     # through a = σ(z): diag σ'(z) is never built
        d_pre.append(d)
        d = w.T @ d                          # through z = W a
    return Backward(np.asarray(g, dtype=float), tuple(reversed(d_post)), tuple(reversed(d_pre)), d)


def jvp_chain(chain: Chain, fwd: Forward, v: np.ndarray) -> np.ndarray:
    """J v: the input's direction ``v`` carried forward, one JVP per step."""
    d = np.asarray(v, dtype=float)
    for w, z in zip(chain.hidden, fwd.pre):
        d = chain.activation.grad(z) * (w @ d)
    return chain.out @ d


def jacobian(chain: Chain, fwd: Forward) -> np.ndarray:
    """J = ∂ŷ/∂x formed as a matrix, the product of every layer's Jacobian: what backpropagation avoids."""
    j = np.eye(chain.widths[0])
    for w, z in zip(chain.hidden, fwd.pre):
        j = chain.activation.grad(z)[:, None] * (w @ j)
    return chain.out @ j


def vjp_cost(widths: list[int]) -> int:
    """Multiply–adds of one backward pass to ∇ₓL: a (d_k × d_{k−1}) transpose times a vector per
    layer, and one product per unit for σ'(z) ⊙ g."""
    return sum(a * b for a, b in zip(widths, widths[1:])) + sum(widths[1:-1])


def jacobian_cost(widths: list[int]) -> int:
    """Multiply–adds to form J = J_L ⋯ J_1 and then take Jᵀ∇L, in the cheaper of the two orders
    (from the input side, each product costs d_k d_{k−1} d₀; from the output side, d_L d_k d_{k−1}),
    counting the diag σ'(z) scalings of each layer's matrix."""
    n_in, n_out = widths[0], widths[-1]
    pairs = list(zip(widths, widths[1:]))
    scalings = sum(a * b for a, b in pairs[:-1])  # each hidden layer's diag(σ') W
    from_input = sum(a * b * n_in for a, b in pairs[1:])
    from_output = sum(a * b * n_out for a, b in pairs[:-1])
    return scalings + min(from_input, from_output) + n_in * n_out
