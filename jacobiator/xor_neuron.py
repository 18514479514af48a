r"""One neuron on XOR (Noel et al. 2021).

One neuron :math:`y = \sigma(w \cdot x + b)` read by an affine output
:math:`o = a y + c` separates XOR when :math:`\sigma(z) = z \cos z` oscillates;
a monotone :math:`\sigma` cannot, because then :math:`o > 0` is a half-plane of x.
Its restarts train side by side as one batch of networks (:mod:`jacobiator.batched`).
"""

import numpy as np

from . import nn
from .activations import get_activation
from .batched import Adam, Nets, accuracy, init_nets, predict, train_step
from .datasets import Data, xor_labels

Array = np.ndarray

XOR_POINTS = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
XOR_TARGETS = xor_labels(XOR_POINTS)  # 1 where the signs differ: (0, 1, 1, 0)
SIZES = [2, 1, 1]  # two inputs, one hidden neuron, an affine output


def zcosz_xor_neuron() -> nn.MLP:
    r"""A single :math:`z \cos z` neuron that separates XOR, by construction.

    With :math:`w = (\pi/2, \pi/2)`, :math:`b = \pi` the projection is
    :math:`u = 0` or :math:`2\pi` where the signs agree and :math:`u = \pi`
    where they differ; :math:`\sigma(u) = u\cos u` is then :math:`0` or
    :math:`2\pi` against :math:`-\pi`. The output
    :math:`o = -(\sigma(u) + \pi/2)` is positive exactly where the signs differ."""
    w1 = np.array([[np.pi / 2], [np.pi / 2]])
    b1 = np.array([np.pi])
    w2 = np.array([[-1.0]])
    b2 = np.array([-np.pi / 2])
    return nn.MLP([w1, w2], [b1, b2], get_activation("zcosz"))


def xor_corner_cloud(n: int, spread: float, seed: int) -> Data:
    """``n`` points scattered (Gaussian, std ``spread``) around the four corners (±1, ±1),
    each labelled by its corner's XOR class; an equal number per corner."""
    rng = np.random.default_rng(seed)
    corners = np.repeat(XOR_POINTS, -(-n // 4), axis=0)[:n]
    x = corners + spread * rng.normal(size=corners.shape)
    return Data(x, xor_labels(corners), x, xor_labels(corners))


def xor_points_data() -> Data:
    """The four XOR points, for training and for testing."""
    return Data(XOR_POINTS, XOR_TARGETS, XOR_POINTS, XOR_TARGETS)


def train_neuron(activation: str, steps: int = 200, lr: float = 0.1, seeds: int = 8,
                 data: Data | None = None) -> tuple[Nets, Array]:
    """One hidden neuron and its affine output, trained by full-batch Adam from the
    initialisations of seeds 1 to ``seeds`` with the logistic loss on ``data`` (default: the four
    XOR points). Returns the networks and their losses before each step, (S, steps)."""
    data = xor_points_data() if data is None else data
    nets = init_nets(SIZES, activation, list(range(1, seeds + 1)))
    opt = Adam(lr, seeds)
    losses = np.full((seeds, steps), np.nan)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(steps):
            losses[:, k] = train_step(nets, opt, data.x, data.t, "logistic")
    return nets, losses


def accuracy_on(nets: Nets, data: Data) -> Array:
    """Per network the accuracy on the test points of ``data`` (S,)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return accuracy(predict(nets, data.x_test), data.t_test)


def neuron_accuracies(activation: str, steps: int = 200, lr: float = 0.1, seeds: int = 8) -> Array:
    """Per seed the accuracy on the four XOR points after training (S,)."""
    return accuracy_on(train_neuron(activation, steps, lr, seeds)[0], xor_points_data())


def best_random_neuron_accuracy(activation: str, samples: int = 20000, seed: int = 0, scale: float = 4.0) -> float:
    r"""The best accuracy on the four XOR points over ``samples`` random neurons
    :math:`o = a\,\sigma(w \cdot x + b) + c`, every parameter uniform in
    [−scale, scale]: 0.75 for any monotone :math:`\sigma`."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(-scale, scale, (samples, 2, 1))
    b, a, c = (rng.uniform(-scale, scale, (samples, 1)) for _ in range(3))
    sigma = get_activation(activation).fn
    logit = a[:, None, :] * sigma(XOR_POINTS @ w + b[:, None, :]) + c[:, None, :]
    return float(np.max(accuracy(logit, XOR_TARGETS)))
