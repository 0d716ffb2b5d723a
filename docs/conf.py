"""Sphinx configuration of the gaborcore documentation.

Build (warnings are errors)::

    python -m pip install ".[docs]"
    python -m sphinx -W -b html docs docs/_build/html
    python -m sphinx -W -b doctest docs docs/_build/doctest   # run the examples
"""

from __future__ import annotations

import os
import sys

try:
    import gaborcore
except ImportError:  # a checkout that is not installed: document the sources
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "src")))
    import gaborcore

project = "gaborcore"
author = "the gaborcore developers"
copyright = "2026, the gaborcore developers"
release = gaborcore.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
]

exclude_patterns = ["_build", "generated", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []
root_doc = "index"
default_role = "code"
pygments_style = "sphinx"

# The API page lists everything by hand (autosummary tables + autofunction), so no stub pages are
# generated into the source tree.
autosummary_generate = False
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
autodoc_member_order = "bysource"

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_use_plots = False
numpydoc_xref_param_type = False

doctest_global_setup = """
import numpy as np
import gaborcore
try:  # the comparisons with librosa run where it is installed (the [test] extra)
    import librosa
except ImportError:
    librosa = None
"""

html_theme = "alabaster"
html_theme_options = {
    "description": "Time-frequency features of audio collections, on a compiled core",
    "fixed_sidebar": True,
    # alabaster's default 940px leaves code blocks about 66 characters: doctests and commands
    # then scroll sideways.  1180px fits a 1280px screen and about 95 characters of code.
    "page_width": "1180px",
    "body_max_width": "none",
}
html_title = f"gaborcore {release}"
html_static_path: list[str] = []
