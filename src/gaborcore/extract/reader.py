"""Reading a store: per-file access, an xarray Dataset, and a map-style dataset for training.

:func:`open_store` gives a :class:`StoreReader`; :meth:`StoreReader.to_xarray` the store as an
``xarray.Dataset`` (the same as ``xarray.open_zarr(store)``); :meth:`StoreReader.dataset` a
:class:`~gaborcore.extract.training.FeatureDataset` (:mod:`gaborcore.extract.training`), which
a PyTorch ``DataLoader`` (any number of worker processes) takes as it is: gaborcore does not
import torch.
"""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING

import numpy as np
import zarr

from .. import io
from .._validation import ParameterError
from .batch import describe
from .layout import STATUS

if TYPE_CHECKING:
    from .training import FeatureDataset

__all__ = ["StoreReader", "open_store", "read_group"]


def read_group(where: str):
    """The group at ``where`` for reading: its consolidated metadata when there is some."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Consolidated metadata", UserWarning)
            return zarr.open_group(where, mode="r")
    except (FileNotFoundError, ValueError, KeyError, TypeError, zarr.errors.BaseZarrError) as exc:
        if not io.is_url(where) and not os.path.exists(where):
            raise ParameterError(f"store {where!r} does not exist") from None
        raise ParameterError(f"{where!r} is not a Zarr store ({describe(exc)})") from None


class StoreReader:
    """Read access to a store written by :func:`gaborcore.extract.extract`.

    Parameters
    ----------
    group : zarr.Group
        The store itself.
    where : str, optional
        Its path or URL (for :meth:`dataset`).

    Attributes
    ----------
    group : zarr.Group
        The store itself.
    files : list of str
        The entries' paths, in store order.
    status : ndarray of int8
        0 pending, 1 ok, 2 failed.
    config : dict
        The configuration the store was made with.
    layout : str
        ``"clips"`` or ``"ragged"``.
    features : tuple of str
        The features in the store.

    Raises
    ------
    ParameterError
        The group is not a gaborcore store.

    See Also
    --------
    open_store : opens one by path or URL.
    FeatureDataset : its items for a training loop.

    Examples
    --------
    See :func:`open_store`.
    """

    def __init__(self, group, where: str | None = None):
        self.group = group
        self.where = where
        meta = dict(group.attrs).get("gaborcore")
        if meta is None:
            raise ParameterError("not a gaborcore store (no 'gaborcore' attribute)")
        self.attrs = meta
        n = meta["n_files"]
        self.files = group["files"][:n].tolist()
        self.status = np.asarray(group["status"][:n], np.int8)
        self.config = meta["config"]
        self.layout = meta["layout"]
        self.features = tuple(meta["feature_names"])
        self.columns = tuple(meta.get("columns", ()))

    def keys(self) -> list[str]:
        """The identity of each entry (its id, else its path and part).

        Returns
        -------
        list of str
            One key per entry, in store order, as :meth:`Entries.keys` makes them: running the
            job again skips the entries whose key is here and finished.

        See Also
        --------
        Entries.keys : the keys of a job's inputs.

        Examples
        --------
        >>> import os, tempfile, numpy as np, soundfile
        >>> from gaborcore.extract import extract, open_store
        >>> d = tempfile.mkdtemp()
        >>> soundfile.write(os.path.join(d, "a.wav"), np.zeros(16000, np.float32), 16000)
        >>> open(os.path.join(d, "b.wav"), "wb").close()  # an empty file: its entry fails
        >>> _ = extract(d, "mel", os.path.join(d, "f.zarr"), sr=16000, clip=0.5, n_mels=40)
        >>> store = open_store(os.path.join(d, "f.zarr"))
        >>> [os.path.basename(k) for k in store.keys()]
        ['a.wav', 'b.wav']
        >>> store.keys()[0] == "path:" + os.path.join(d, "a.wav")
        True
        """
        from .inputs import entry_keys

        n = len(self.files)
        return entry_keys(self.files, {c: self.group[c][:n].tolist() for c in self.columns})

    @property
    def errors(self) -> dict[str, str]:
        """Path and reason of each failed entry.

        Returns
        -------
        dict of str to str
            ``{path: reason}`` of the entries whose status is failed, in store order; empty
            when none failed.  ``retry_failed=True`` (``--retry-failed``) runs them again.

        See Also
        --------
        gaborcore.extract.ExtractReport.failures : the failures of one run.

        Examples
        --------
        >>> import os, tempfile, numpy as np, soundfile
        >>> from gaborcore.extract import extract, open_store
        >>> d = tempfile.mkdtemp()
        >>> soundfile.write(os.path.join(d, "a.wav"), np.zeros(16000, np.float32), 16000)
        >>> open(os.path.join(d, "b.wav"), "wb").close()  # an empty file: its entry fails
        >>> _ = extract(d, "mel", os.path.join(d, "f.zarr"), sr=16000, clip=0.5, n_mels=40)
        >>> store = open_store(os.path.join(d, "f.zarr"))
        >>> store.status.tolist()
        [1, 2]
        >>> {os.path.basename(p): reason for p, reason in store.errors.items()}
        {'b.wav': 'empty file (0 bytes)'}
        """
        failed = np.flatnonzero(self.status == STATUS["failed"])
        reasons = self.group["error"].oindex[failed].tolist() if failed.size else []
        return {self.files[i]: r for i, r in zip(failed, reasons, strict=True)}

    def check_feature(self, feature: str) -> None:
        """Check that the store holds ``feature``.

        Parameters
        ----------
        feature : str
            A feature's name.

        Raises
        ------
        ParameterError
            The store does not hold it; the message names those it holds.

        See Also
        --------
        StoreReader.features : the names it holds.

        Examples
        --------
        >>> import os, tempfile, numpy as np, soundfile
        >>> from gaborcore.extract import extract, open_store
        >>> d = tempfile.mkdtemp()
        >>> soundfile.write(os.path.join(d, "a.wav"), np.zeros(16000, np.float32), 16000)
        >>> _ = extract(d, "mel", os.path.join(d, "f.zarr"), sr=16000, clip=0.5, n_mels=40)
        >>> open_store(os.path.join(d, "f.zarr")).check_feature("stft")
        Traceback (most recent call last):
        ...
        gaborcore._validation.ParameterError: feature='stft' is not in this store; it holds ['mel']
        """
        if feature not in self.features:
            raise ParameterError(f"feature={feature!r} is not in this store; it holds "
                                 f"{list(self.features)}")

    def frequencies(self, feature: str) -> np.ndarray:
        """Centre frequencies of the feature's rows in Hz (band centres for ``nsgt``).

        Parameters
        ----------
        feature : str
            A feature of the store.

        Returns
        -------
        ndarray
            The coordinate of the feature's frequency axis: bin or band centres in Hz (for
            ``mfcc``, the coefficient indices).

        Raises
        ------
        ParameterError
            The feature is not in the store.

        See Also
        --------
        StoreReader.feature : the values these label.

        Examples
        --------
        >>> import os, tempfile, numpy as np, soundfile
        >>> from gaborcore.extract import extract, open_store
        >>> d = tempfile.mkdtemp()
        >>> soundfile.write(os.path.join(d, "a.wav"), np.zeros(16000, np.float32), 16000)
        >>> open(os.path.join(d, "b.wav"), "wb").close()  # an empty file: its entry fails
        >>> _ = extract(d, "mel", os.path.join(d, "f.zarr"), sr=16000, clip=0.5, n_mels=40)
        >>> store = open_store(os.path.join(d, "f.zarr"))
        >>> f = store.frequencies("mel")
        >>> f.shape, bool(np.all(np.diff(f) > 0))
        ((40,), True)
        """
        self.check_feature(feature)
        dims = self.group[feature].metadata.dimension_names
        name = f"{feature}_band" if f"{feature}_band" in self.group else next(
            d for d in dims if d.endswith(("_frequency", "_coefficient")))
        return self.group[name][:]

    def _index(self, file) -> int:
        if isinstance(file, str):
            try:
                return self.files.index(file)
            except ValueError:
                raise ParameterError(f"file={file!r} is not in this store") from None
        i = int(file)
        if not -len(self.files) <= i < len(self.files):
            raise ParameterError(f"file={file!r} is out of range: the store has "
                                 f"{len(self.files)} entries")
        return i % len(self.files)

    def feature(self, feature: str, file: int | str) -> np.ndarray:
        """The feature of one finished entry (by index or path).

        Parameters
        ----------
        feature : str
            A feature of the store.
        file : int or str
            The entry's index in the store (negative counts from the end) or its path, as
            :attr:`files` lists it.

        Returns
        -------
        ndarray
            ``(count, [channels,] ...)`` in the clips layout (one row per clip, possibly none),
            ``([channels,] ..., frames)`` in the ragged layout.

        Raises
        ------
        ParameterError
            The feature is not in the store, the entry is unknown (a path not in the store,
            an index out of range), or its status is pending or failed.

        See Also
        --------
        StoreReader.frequencies : the frequency axis.
        StoreReader.dataset : the items one by one, for training.

        Examples
        --------
        >>> from gaborcore import ParameterError
        >>> import os, tempfile, numpy as np, soundfile
        >>> from gaborcore.extract import extract, open_store
        >>> d = tempfile.mkdtemp()
        >>> soundfile.write(os.path.join(d, "a.wav"), np.zeros(16000, np.float32), 16000)
        >>> open(os.path.join(d, "b.wav"), "wb").close()  # an empty file: its entry fails
        >>> _ = extract(d, "mel", os.path.join(d, "f.zarr"), sr=16000, clip=0.5, n_mels=40)
        >>> store = open_store(os.path.join(d, "f.zarr"))
        >>> store.feature("mel", 0).shape  # 2 clips of 0.5 s, 40 bands, 16 frames
        (2, 40, 16)
        >>> store.feature("mel", os.path.join(d, "a.wav")).shape
        (2, 40, 16)
        >>> try:
        ...     store.feature("mel", 1)
        ... except ParameterError as exc:
        ...     print(str(exc).replace(d + os.sep, ""))
        file 1 (b.wav) is failed, not ok
        """
        self.check_feature(feature)
        i = self._index(file)
        if self.status[i] != STATUS["ok"]:
            state = {v: k for k, v in STATUS.items()}[int(self.status[i])]
            raise ParameterError(f"file {i} ({self.files[i]}) is {state}, not ok")
        arr = self.group[feature]
        if self.layout == "clips":
            off, cnt = int(self.group["offset"][i]), int(self.group["count"][i])
            return arr[off:off + cnt] if cnt else np.empty((0, *arr.shape[1:]), arr.dtype)
        off = int(self.group[f"{feature}_offset"][i])
        cnt = int(self.group[f"{feature}_count"][i])
        return arr[..., off:off + cnt] if cnt else np.empty((*arr.shape[:-1], 0), arr.dtype)

    def to_xarray(self):
        """The store as an ``xarray.Dataset`` (lazy, dask-backed): ``xarray.open_zarr``.

        Returns
        -------
        xarray.Dataset
            Every array of the store as a variable, its axes named by the arrays'
            ``dimension_names`` and labelled by the coordinate arrays (frequencies, frame
            times); nothing is read until asked for.

        Raises
        ------
        ImportError
            xarray is not installed.

        See Also
        --------
        StoreReader.feature : one entry's values without xarray.

        Examples
        --------
        >>> import os, tempfile, numpy as np, soundfile
        >>> from gaborcore.extract import extract, open_store
        >>> d = tempfile.mkdtemp()
        >>> soundfile.write(os.path.join(d, "a.wav"), np.zeros(16000, np.float32), 16000)
        >>> open(os.path.join(d, "b.wav"), "wb").close()  # an empty file: its entry fails
        >>> _ = extract(d, "mel", os.path.join(d, "f.zarr"), sr=16000, clip=0.5, n_mels=40)
        >>> store = open_store(os.path.join(d, "f.zarr"))
        >>> ds = store.to_xarray()
        >>> ds["mel"].dims, ds["mel"].shape
        (('clip', 'mel_frequency', 'mel_time'), (2, 40, 16))
        """
        try:
            import xarray
        except ImportError:
            raise ImportError("to_xarray needs xarray: pip install xarray") from None
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Consolidated metadata", UserWarning)
            return xarray.open_zarr(self.group.store, zarr_format=3)

    def dataset(self, feature: str | None = None, *, label: str | None = None) -> FeatureDataset:
        """A map-style dataset of one feature's items (see :class:`FeatureDataset`).

        Parameters
        ----------
        feature : str, optional
            Default: the store's first feature.
        label : str, optional
            A column of the store returned as ``"label"`` instead of the ``label`` column.

        Returns
        -------
        FeatureDataset
            One item per clip (clips layout) or per file (ragged layout) of the entries whose
            status is ok.

        Raises
        ------
        ParameterError
            The store was not opened by path or URL (a reader made from a group), or the
            feature or the label column is not in the store.

        See Also
        --------
        FeatureDataset : the items and what they hold.

        Examples
        --------
        >>> import os, tempfile, numpy as np, soundfile
        >>> from gaborcore.extract import extract, open_store
        >>> d = tempfile.mkdtemp()
        >>> soundfile.write(os.path.join(d, "a.wav"), np.zeros(16000, np.float32), 16000)
        >>> open(os.path.join(d, "b.wav"), "wb").close()  # an empty file: its entry fails
        >>> _ = extract(d, "mel", os.path.join(d, "f.zarr"), sr=16000, clip=0.5, n_mels=40)
        >>> store = open_store(os.path.join(d, "f.zarr"))
        >>> ds = store.dataset("mel")
        >>> len(ds), ds[1]["features"].shape, ds[1]["clip_start"], ds[1]["file"]
        (2, (40, 16), 0.5, 0)
        """
        from .training import FeatureDataset

        if self.where is None:
            raise ParameterError("dataset() needs a store opened by path or URL (open_store)")
        return FeatureDataset(self.where, feature, label=label)


def open_store(store: str | os.PathLike) -> StoreReader:
    """Open a store written by :func:`gaborcore.extract.extract` for reading.

    Parameters
    ----------
    store : str or path-like
        Its path or URL.

    Returns
    -------
    StoreReader

    Raises
    ------
    ParameterError
        The path is not a gaborcore store.

    Examples
    --------
    >>> import os, tempfile, numpy as np, soundfile
    >>> from gaborcore.extract import extract, open_store
    >>> d = tempfile.mkdtemp()
    >>> soundfile.write(os.path.join(d, "a.wav"), np.zeros(16000, np.float32), 16000)
    >>> _ = extract(d, "mel", os.path.join(d, "f.zarr"), sr=16000, clip=0.5, n_mels=40)
    >>> store = open_store(os.path.join(d, "f.zarr"))
    >>> store.features, store.status.tolist(), store.feature("mel", 0).shape
    (('mel',), [1], (2, 40, 16))
    >>> len(store.dataset("mel")), store.dataset("mel")[1]["clip_start"]
    (2, 0.5)

    See Also
    --------
    StoreReader.to_xarray : the store as an ``xarray.Dataset``.
    """
    where = os.fspath(store)
    return StoreReader(read_group(where), where)
