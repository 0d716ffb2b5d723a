"""Deprecated: the extraction job is :mod:`gaborcore.extract`; this alias goes in the next release.

``from gaborcore.dataset import extract, open_store`` keeps working for one release, with a
:class:`DeprecationWarning`.  The names it gives are those of :mod:`gaborcore.extract`.
"""

import warnings

from .extract import (
    COMPRESSIONS,
    FEATURE_PARAMETERS,
    FEATURES,
    FORMAT_VERSION,
    OPTIONS,
    STATUS,
    ExtractConfig,
    ExtractReport,
    StoreReader,
    extract,
    load_config,
    open_store,
)

__all__ = ["FEATURES", "FEATURE_PARAMETERS", "OPTIONS", "COMPRESSIONS", "STATUS", "FORMAT_VERSION",
           "ExtractConfig", "ExtractReport", "extract", "load_config", "open_store", "StoreReader"]

warnings.warn("gaborcore.dataset is deprecated and will be removed in the next release; import "
              "from gaborcore.extract instead", DeprecationWarning, stacklevel=2)
