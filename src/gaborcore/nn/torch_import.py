"""Networks from PyTorch: the layers of an ``nn.Sequential`` as :mod:`gaborcore.nn` layers."""

from __future__ import annotations

from .. import _validation
from .._validation import ParameterError
from .functional import PADDING_MODES
from .layers import (
    AvgPool2d,
    Conv2d,
    Dense,
    Flatten,
    Layer,
    LeakyReLU,
    LpPool2d,
    MaxPool2d,
    ReLU,
    Sigmoid,
    Tanh,
)

__all__ = ["layers_from_torch"]


def layers_from_torch(module) -> list[Layer]:
    """The layers of a PyTorch ``nn.Sequential`` (weights copied, as float64).

    Supported modules: Conv2d (groups 1, padding mode "zeros" or "circular"), LPPool2d
    (``ceil_mode=False``), MaxPool2d (dilation 1), AvgPool2d (no ``divisor_override``),
    ReLU, LeakyReLU, Tanh, Sigmoid, Flatten, Linear; Dropout and Identity are skipped (they
    are the identity in evaluation); nested Sequentials are flattened.  LPPool2d computes
    ``(sum x^p)^(1/p)`` without ``|.|``: the outputs agree where the pooled values are
    non-negative (after a ReLU) or p is even.
    """
    import torch

    def arr(t):
        return None if t is None else t.detach().cpu().to(torch.float64).numpy().copy()

    layers: list[Layer] = []
    for m in _torch_leaves(module):
        name = type(m).__name__
        if name == "Conv2d":
            if m.groups != 1:
                raise ParameterError(f"{name} with groups={m.groups} is not supported")
            if m.padding_mode not in PADDING_MODES:
                raise ParameterError(f"{name} with padding_mode={m.padding_mode!r} is not "
                                     f"supported; use one of {list(PADDING_MODES)}")
            layers.append(Conv2d(arr(m.weight), arr(m.bias), stride=tuple(m.stride),
                                 padding=m.padding if isinstance(m.padding, str)
                                 else tuple(m.padding), dilation=tuple(m.dilation),
                                 padding_mode=m.padding_mode))
        elif name == "Linear":
            layers.append(Dense(arr(m.weight), arr(m.bias)))
        elif name == "LPPool2d":
            if m.ceil_mode:
                raise ParameterError("LPPool2d with ceil_mode=True is not supported")
            layers.append(LpPool2d(p=float(m.norm_type), kernel_size=m.kernel_size,
                                   stride=m.stride or m.kernel_size))
        elif name == "MaxPool2d":
            if _validation.int_pair("dilation", m.dilation) != (1, 1) or m.return_indices:
                raise ParameterError("MaxPool2d with dilation or return_indices is not "
                                     "supported")
            layers.append(MaxPool2d(kernel_size=m.kernel_size,
                                    stride=m.stride or m.kernel_size, padding=m.padding,
                                    ceil_mode=m.ceil_mode))
        elif name == "AvgPool2d":
            if m.divisor_override is not None:
                raise ParameterError("AvgPool2d with divisor_override is not supported")
            layers.append(AvgPool2d(kernel_size=m.kernel_size,
                                    stride=m.stride or m.kernel_size, padding=m.padding,
                                    ceil_mode=m.ceil_mode,
                                    count_include_pad=m.count_include_pad))
        elif name == "ReLU":
            layers.append(ReLU())
        elif name == "LeakyReLU":
            layers.append(LeakyReLU(m.negative_slope))
        elif name == "Tanh":
            layers.append(Tanh())
        elif name == "Sigmoid":
            layers.append(Sigmoid())
        elif name == "Flatten":
            layers.append(Flatten(m.start_dim, m.end_dim))
        elif name in ("Dropout", "Dropout2d", "Identity"):
            continue
        else:
            raise ParameterError(f"PyTorch module {name} has no gaborcore.nn counterpart")
    return layers


def _torch_leaves(module):
    """The modules of a (nested) nn.Sequential in order."""
    children = list(module.children())
    if type(module).__name__ != "Sequential":
        yield module
        return
    for child in children:
        yield from _torch_leaves(child)
