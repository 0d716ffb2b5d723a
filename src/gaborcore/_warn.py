"""Warnings attributed to the caller's line (the first frame outside gaborcore)."""

from __future__ import annotations

import os
import sys
import warnings

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _inside(filename: str) -> bool:
    """Whether a source file belongs to gaborcore (its subpackages included)."""
    path = os.path.dirname(os.path.abspath(filename))
    return path == _PACKAGE_DIR or path.startswith(_PACKAGE_DIR + os.sep)


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` with the stack level of the first caller outside this package."""
    level = 2  # stacklevel 2 is the caller of this function, frame 1 here
    frame = sys._getframe(1)
    while frame is not None and _inside(frame.f_code.co_filename):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
