"""The job's inputs: audio files, folders, list files, and CSV/TSV manifests.

A manifest (``.csv`` or ``.tsv``, a header row) names one entry per row: a ``path`` column
(relative paths are relative to the manifest's folder; URLs are taken as they are) and optional
``id``, ``label``, ``start`` and ``end`` columns (seconds into the file: the part of it that the
entry is).  These columns are carried into the store as per-file arrays.  An entry is known in a
store by its id when there is one, else by its path and part: running again with a manifest that
has more rows adds them.
"""

from __future__ import annotations

import csv
import io as _stdio
import math
import os
from collections.abc import Iterable

from .. import io
from .._validation import ParameterError

__all__ = ["Entries", "MANIFEST_EXTENSIONS", "read_manifest", "gather", "entry_keys"]

#: Input files read as manifests.
MANIFEST_EXTENSIONS = (".csv", ".tsv")
_COLUMNS = ("path", "id", "label", "start", "end")


class Entries:
    """The entries of a job, in order: paths and the manifest's columns.

    Parameters
    ----------
    paths : list of str
        Absolute paths or URLs.
    columns : dict of list, optional
        ``id``, ``label`` (str), ``start``, ``end`` (float seconds, NaN: not given), those that
        the manifest has.
    from_manifest : bool
        Whether a manifest named them.

    See Also
    --------
    gather, read_manifest : make them from the job's inputs.

    Examples
    --------
    >>> from gaborcore.extract import Entries
    >>> e = Entries(["/a.wav", "/a.wav"], {"id": ["x", "y"], "start": [0.0, 2.0],
    ...                                    "end": [2.0, float("nan")]})
    >>> e.column_names, e.span(1), e.keys()
    (('id', 'start', 'end'), (2.0, None), ['id:x', 'id:y'])
    """

    def __init__(self, paths: list[str], columns: dict | None = None,
                 from_manifest: bool = False):
        self.paths = list(paths)
        self.columns = {k: list(v) for k, v in (columns or {}).items()}
        self.from_manifest = from_manifest

    def __len__(self) -> int:
        return len(self.paths)

    @property
    def column_names(self) -> tuple:
        """The manifest columns these entries carry besides ``path``, in a fixed order.

        Returns
        -------
        tuple of str
            Those of ``"id"``, ``"label"``, ``"start"``, ``"end"`` that are present, in that
            order; empty for entries not named by a manifest.

        See Also
        --------
        read_manifest : reads the columns from a CSV/TSV file.

        Examples
        --------
        >>> from gaborcore.extract import Entries
        >>> nan = float("nan")
        >>> e = Entries(["/d/a.wav", "/d/a.wav", "/d/b.wav"],
        ...             {"label": ["dog", "cat", "dog"], "start": [0.0, 2.0, nan],
        ...              "end": [2.0, 4.0, nan]})
        >>> e.column_names
        ('label', 'start', 'end')
        >>> Entries(["/d/a.wav"]).column_names
        ()
        """
        return tuple(c for c in _COLUMNS[1:] if c in self.columns)

    def span(self, i: int) -> tuple[float | None, float | None]:
        """``(start, end)`` of entry ``i`` in seconds, None where not given.

        Parameters
        ----------
        i : int
            The entry's position.

        Returns
        -------
        start, end : float or None
            The part of the file the entry is, from the manifest's ``start`` and ``end``
            columns; None for a bound that is absent or empty (NaN): the file's start or end.

        Raises
        ------
        IndexError
            ``i`` is out of range.

        See Also
        --------
        Entries.keys : a part makes the entry's identity when there is no id.

        Examples
        --------
        >>> from gaborcore.extract import Entries
        >>> nan = float("nan")
        >>> e = Entries(["/d/a.wav", "/d/a.wav", "/d/b.wav"],
        ...             {"label": ["dog", "cat", "dog"], "start": [0.0, 2.0, nan],
        ...              "end": [2.0, 4.0, nan]})
        >>> e.span(1), e.span(2)
        ((2.0, 4.0), (None, None))
        """
        self.paths[i]  # (IndexError out of range, with or without the columns)
        bounds = (self.columns.get("start"), self.columns.get("end"))
        return tuple(None if b is None or math.isnan(b[i]) else b[i] for b in bounds)

    def keys(self) -> list[str]:
        """Identity of each entry in a store (its id, else its path and part).

        A store knows an entry by this key: running the job again with the same inputs skips
        the finished entries, and new keys are added.

        Returns
        -------
        list of str
            ``"id:<id>"`` where the entry has a non-empty id, else ``"path:<path>"``, followed by
            ``#<start>:<end>`` when a part is given.

        See Also
        --------
        StoreReader.keys : the keys of the entries of a store.

        Examples
        --------
        >>> from gaborcore.extract import Entries
        >>> nan = float("nan")
        >>> e = Entries(["/d/a.wav", "/d/a.wav", "/d/b.wav"],
        ...             {"label": ["dog", "cat", "dog"], "start": [0.0, 2.0, nan],
        ...              "end": [2.0, 4.0, nan]})
        >>> e.keys()
        ['path:/d/a.wav#0.0:2.0', 'path:/d/a.wav#2.0:4.0', 'path:/d/b.wav']
        >>> Entries(["/d/a.wav"], {"id": ["rec1"]}).keys()
        ['id:rec1']
        """
        return entry_keys(self.paths, self.columns)

    def subset(self, index: Iterable[int]) -> Entries:
        """The entries at the given positions, with their columns, in that order.

        Parameters
        ----------
        index : iterable of int
            Positions, in the order wanted (repeats are kept).

        Returns
        -------
        Entries
            A new object; ``from_manifest`` is carried over.

        Raises
        ------
        IndexError
            A position is out of range.

        See Also
        --------
        gather : the entries of the job's inputs.

        Examples
        --------
        >>> from gaborcore.extract import Entries
        >>> nan = float("nan")
        >>> e = Entries(["/d/a.wav", "/d/a.wav", "/d/b.wav"],
        ...             {"label": ["dog", "cat", "dog"], "start": [0.0, 2.0, nan],
        ...              "end": [2.0, 4.0, nan]})
        >>> s = e.subset([2, 0])
        >>> s.paths, s.columns["label"], s.span(1)
        (['/d/b.wav', '/d/a.wav'], ['dog', 'dog'], (0.0, 2.0))
        """
        index = list(index)
        return Entries([self.paths[i] for i in index],
                       {k: [v[i] for i in index] for k, v in self.columns.items()},
                       self.from_manifest)


