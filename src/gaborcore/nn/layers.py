"""Network layers: each holds its parameters (float64 masters) and calls :mod:`.functional`."""

# One module per responsibility: _layers_base (Layer, Flatten), _layers_weighted (Conv2d, Dense),
# _layers_pool (pooling layers), _layers_activation (activation layers).

from __future__ import annotations

from ._layers_activation import Abs, LeakyReLU, LogCompression, ReLU, Sigmoid, Tanh
from ._layers_base import Flatten, Layer
from ._layers_pool import AvgPool2d, LpPool2d, MaxPool2d
from ._layers_weighted import Conv2d, Dense

__all__ = [
    "Layer",
    "Conv2d",
    "LpPool2d",
    "MaxPool2d",
    "AvgPool2d",
    "ReLU",
    "LeakyReLU",
    "Abs",
    "Tanh",
    "Sigmoid",
    "LogCompression",
    "Flatten",
    "Dense",
]
