r"""Activation functions as pairs: :math:`\sigma` and its derivative :math:`\sigma'`.

Each acts element by element, :math:`\sigma(x)_i = \sigma(x_i)`, so its
Jacobian is diagonal and :math:`\sigma'` is all of it. Everything is numpy,
including the error function that the exact GELU needs (numpy has none).
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import activation_costs

Array = np.ndarray
SQRT_2 = np.sqrt(2.0)
SQRT_2_PI = np.sqrt(2.0 * np.pi)
LEAK = 0.01  # Leaky ReLU's slope for x < 0
RIPPLE = 8.0  # the ripple's frequency k: sin(kx)/k, about 2.5 wiggles per unit of x


@dataclass(frozen=True)
class Activation:
    key: str
    label: str
    formula: str  # LaTeX
    fn: Callable[[Array], Array]
    grad: Callable[[Array], Array]
    monotone: bool  # then one neuron sigma(w.x + b) cuts the plane along a line, and cannot do XOR
    colour: str  # its colour in every figure: a mid-tone (Open Color 6-8) that reads on white and on slate
    short: str = ""  # a tick label short enough for twelve side by side (default: the label)

    @property
    def tick(self) -> str:
        return self.short or self.label

    @property
    def cost_ns(self) -> tuple[float | None, float | None]:
        """ns per element of sigma and of sigma' in CPython numpy, as scripts/activation_cost.py
        measured them (it writes activation_costs.py); None where not measured yet."""
        cost = activation_costs.COST_NS.get(self.key, {})
        return cost.get("value"), cost.get("grad")


# The coefficients of erfc's Chebyshev fit (Numerical Recipes, erfcc): its
# fractional error is below 1.2e-7 everywhere.
_ERFC = (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
         0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277)


def erf(x: Array) -> Array:
    r""":math:`\operatorname{erf}(x) = \frac{2}{\sqrt{\pi}} \int_0^x e^{-t^2} dt`, to about 1.2e-7."""
    x = np.asarray(x, dtype=float)
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    # Horner's rule in place: erf is most of a GELU network's training time,
    # and fresh temporaries at every term cost as much as the arithmetic.
    poly = np.full_like(t, _ERFC[-1])
    for c in reversed(_ERFC[1:-1]):
        poly *= t
        poly += c
    poly *= t
    poly += _ERFC[0]
    z *= z
    poly -= z
    np.exp(poly, out=poly)
    poly *= t  # erfc(|x|)
    np.subtract(1.0, poly, out=poly)
    poly *= np.sign(x)
    return poly


def relu(x):
    r""":math:`\max(0, x)`."""
    return np.maximum(0.0, x)


def relu_grad(x):
    r""":math:`1_{x > 0}` (0 at the kink, by convention)."""
    return (x > 0).astype(float)


def leaky_relu(x):
    r""":math:`\max(x, a x)` with :math:`a = 0.01`."""
    return np.where(x > 0, x, LEAK * x)


def leaky_relu_grad(x):
    r""":math:`1` for :math:`x > 0`, else :math:`a`."""
    return np.where(x > 0, 1.0, LEAK)


def sigmoid(x):
    r""":math:`\frac{1}{1 + e^{-x}} = \frac{1}{2}\left(1 + \tanh\frac{x}{2}\right)` (no overflow)."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def sigmoid_grad(x):
    r""":math:`\sigma(x)(1 - \sigma(x))`."""
    s = sigmoid(x)
    return s * (1.0 - s)


def softplus(x):
    r""":math:`\log(1 + e^x)`, computed as :math:`\log(e^0 + e^x)` without overflow."""
    return np.logaddexp(0.0, x)


def tanh_grad(x):
    r""":math:`1 - \tanh^2 x`."""
    return 1.0 - np.tanh(x) ** 2


def elu(x):
    r""":math:`x` for :math:`x > 0`, else :math:`e^x - 1`."""
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))


def elu_grad(x):
    r""":math:`1` for :math:`x > 0`, else :math:`e^x`."""
    return np.where(x > 0, 1.0, np.exp(np.minimum(x, 0.0)))


def normal_cdf(x):
    r""":math:`\Phi(x) = \frac{1}{2}\left(1 + \operatorname{erf}\frac{x}{\sqrt 2}\right)`."""
    return 0.5 * (1.0 + erf(x / SQRT_2))


def gelu(x):
    r""":math:`x\,\Phi(x)`, the exact GELU."""
    return x * normal_cdf(x)


def gelu_grad(x):
    r""":math:`\Phi(x) + x\,\varphi(x)` with :math:`\varphi(x) = e^{-x^2/2} / \sqrt{2\pi}`."""
    return normal_cdf(x) + x * np.exp(-0.5 * x * x) / SQRT_2_PI


_K = np.sqrt(2.0 / np.pi)


def gelu_tanh(x):
    r""":math:`\frac{x}{2}\left(1 + \tanh\left(\sqrt{2/\pi}\,(x + 0.044715 x^3)\right)\right)`."""
    return 0.5 * x * (1.0 + np.tanh(_K * (x + 0.044715 * x**3)))


