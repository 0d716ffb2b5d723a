"""The store as a map-style dataset for training loops: :class:`FeatureDataset`.

An item is a clip (clips layout) or a whole file (ragged layout) of an entry whose status is ok,
as a dict that PyTorch's ``DataLoader`` batches as it is; each worker process opens the store on
its first item.  gaborcore does not import torch.
"""

from __future__ import annotations

import os

import numpy as np

from .._validation import ParameterError
from .layout import STATUS
from .reader import open_store, read_group

__all__ = ["FeatureDataset"]


class FeatureDataset:
    """The items of one feature of a store, by position: a map-style dataset.

    An item is a clip (clips layout) or a whole file (ragged layout) of an entry whose status is
    ok.  ``dataset[i]`` is a dict: ``"features"`` (an ndarray), ``"file"`` (the entry's index in
    the store), ``"path"`` and, when the store has them, ``"label"``, ``"id"``, and
    ``"clip_start"`` (seconds).  PyTorch's ``DataLoader`` batches such dicts as they are (numbers
    and arrays become tensors, strings lists); each worker process opens the store on its first
    item (nothing open is shared across a fork).

    Parameters
    ----------
    store : str or path-like
        The store.
    feature : str, optional
        Default: the store's first feature.
    label : str, optional
        A column of the store returned as ``"label"`` instead of the ``label`` column.

    Raises
    ------
    ParameterError
        The feature or the label column is not in the store.

    See Also
    --------
    StoreReader.dataset : the same from an open store.

    Examples
    --------
    >>> import os, tempfile, numpy as np, soundfile
    >>> from gaborcore.extract import FeatureDataset, extract
    >>> d = tempfile.mkdtemp()
    >>> with open(os.path.join(d, "m.csv"), "w") as f:
    ...     _ = f.write("path,label\\na.wav,tone\\n")
    >>> soundfile.write(os.path.join(d, "a.wav"), np.zeros(8000, np.float32), 16000)
    >>> _ = extract(os.path.join(d, "m.csv"), "mel", os.path.join(d, "f.zarr"), sr=16000,
    ...             clip=0.25, n_mels=40)
    >>> ds = FeatureDataset(os.path.join(d, "f.zarr"))
    >>> len(ds), ds[1]["features"].shape, ds[1]["label"], ds[1]["clip_start"]
    (2, (40, 8), 'tone', 0.25)
    """

    def __init__(self, store, feature: str | None = None, *, label: str | None = None):
        self.where = os.fspath(store)
        reader = open_store(self.where)
        self.feature = reader.features[0] if feature is None else feature
        reader.check_feature(self.feature)
        self.layout = reader.layout
        label = label or ("label" if "label" in reader.columns else None)
        if label is not None and label not in reader.group:
            raise ParameterError(f"label={label!r} is not an array of the store; its per-file "
                                 f"columns are {list(reader.columns)}")
        self.label_name = label
        ok = np.flatnonzero(reader.status == STATUS["ok"])
        g = reader.group
        self.paths = reader.files
        self.labels = g[label][:len(self.paths)].tolist() if label else None
        self.ids = g["id"][:len(self.paths)].tolist() if "id" in reader.columns else None
        if self.layout == "clips":
            count = g["count"][:len(self.paths)]
            keep = ok[count[ok] > 0]
            self.rows = np.concatenate([np.arange(o, o + c) for o, c in zip(
                g["offset"].oindex[keep], count[keep], strict=True)]) if keep.size else \
                np.empty(0, np.int64)
            self.row_file = g["clip_file"].oindex[self.rows] if self.rows.size else self.rows
            self.clip_start = g["clip_start"].oindex[self.rows] if self.rows.size else None
        else:
            self.rows = ok
            self.offset = g[f"{self.feature}_offset"][:len(self.paths)]
            self.count = g[f"{self.feature}_count"][:len(self.paths)]
        self._group = None
        self._pid = None
        self._block = (-1, None)

    def __len__(self) -> int:
        return int(len(self.rows))

    def _array(self):
        if self._group is None or self._pid != os.getpid():  # opened again in a forked worker
            self._group = read_group(self.where)
            self._pid = os.getpid()
            self._block = (-1, None)
        return self._group[self.feature]

    def _row(self, arr, row: int) -> np.ndarray:
        """Row ``row`` of the clips array, from the last chunk read: zarr decodes a whole chunk
        to give one row, so items read in order decode each chunk once, not once per row."""
        c = arr.chunks[0]
        k, block = self._block
        if k != row // c:
            k = row // c
            block = arr[k * c:min((k + 1) * c, arr.shape[0])]
            self._block = (k, block)
        return block[row - k * c].copy()

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_group"] = state["_pid"] = None
        state["_block"] = (-1, None)
        return state

    def __getitem__(self, i: int) -> dict:
        n = len(self)
        if isinstance(i, bool) or not isinstance(i, int | np.integer) or not -n <= i < n:
            raise IndexError(f"index {i!r} out of range for a dataset of {n} items")
        i = int(i) % n
        arr = self._array()
        if self.layout == "clips":
            row = int(self.rows[i])
            file = int(self.row_file[i])
            item = {"features": self._row(arr, row), "clip_start": float(self.clip_start[i])}
        else:
            file = int(self.rows[i])
            off, cnt = int(self.offset[file]), int(self.count[file])
            item = {"features": arr[..., off:off + cnt]}
        item["file"] = file
        item["path"] = self.paths[file]
        if self.labels is not None:
            item["label"] = self.labels[file]
        if self.ids is not None:
            item["id"] = self.ids[file]
        return item
