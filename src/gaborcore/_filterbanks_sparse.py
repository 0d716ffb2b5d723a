"""The sparse, per-band form of a filter matrix that the fused mel kernels read."""

from __future__ import annotations

import dataclasses

import numpy as np

from ._validation import ParameterError


@dataclasses.dataclass(frozen=True)
class SparseFilterbank:
    """Sparse, per-band form of a filter matrix, as the fused mel kernels read it.

    Band ``i`` has weights ``data[offset[i]:offset[i+1]]`` on the bins
    ``start[i] : start[i] + (offset[i+1] - offset[i])``.

    Zeros outside each band's first and last non-zero weight are dropped; zeros inside are kept.
    This is the form the fused mel kernels read; make one from a dense matrix with
    :meth:`from_dense` and go back with :meth:`todense`.  Frozen (immutable).

    Parameters
    ----------
    start : ndarray of int64, shape (n_bands,)
        First bin of each band's support.
    offset : ndarray of int64, shape (n_bands + 1,)
        Where each band's weights start in ``data``; ``offset[-1]`` is the number of stored
        weights (``nnz``).
    data : ndarray of float, shape (nnz,)
        The weights of all bands, concatenated.
    n_freq : int
        Number of STFT bins (columns of the dense matrix).

    See Also
    --------
    filterbank : Dense filter matrices.
    MelSpectrogram : Holds one (attribute ``sparse``).

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> W = gaborcore.mel(sr=22050, n_fft=2048, n_mels=128)
    >>> fb = gaborcore.SparseFilterbank.from_dense(W)
    >>> fb.n_bands, fb.n_freq, fb.nnz
    (128, 1025, 2018)
    >>> bool(np.array_equal(fb.todense(), W))
    True
    """

    start: np.ndarray  # int64, (n_bands,)
    offset: np.ndarray  # int64, (n_bands + 1,)
    data: np.ndarray  # float, (nnz,)
    n_freq: int

    @classmethod
    def from_dense(cls, weights: np.ndarray) -> SparseFilterbank:
        """The sparse form of a dense filter matrix.

        Parameters
        ----------
        weights : array_like, shape (n_bands, n_freq)
            Real, finite filter weights, at least one band.

        Returns
        -------
        SparseFilterbank
            Each band from its first to its last non-zero weight (an all-zero band is empty).

        Raises
        ------
        ParameterError
            If ``weights`` is not 2-D with at least one row, or not real and finite.

        See Also
        --------
        SparseFilterbank.todense : The inverse.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> W = np.array([[0.0, 0.5, 1.0, 0.0], [0.0, 0.0, 0.25, 0.75]])
        >>> fb = gaborcore.SparseFilterbank.from_dense(W)
        >>> fb.start, fb.offset, fb.data
        (array([1, 2]), array([0, 2, 4]), array([0.5 , 1.  , 0.25, 0.75]))
        """
        W = np.asarray(weights)
        if W.ndim != 2 or W.shape[0] < 1:
            raise ParameterError(f"a filter matrix must be 2-D (n_bands, n_freq), got {W.shape}")
        if W.dtype.kind not in "fiu" or not np.isfinite(W).all():
            raise ParameterError("a filter matrix must be real and finite")
        starts, offsets, chunks = [], [0], []
        for row in W:
            nz = np.flatnonzero(row)
            a, b = (int(nz[0]), int(nz[-1]) + 1) if nz.size else (0, 0)
            starts.append(a)
            chunks.append(row[a:b])
            offsets.append(offsets[-1] + (b - a))
        data = np.concatenate(chunks) if offsets[-1] else np.zeros(0, W.dtype)
        return cls(np.asarray(starts, np.int64), np.asarray(offsets, np.int64),
                   np.ascontiguousarray(data), W.shape[1])

    @property
    def n_bands(self) -> int:
        """Number of bands.

        Returns
        -------
        int
            ``len(start)``.

        See Also
        --------
        SparseFilterbank.nnz : The number of stored weights.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> W = np.array([[0.0, 0.5, 1.0, 0.0], [0.0, 0.0, 0.25, 0.75]])
        >>> fb = gaborcore.SparseFilterbank.from_dense(W)
        >>> fb.n_bands
        2
        """
        return self.start.shape[0]

    @property
    def nnz(self) -> int:
        """Number of stored weights (zeros inside a band's support included).

        Returns
        -------
        int
            ``offset[-1]``, the length of ``data``.

        See Also
        --------
        SparseFilterbank.n_bands : The number of bands.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> W = np.array([[0.0, 0.5, 1.0, 0.0], [0.0, 0.0, 0.25, 0.75]])
        >>> fb = gaborcore.SparseFilterbank.from_dense(W)
        >>> fb.nnz
        4
        """
        return int(self.offset[-1])

    def astype(self, dtype) -> SparseFilterbank:
        """The same filter bank with its weights cast to ``dtype``.

        Parameters
        ----------
        dtype : numpy dtype
            The weights' new type (the kernels use the signal's precision).

        Returns
        -------
        SparseFilterbank
            A new filter bank sharing ``start`` and ``offset``.

        See Also
        --------
        SparseFilterbank.todense : The dense matrix.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> W = np.array([[0.0, 0.5, 1.0, 0.0], [0.0, 0.0, 0.25, 0.75]])
        >>> fb = gaborcore.SparseFilterbank.from_dense(W)
        >>> fb.astype(np.float32).data.dtype
        dtype('float32')
        """
        return dataclasses.replace(self, data=self.data.astype(dtype))

    def todense(self) -> np.ndarray:
        """The dense filter matrix.

        Returns
        -------
        ndarray, shape (n_bands, n_freq)
            The weights, in the dtype of ``data``; zeros outside each band's support.

        See Also
        --------
        SparseFilterbank.from_dense : The inverse.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> W = np.array([[0.0, 0.5, 1.0, 0.0], [0.0, 0.0, 0.25, 0.75]])
        >>> fb = gaborcore.SparseFilterbank.from_dense(W)
        >>> bool(np.array_equal(fb.todense(), W))
        True
        """
        W = np.zeros((self.n_bands, self.n_freq), self.data.dtype)
        for i in range(self.n_bands):
            a, b = self.offset[i], self.offset[i + 1]
            W[i, self.start[i]:self.start[i] + (b - a)] = self.data[a:b]
        return W