def entry_keys(paths: list[str], columns: dict) -> list[str]:
    """The key of each entry: its id when there is one, else its path and part."""
    ids = columns.get("id")
    starts, ends = columns.get("start"), columns.get("end")
    out = []
    for i, p in enumerate(paths):
        if ids is not None and ids[i]:
            out.append("id:" + ids[i])
            continue
        part = ""
        if starts is not None or ends is not None:
            a = starts[i] if starts is not None else math.nan
            b = ends[i] if ends is not None else math.nan
            if not (math.isnan(a) and math.isnan(b)):
                part = f"#{a!r}:{b!r}"
        out.append("path:" + p + part)
    return out


def _seconds(value: str, column: str, where: str) -> float:
    if value.strip() == "":
        return math.nan
    try:
        v = float(value)
    except ValueError:
        v = math.nan
    if not math.isfinite(v) or v < 0:
        raise ParameterError(f"manifest {where}: {column}={value!r} must be a number of seconds "
                             ">= 0 (or empty)")
    return v


def _read_text(path: str) -> str:
    if io.is_url(path):
        import fsspec

        with fsspec.open(path, "rt", encoding="utf-8") as fh:
            return fh.read()
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def read_manifest(path: str | os.PathLike) -> Entries:
    """The entries of a CSV or TSV manifest (see the module docstring).

    Parameters
    ----------
    path : str or path-like
        A ``.csv`` (comma-separated) or ``.tsv`` (tab-separated) file with a header row, or its
        URL.

    Returns
    -------
    Entries

    Raises
    ------
    ParameterError
        No ``path`` column, an unknown column, a bad start or end, or an unreadable file.

    See Also
    --------
    gather : every kind of input.

    Examples
    --------
    >>> import os, tempfile
    >>> from gaborcore.extract import read_manifest
    >>> d = tempfile.mkdtemp()
    >>> with open(os.path.join(d, "m.csv"), "w") as f:
    ...     _ = f.write("path,label,start\\ndog.wav,dog,1.5\\ncat.wav,cat,\\n")
    >>> e = read_manifest(os.path.join(d, "m.csv"))
    >>> [os.path.basename(p) for p in e.paths], e.columns["label"], e.span(0), e.span(1)
    (['dog.wav', 'cat.wav'], ['dog', 'cat'], (1.5, None), (None, None))
    """
    path = os.fspath(path)
    delimiter = "\t" if path.lower().endswith(".tsv") else ","
    try:
        text = _read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"manifest {path!r} cannot be read: {exc}") from None
    rows = list(csv.reader(_stdio.StringIO(text), delimiter=delimiter))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise ParameterError(f"manifest {path!r} is empty; it needs a header row with a 'path' "
                             "column")
    header = [h.strip().lower() for h in rows[0]]
    unknown = [h for h in header if h not in _COLUMNS]
    if "path" not in header or unknown:
        raise ParameterError(
            f"manifest {path!r} has columns {header}; allowed: {list(_COLUMNS)} (path required)")
    base = path.rsplit("/", 1)[0] if io.is_url(path) else os.path.dirname(os.path.abspath(path))
    col = {h: k for k, h in enumerate(header)}
    paths, columns = [], {h: [] for h in header if h != "path"}
    for line, row in enumerate(rows[1:], start=2):
        row = row + [""] * (len(header) - len(row))
        where = f"{path!r} line {line}"
        p = row[col["path"]].strip()
        if not p:
            raise ParameterError(f"manifest {where}: path is empty")
        if not io.is_url(p) and not os.path.isabs(os.path.expanduser(p)):
            p = f"{base}/{p}" if io.is_url(base) else os.path.join(base, p)
        paths.append(p if io.is_url(p) else os.path.abspath(os.path.expanduser(p)))
        for h in ("id", "label"):
            if h in col:
                columns[h].append(row[col[h]].strip())
        for h in ("start", "end"):
            if h in col:
                columns[h].append(_seconds(row[col[h]], h, where))
        if "start" in col and "end" in col:
            a, b = columns["start"][-1], columns["end"][-1]
            if not math.isnan(b) and b <= (0.0 if math.isnan(a) else a):
                raise ParameterError(f"manifest {where}: end={b} must be after start="
                                     f"{0.0 if math.isnan(a) else a}")
    ids = columns.get("id")
    if ids is not None:
        seen = set()
        for i in ids:
            if i and i in seen:
                raise ParameterError(f"manifest {path!r}: id {i!r} is given twice; ids must be "
                                     "unique")
            seen.add(i)
    return Entries(paths, columns, from_manifest=True)