def gelu_tanh_grad(x):
    r""":math:`\frac{1}{2}(1 + \tanh u) + \frac{x}{2}(1 - \tanh^2 u)\,\sqrt{2/\pi}\,(1 + 3 \cdot 0.044715 x^2)`,
    :math:`u = \sqrt{2/\pi}(x + 0.044715 x^3)`."""
    th = np.tanh(_K * (x + 0.044715 * x**3))
    return 0.5 * (1.0 + th) + 0.5 * x * (1.0 - th**2) * _K * (1.0 + 3 * 0.044715 * x**2)


def silu(x):
    r""":math:`x\,\sigma(x)` (also called swish)."""
    return x * sigmoid(x)


def silu_grad(x):
    r""":math:`\sigma(x) + x\,\sigma(x)(1 - \sigma(x))`."""
    s = sigmoid(x)
    return s + x * s * (1.0 - s)


def square(x):
    r""":math:`x^2`, the simplest polynomial activation."""
    return x * x


def square_grad(x):
    r""":math:`2x`."""
    return 2.0 * x


def zcosz(x):
    r""":math:`z \cos z`, an oscillating activation (Noel et al. 2021) with which one neuron separates XOR."""
    return x * np.cos(x)


def zcosz_grad(x):
    r""":math:`\cos z - z \sin z`."""
    return np.cos(x) - x * np.sin(x)


def ripple(x):
    r""":math:`\frac{1}{k} \sin kx` with :math:`k = 8`: a wiggle that moves a value by at most
    :math:`1/k` but swings the derivative by :math:`\pm 1`, whatever :math:`k`. Added to a simple
    activation it makes a "complex" one with the same overall shape."""
    return np.sin(RIPPLE * x) / RIPPLE


def ripple_grad(x):
    r""":math:`\cos kx`."""
    return np.cos(RIPPLE * x)


def relu_ripple(x):
    r""":math:`\max(0, x) + \frac{1}{8} \sin 8x`."""
    return relu(x) + ripple(x)


def relu_ripple_grad(x):
    r""":math:`1_{x > 0} + \cos 8x`."""
    return relu_grad(x) + ripple_grad(x)


def gelu_ripple(x):
    r""":math:`x\,\Phi(x) + \frac{1}{8} \sin 8x`."""
    return gelu(x) + ripple(x)


def gelu_ripple_grad(x):
    r""":math:`\Phi(x) + x\,\varphi(x) + \cos 8x`."""
    return gelu_grad(x) + ripple_grad(x)


def tanh_ripple(x):
    r""":math:`\tanh x + \frac{1}{8} \sin 8x`."""
    return np.tanh(x) + ripple(x)


def tanh_ripple_grad(x):
    r""":math:`1 - \tanh^2 x + \cos 8x`."""
    return tanh_grad(x) + ripple_grad(x)


ACTIVATIONS: dict[str, Activation] = {
    a.key: a
    for a in [
        Activation("relu", "ReLU", r"\max(0, x)", relu, relu_grad, True, "#e8590c"),
        Activation("leaky_relu", "Leaky ReLU", r"\max(x, 0.01x)", leaky_relu, leaky_relu_grad, True, "#f59f00",
                   "leaky"),
        Activation("softplus", "Softplus", r"\log(1 + e^x)", softplus, sigmoid, True, "#ae3ec9"),
        Activation("sigmoid", "sigmoid", r"\frac{1}{1 + e^{-x}}", sigmoid, sigmoid_grad, True, "#7950f2"),
        Activation("tanh", "tanh", r"\tanh x", np.tanh, tanh_grad, True, "#4c6ef5"),
        Activation("elu", "ELU", r"x \text{ if } x > 0 \text{ else } e^x - 1", elu, elu_grad, True, "#1c7ed6"),
        Activation("gelu", "GELU", r"x\,\Phi(x)", gelu, gelu_grad, False, "#1098ad"),
        Activation("gelu_tanh", "GELU (tanh approx.)",
                   r"\tfrac{x}{2}\bigl(1 + \tanh(\sqrt{2/\pi}(x + 0.044715x^3))\bigr)", gelu_tanh, gelu_tanh_grad,
                   False, "#74b816", "GELU~"),
        Activation("silu", "SiLU", r"x\,\sigma(x)", silu, silu_grad, False, "#37b24d"),
        Activation("sin", "sin", r"\sin x", np.sin, np.cos, False, "#d6336c"),
        Activation("square", "x² (polynomial)", r"x^2", square, square_grad, False, "#868e96", "x²"),
        Activation("zcosz", "z cos z", r"z \cos z", zcosz, zcosz_grad, False, "#0ca678"),
        # Three simple ones with a ripple added (the "complex" twins), each in a darker colour near its base's
        Activation("relu_ripple", "ReLU + ripple", r"\max(0, x) + \tfrac18 \sin 8x", relu_ripple, relu_ripple_grad,
                   False, "#c92a2a", "ReLU+r"),
        Activation("gelu_ripple", "GELU + ripple", r"x\,\Phi(x) + \tfrac18 \sin 8x", gelu_ripple, gelu_ripple_grad,
                   False, "#0b7285", "GELU+r"),
        Activation("tanh_ripple", "tanh + ripple", r"\tanh x + \tfrac18 \sin 8x", tanh_ripple, tanh_ripple_grad,
                   False, "#364fc7", "tanh+r"),
    ]
}


def get_activation(key: str) -> Activation:
    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {key!r}; choose one of: {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[key]
