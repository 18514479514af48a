r"""A small fully connected network with its backward pass written out.

Layer k computes :math:`z_k = a_{k-1} W_k + b_k` and :math:`a_k = \sigma(z_k)`;
the last layer is linear. The backward pass is the chain rule, one layer at a
time: from :math:`\partial L/\partial z_k` it gets the parameter gradients
:math:`\partial L/\partial W_k = a_{k-1}^\top \, \partial L/\partial z_k` and
the gradient passed on backwards, :math:`\partial L/\partial a_{k-1} =
\partial L/\partial z_k \, W_k^\top`. Keeping each piece separate lets later
chapters distort one of them on purpose.
"""

from dataclasses import dataclass, field

import numpy as np

from .activations import Activation, get_activation

Array = np.ndarray


@dataclass
class MLP:
    weights: list[Array]  # W_k of shape (fan_in, fan_out)
    biases: list[Array]
    activation: Activation

    @property
    def sizes(self) -> list[int]:
        return [self.weights[0].shape[0], *(w.shape[1] for w in self.weights)]


def init_mlp(sizes: list[int], activation: str, rng: np.random.Generator) -> MLP:
    """Weights drawn N(0, 1/fan_in) (LeCun), biases small: the pre-activations
    start at about unit scale whatever the width."""
    act = get_activation(activation)
    weights = [rng.normal(0.0, 1.0 / np.sqrt(m), (m, n)) for m, n in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(0.0, 0.1, n) for n in sizes[1:]]
    return MLP(weights, biases, act)


def forward(net: MLP, x: Array) -> tuple[Array, list[tuple[Array, Array]]]:
    """The output for the batch ``x`` (N, fan_in), and per layer its input and pre-activation."""
    cache = []
    a = x
    last = len(net.weights) - 1
    for k, (w, b) in enumerate(zip(net.weights, net.biases)):
        z = a @ w + b
        cache.append((a, z))
        a = z if k == last else net.activation.fn(z)
    return a, cache


def predict(net: MLP, x: Array) -> Array:
    return forward(net, x)[0]


def preactivations(net: MLP, x: Array) -> list[Array]:
    """The hidden layers' pre-activations z_k for the batch x (what sigma is applied to)."""
    return [z for _, z in forward(net, x)[1][:-1]]


def backward(net: MLP, cache: list[tuple[Array, Array]], dL_dout: Array) -> tuple[list[tuple[Array, Array]], Array]:
    """Per layer (dL_dW, dL_db), and dL_dx for the network's input."""
    grads = []
    dL_dz = dL_dout
    for k in range(len(net.weights) - 1, -1, -1):
        a_prev, _ = cache[k]
        grads.append((a_prev.T @ dL_dz, dL_dz.sum(axis=0)))
        dL_da = dL_dz @ net.weights[k].T
        if k > 0:
            dL_dz = dL_da * net.activation.grad(cache[k - 1][1])
    return grads[::-1], dL_da


def mse(out: Array, target: Array) -> tuple[float, Array]:
    r"""Mean squared error :math:`\frac{1}{N}\sum (o - t)^2` and its gradient w.r.t. the output."""
    diff = out - target
    return float(np.mean(diff**2)), 2.0 * diff / diff.size


def logistic(logit: Array, label: Array) -> tuple[float, Array]:
    r"""Binary cross-entropy on :math:`\sigma(o)` for labels in {0, 1}, written on the
    logit so it cannot overflow: :math:`\log(1 + e^{o}) - t\,o`; gradient :math:`\sigma(o) - t`."""
    loss = np.logaddexp(0.0, logit) - label * logit
    return float(np.mean(loss)), (0.5 * (1.0 + np.tanh(0.5 * logit)) - label) / logit.size


OBJECTIVES = {"mse": mse, "logistic": logistic}


@dataclass
class Adam:
    """Adam (Kingma and Ba 2015) with the usual betas; one moment pair per parameter array."""

    lr: float
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    t: int = 0
    moments: list = field(default_factory=list)

    def update(self, params: list[Array], grads: list[Array]) -> None:
        if not self.moments:
            self.moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
        self.t += 1
        c1, c2 = 1 - self.beta1**self.t, 1 - self.beta2**self.t
        for p, g, (m, v) in zip(params, grads, self.moments):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


@dataclass
class SGD:
    """Plain gradient descent, with :class:`Adam`'s interface."""

    lr: float

    def update(self, params: list[Array], grads: list[Array]) -> None:
        for p, g in zip(params, grads):
            p -= self.lr * g


def parameters(net: MLP) -> list[Array]:
    return [p for wb in zip(net.weights, net.biases) for p in wb]


def train_step(net: MLP, opt: Adam, x: Array, target: Array, objective: str = "mse") -> float:
    """One full-batch step; returns the loss before the step. Non-finite
    gradients are skipped, so a diverging run stays a number the plot can show."""
    out, cache = forward(net, x)
    loss, dL_dout = OBJECTIVES[objective](out, target)
    grads, _ = backward(net, cache, dL_dout)
    flat = [g for wb in grads for g in wb]
    if all(np.isfinite(g).all() for g in flat):
        opt.update(parameters(net), flat)
    return loss


def train(net: MLP, x: Array, target: Array, steps: int, lr: float, objective: str = "mse") -> list[float]:
    """``steps`` full-batch Adam steps; the loss before each."""
    opt = Adam(lr)
    with np.errstate(over="ignore", invalid="ignore"):
        return [train_step(net, opt, x, target, objective) for _ in range(steps)]
