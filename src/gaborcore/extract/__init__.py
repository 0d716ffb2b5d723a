"""Dataset-scale feature extraction: audio files to a self-describing Zarr store.

:func:`extract` decodes every file (:mod:`gaborcore.io`), computes one or more features and writes
them to a Zarr 3 store (a folder or an fsspec URL), with a progress bar; it is resumable, and the
same inputs give the same bytes whatever the workers, batches, interruptions or resumes.  The job
runs on a thread pool in this process (default: the kernels release the GIL) or on a Dask
distributed cluster (``scheduler=``), where the workers decode and compute and this process
writes.

Features (``feature=``, their parameters with their defaults in :data:`FEATURE_PARAMETERS`):

``"stft"``
    power spectrogram ``|STFT|**power`` (:class:`gaborcore.STFT`): ``(1 + n_fft // 2, t)``.
``"mel"``
    mel (or other filter-bank) spectrogram (:class:`gaborcore.MelSpectrogram`): ``(n_mels, t)``.
``"mfcc"``
    MFCC (:func:`gaborcore.mfcc`) of each item's log-power mel spectrogram: ``(n_mfcc, t)``.
``"nsgt"``
    complex NSGT coefficients of each clip (:class:`gaborcore.NSGT`) in the plan's ``layout``:
    its contiguous buffer ``(total,)``; needs ``clip``.
``"cqt"``
    constant-Q NSGT in the full layout, ``|c|**power`` of its matrix: ``(n_bins, t)``; on clips
    the NSGT of each clip, on whole files the sliced NSGT (sliCQ) of the file.

``db=True`` converts stft, mel and cqt to decibels (``ref=1``, ``top_db`` below each item's
maximum).  With ``clip`` (seconds) every file is cut into excerpts (``"clips"`` layout, one row
each, as CNN inputs want); without, each file's time-frequency matrix is appended along the time
axis (``"ragged"`` layout).  :mod:`gaborcore.extract.layout` lists the arrays; every one carries
``dimension_names``, coordinates name the axes, metadata is consolidated:
``xarray.open_zarr(store)`` gives a labelled Dataset, :func:`open_store` per-file access and a
map-style dataset for a PyTorch ``DataLoader``.

Modules: :mod:`~gaborcore.extract.params` (defaults, validation),
:mod:`~gaborcore.extract.config` (configurations, TOML),
:mod:`~gaborcore.extract.features` (adapters on the public plans), :mod:`~gaborcore.extract.batch`
(the workers' side), :mod:`~gaborcore.extract.inputs` (files, manifests, URLs),
:mod:`~gaborcore.extract.layout`, :mod:`~gaborcore.extract.store`, :mod:`~gaborcore.extract.lock`,
:mod:`~gaborcore.extract.writer` (the commit protocol), :mod:`~gaborcore.extract.runners`,
:mod:`~gaborcore.extract.job`, :mod:`~gaborcore.extract.report`,
:mod:`~gaborcore.extract.reader`, :mod:`~gaborcore.extract.training` (the map-style dataset).
"""

from .config import FEATURE_PARAMETERS, FEATURES, OPTIONS, ExtractConfig, load_config
from .inputs import Entries, gather, read_manifest
from .job import extract
from .layout import FORMAT_VERSION, STATUS
from .reader import StoreReader, open_store
from .report import ExtractReport
from .store import COMPRESSIONS
from .training import FeatureDataset

__all__ = ["FEATURES", "FEATURE_PARAMETERS", "OPTIONS", "COMPRESSIONS", "STATUS",
           "FORMAT_VERSION", "ExtractConfig", "ExtractReport", "Entries", "FeatureDataset",
           "StoreReader", "extract", "gather", "load_config", "open_store", "read_manifest"]