def _find_url(url: str, exts: tuple) -> list[str]:
    """The audio files at a URL: itself, or those under it when it is a folder."""
    import fsspec

    fs, path = fsspec.core.url_to_fs(url)
    if not fs.exists(path):
        raise ParameterError(f"input {url!r} does not exist")
    if not fs.isdir(path):
        return [url]
    found = sorted(p for p in fs.find(path) if p.lower().endswith(exts)
                   and not os.path.basename(p).startswith("."))
    return [fs.unstrip_protocol(p) for p in found]


def gather(inputs, *, extensions: Iterable[str] = io.AUDIO_EXTENSIONS) -> Entries:
    """The entries named by ``inputs``: audio files, folders, list files, manifests and URLs.

    Parameters
    ----------
    inputs : str, path-like, sequence of them, or Entries
        Local inputs as :func:`gaborcore.io.find_audio` takes them; ``.csv`` / ``.tsv`` files
        are manifests (:func:`read_manifest`); URLs are files or folders of an fsspec file
        system.  A manifest cannot be mixed with other inputs.
    extensions : sequence of str
        Extensions taken from folders.

    Returns
    -------
    Entries

    Raises
    ------
    ParameterError
        An input does not exist, no audio file was found, or a manifest is mixed with others.

    See Also
    --------
    gaborcore.io.find_audio : local files, folders and list files.
    read_manifest : a manifest.

    Examples
    --------
    >>> import os, tempfile
    >>> from gaborcore.extract import gather
    >>> d = tempfile.mkdtemp()
    >>> for name in ("a.wav", "b.flac"):
    ...     open(os.path.join(d, name), "wb").close()
    >>> [os.path.basename(p) for p in gather(d).paths]
    ['a.wav', 'b.flac']
    """
    if isinstance(inputs, Entries):
        return inputs
    items = [inputs] if isinstance(inputs, str | os.PathLike) else list(inputs)
    names = [os.fspath(i) for i in items]
    manifests = [n for n in names if n.lower().endswith(MANIFEST_EXTENSIONS)]
    if manifests:
        if len(names) != 1:
            raise ParameterError(f"a manifest ({manifests[0]!r}) must be the only input; "
                                 f"got {len(names)} inputs")
        return read_manifest(names[0])
    exts = tuple(e.lower() if e.startswith(".") else "." + e.lower() for e in extensions)
    urls = [n for n in names if io.is_url(n)]
    if not urls:
        return Entries(io.find_audio(names, extensions=exts))
    found: dict[str, None] = {}
    for n in names:
        got = _find_url(n, exts) if io.is_url(n) else io.find_audio([n], extensions=exts)
        found.update(dict.fromkeys(got))
    if not found:
        raise ParameterError(f"no audio files found in {names} (extensions: {', '.join(exts)})")
    return Entries(list(found))
