"""Finding audio files: folders, list files and single files as absolute paths; URLs told apart
from local paths."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from .._validation import ParameterError

#: File name extensions taken from folders (case-insensitive).
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".au")
#: An input file with one of these extensions is a list of paths, one per line.
LIST_EXTENSIONS = (".txt", ".lst", ".list")


def is_url(path) -> bool:
    """Whether ``path`` is a URL (``scheme://...``) for :mod:`fsspec`, not a local path.

    Parameters
    ----------
    path : object
        A path, a URL or anything else.

    Returns
    -------
    bool

    See Also
    --------
    load, gaborcore.extract.extract : which read URLs through fsspec.

    Examples
    --------
    >>> from gaborcore.io import is_url
    >>> is_url("s3://bucket/a.flac"), is_url("/data/a.flac"), is_url(r"C:\\data\\a.wav")
    (True, False, False)
    """
    if not isinstance(path, str):
        return False
    scheme, sep, _ = path.partition("://")
    return bool(sep) and scheme.replace("+", "").replace("-", "").replace(".", "").isalnum()


def _list_file(path: Path) -> list[str]:
    """Paths in a list file: one per line, relative to the list's folder; ``#`` starts a comment."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ParameterError(f"list file {str(path)!r} is not UTF-8 text") from None
    out = []
    for line in text.splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#"):
            p = Path(entry).expanduser()
            out.append(str(p if p.is_absolute() else path.parent / p))
    return out


def _normal_absolute(p: str) -> bool:
    """Whether ``os.path.abspath(p) == p`` is sure without computing it (a POSIX path that
    starts with "/" and holds no "//", "/./", "/../" and no trailing "/" or "/." is normal)."""
    return (os.sep == "/" and p[:1] == "/" and "//" not in p and "/." not in p
            and p[-1:] != "/")


def find_audio(inputs: Iterable[str | os.PathLike], *,
               extensions: Iterable[str] = AUDIO_EXTENSIONS) -> list[str]:
    """The audio files named by ``inputs``, as absolute paths, in order, without duplicates.

    Each input is a file (taken whatever its extension), a folder (searched recursively for
    ``extensions``, in sorted order, hidden files and folders skipped) or a list file (extension
    in :data:`LIST_EXTENSIONS`: one path per line, relative to the list's folder; ``#`` comments).
    Paths in a list file are not checked here: a missing one becomes a failed entry of the job.

    Parameters
    ----------
    inputs : str, path-like or iterable of them
        Files, folders and list files.
    extensions : iterable of str
        Extensions taken from folders (case-insensitive; with or without the dot).

    Returns
    -------
    list of str
        Absolute paths.

    Raises
    ------
    ParameterError
        An input does not exist, or no audio file was found.

    See Also
    --------
    gaborcore.extract.gather : manifests and URLs too.

    Examples
    --------
    >>> import os, tempfile, numpy as np, soundfile
    >>> from gaborcore import io
    >>> d = tempfile.mkdtemp()
    >>> for name in ("b.wav", "a.flac", ".hidden.wav"):
    ...     open(os.path.join(d, name), "wb").close()
    >>> [os.path.basename(p) for p in io.find_audio(d)]
    ['a.flac', 'b.wav']
    """
    exts = tuple(e.lower() if e.startswith(".") else "." + e.lower() for e in extensions)
    if not exts:
        raise ParameterError("extensions is empty: no file in a folder would be taken")
    found: dict[str, None] = {}
    inputs = [inputs] if isinstance(inputs, str | os.PathLike) else list(inputs)
    for item in inputs:
        p = os.fspath(item)
        if p[:1] == "~":
            p = os.path.expanduser(p)
        try:  # one system call per input: thousands of files may be named one by one
            mode = os.stat(p).st_mode
        except (FileNotFoundError, NotADirectoryError, ValueError):
            raise ParameterError(f"input {str(item)!r} does not exist") from None
        except OSError as exc:
            raise ParameterError(f"input {str(item)!r} cannot be read: {exc.strerror}") from None
        if stat.S_ISDIR(mode):
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if not name.startswith(".") and name.lower().endswith(exts):
                        found.setdefault(os.path.abspath(os.path.join(root, name)))
        elif (stat.S_ISREG(mode) and p.lower().endswith(LIST_EXTENSIONS)
              and os.path.splitext(p)[1].lower() in LIST_EXTENSIONS):
            for entry in _list_file(Path(p)):
                found.setdefault(os.path.abspath(entry))
        else:
            found.setdefault(p if _normal_absolute(p) else os.path.abspath(p))
    if not found:
        raise ParameterError(
            f"no audio files found in {[str(i) for i in inputs]} (extensions: {', '.join(exts)})"
        )
    return list(found)
