r"""The Log-Lin-Exp network: products of its inputs, signs included.

A Log-Lin-Exp layer takes the complex logarithm of its inputs, mixes them
linearly, and exponentiates:

.. math::

    m_k = \exp\Bigl(\sum_j W_{kj} \log u_j\Bigr) = \prod_j u_j^{W_{kj}},
    \qquad y = M\, \operatorname{Re}(m) + c .

A sum in the log domain is a product. The logarithm is the principal complex
one, :math:`\log u = \log|u| + i\pi` for :math:`u < 0` (:math:`\sigma: \mathbb{C}
\to \mathbb{C}`, as the original notes put it), so with integer exponents the
signs come out right: :math:`\exp(\log(-a) + \log(-b)) = e^{2\pi i} ab = ab`.
The linear layer M then sums the monomials. Any polynomial, the gradients of
a bilinear :math:`f(x, A) = Ax` among them, is such a net with integer W.

Backward, with :math:`G = \partial L / \partial \operatorname{Re}(m) = (\partial L/\partial y)\, M`:

.. math::

    \frac{\partial L}{\partial M} = \Bigl(\frac{\partial L}{\partial y}\Bigr)^{\!\top} \operatorname{Re}(m),
    \qquad
    \frac{\partial L}{\partial W_{kj}} = \sum_b G_{bk}\, \operatorname{Re}(m_{bk} \log u_{bj}),

since :math:`\partial m_k / \partial W_{kj} = m_k \log u_j` and W is real.
Relatives: NALU's multiplicative path (Trask et al. 2018) takes
:math:`\exp(W \log(|u| + \epsilon))` and so loses every sign; Neural Power
Units (Heim, Pevný and Šmídl 2020) keep them with complex arithmetic, complex
weights and a relevance gate on each input. This layer is closest to their
RealNPU (real weights): no gate, and an exact zero input is moved to the
smallest positive float instead.
"""

from dataclasses import dataclass

import numpy as np

Array = np.ndarray

# log 0 is -inf, and 0 * -inf is NaN in the exponent: an exact zero input is
# moved to the smallest normal float, whose logarithm (-708) is still finite.
TINY = np.finfo(float).tiny


@dataclass
class LogLinExp:
    W: Array  # (K, n): the exponents of K monomials of n inputs
    M: Array  # (out, K)
    c: Array  # (out,)

    @property
    def params(self) -> list[Array]:
        return [self.W, self.M, self.c]


def init_lle(n_in: int, monomials: int, n_out: int, rng: np.random.Generator, exponent_scale: float = 0.3) -> LogLinExp:
    """Small random exponents (monomials start near 1), a linear read-out scaled like a dense layer's."""
    return LogLinExp(rng.normal(0.0, exponent_scale, (monomials, n_in)),
                     rng.normal(0.0, 1.0 / np.sqrt(monomials), (n_out, monomials)), np.zeros(n_out))


def complex_log(u: Array) -> tuple[Array, Array]:
    """The principal complex logarithm of real or complex inputs as (real part log|u|, imaginary part arg u)."""
    u = np.where(u == 0, TINY, u)
    return np.log(np.abs(u)), np.angle(u)


def forward(net: LogLinExp, u: Array) -> tuple[Array, tuple]:
    r"""Outputs (B, out) for inputs (B, n), and the cache for the backward pass.

    The complex exponent :math:`s = W \log u` is kept as its real and imaginary parts, and
    :math:`m = e^{\operatorname{Re} s}(\cos \operatorname{Im} s + i \sin \operatorname{Im} s)`:
    the same numbers as numpy's complex exp, in real arithmetic, which is much faster."""
    log_abs, arg = complex_log(u)
    with np.errstate(over="ignore", invalid="ignore"):
        magnitude = np.exp(log_abs @ net.W.T)
        phase = arg @ net.W.T
        m_re, m_im = magnitude * np.cos(phase), magnitude * np.sin(phase)
    return m_re @ net.M.T + net.c, (log_abs, arg, m_re, m_im)


def backward(net: LogLinExp, cache: tuple, dL_dy: Array) -> list[Array]:
    r"""(dL/dW, dL/dM, dL/dc) for the loss gradient w.r.t. the outputs (B, out):
    :math:`\operatorname{Re}(G m \log u) = G (m_{re} \log|u| - m_{im} \arg u)`."""
    log_abs, arg, m_re, m_im = cache
    G = dL_dy @ net.M  # dL / dRe(m), (B, K)
    with np.errstate(over="ignore", invalid="ignore"):
        dL_dW = (G * m_re).T @ log_abs - (G * m_im).T @ arg
    return [dL_dW, dL_dy.T @ m_re, dL_dy.sum(axis=0)]


def predict(net: LogLinExp, u: Array) -> Array:
    return forward(net, u)[0]
