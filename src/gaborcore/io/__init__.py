"""Audio input for the extraction job: finding files, decoding, mixing down, resampling.

Decoding is libsndfile's, through :mod:`soundfile`: WAV, FLAC, OGG (Vorbis, Opus), AIFF and the
other formats of :func:`soundfile.available_formats`, and MP3 where the installed libsndfile
supports it (1.1 and later).  Resampling is :mod:`soxr`'s (``quality="HQ"`` unless told otherwise),
always through a :class:`soxr.ResampleStream`, whose output does not depend on how the input is cut
into blocks: reading a long file block by block gives the same samples as reading it whole.

Samples are returned in the library's layout: ``(n_samples,)`` for mono, ``(n_channels,
n_samples)`` when channels are kept.  Every failure to read a file raises :class:`AudioFileError`,
which names the file and the reason; the extraction job records that reason in its store.

Plain ``.wav`` files of 16- or 32-bit integer PCM or of 32- or 64-bit float samples (``WAV`` or
``WAVEX``, little-endian, a data chunk that lies whole within the file) are read directly, a short
header parse and then a read into a preallocated buffer per block and one NumPy conversion: the
same samples, bit for bit, and the same :class:`AudioInfo` as through libsndfile, at a fraction of
its per-file cost and with the GIL released during the reads and conversions.  Every other file,
and any file whose header raises the slightest doubt, goes through libsndfile, so that errors and
their reasons are libsndfile's.  Setting the environment variable ``GABORCORE_NO_FAST_WAV=1``
(before this module is imported) sends every file through libsndfile.

The extraction job goes one step further for its batches of clips: a compiled reader
(``csrc/gc_wav.c``) decodes the plain WAV files of a whole batch that are at the job's rate, have
1 or 2 channels and fit in one clip straight into the rows of the batch's array, mixed down as
:func:`load` does, with the GIL released for the whole batch (see :func:`read_rows`).  It takes a
subset of the files the direct reader above takes (no ``LIST`` chunks, no resampling, no NaN) and
leaves every other file to :func:`load`; the rows it writes are bit for bit what :func:`load`
returns.
"""

# One module per responsibility: _files (finding files, telling URLs apart), _source (opening a
# file through libsndfile, its header, AudioFileError), _plain_wav (plain WAV files read without
# libsndfile), _decode (stream, read, load: blocks decoded, mixed down and resampled).  The
# compiled row reader of the extraction job (read_rows) is here.

from __future__ import annotations

import numpy as np

from . import _plain_wav
from ._decode import BLOCK_FRAMES as BLOCK_FRAMES  # public, outside __all__, as before the split
from ._decode import RESAMPLE_QUALITIES, load, read, stream
from ._files import AUDIO_EXTENSIONS, LIST_EXTENSIONS, find_audio, is_url
from ._source import AudioFileError, AudioInfo, info

__all__ = ["AUDIO_EXTENSIONS", "LIST_EXTENSIONS", "RESAMPLE_QUALITIES", "AudioFileError",
           "AudioInfo", "info", "stream", "load", "read", "read_rows", "find_audio", "is_url"]


try:
    from .._ext import _wav as _wav_ext
except ImportError:  # no compiled core: every file goes through load
    _wav_ext = None


def read_rows(paths: list[str], out: np.ndarray, sr: int) -> np.ndarray | None:
    """Decode the plain WAV files among ``paths`` straight into the rows of ``out``, without the
    GIL: the extraction job's path for a batch of clips.

    File ``i`` is taken when it is a local ``.wav`` file the fast reader would read (see the
    module docstring) at rate ``sr``, with 1 or 2 channels and at most ``n`` frames, all finite:
    ``out[i]`` then holds exactly what ``read(path, sr=sr)`` gives (the mean of the channels),
    zero-padded to ``n``.  The rows of the files not taken hold no meaningful values.

    Parameters
    ----------
    paths : list of str
        The files.
    out : ndarray, shape (len(paths), n)
        C-contiguous float32 or float64: where the samples go.
    sr : int
        The rate a file must have to be taken (nothing is resampled here).

    Returns
    -------
    ndarray of int64, shape (len(paths), 6), or None
        Per file: status (0 taken, 1 not taken: read it with :func:`load`, which also says what
        is wrong with it), frames, rate, channels and two codes of the sample type; None when
        the compiled reader is not available (or ``GABORCORE_NO_FAST_WAV`` is set).

    See Also
    --------
    read : every file, one at a time.

    Examples
    --------
    >>> import os, tempfile, numpy as np, soundfile
    >>> from gaborcore import io
    >>> path = os.path.join(tempfile.mkdtemp(), "a.wav")
    >>> soundfile.write(path, np.full(100, 0.5, np.float32), 16000, subtype="FLOAT")
    >>> out = np.empty((1, 160), np.float32)
    >>> table = io.read_rows([path], out, 16000)
    >>> table is None or bool(table[0, :2].tolist() == [0, 100] and out[0, 99] == 0.5)
    True
    """
    if _wav_ext is None or not _plain_wav.FAST_WAV:
        return None
    wav = [p[-4:].lower() == ".wav" and not is_url(p) for p in paths]
    if all(wav):
        return _wav_ext.read_rows(paths, out, sr, 2)
    table = np.zeros((len(paths), 6), np.int64)
    table[:, 0] = _wav_ext.OTHER
    pick = np.flatnonzero(wav)
    if pick.size:
        rows = np.empty((pick.size, out.shape[1]), out.dtype)
        table[pick] = _wav_ext.read_rows([paths[i] for i in pick], rows, sr, 2)
        taken = table[pick, 0] == 0
        out[pick[taken]] = rows[taken]
    return table
