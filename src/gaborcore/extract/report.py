"""What a run of the job did: counts, failures, throughput and where the time went."""

from __future__ import annotations

import dataclasses

__all__ = ["ExtractReport"]


@dataclasses.dataclass
class ExtractReport:
    """What a run of :func:`gaborcore.extract.extract` did.

    Parameters
    ----------
    store : str
        The store's path or URL.
    features : tuple of str
        The features extracted.
    n_inputs : int
        Entries named by the inputs.
    n_skipped : int
        Of those, finished by an earlier run (skipped).
    n_ok, n_failed : int
        Entries done by this run, and those of them that failed.
    failures : list of (str, str)
        Path and reason of each entry that failed in this run.
    audio_seconds : float
        Audio decoded by this run, at ``sr``.
    elapsed_seconds : float
        Wall time of the whole call.
    setup_seconds : float
        Of that, the time before the first task: inputs, store, plans and their first call.
    decode_seconds, compute_seconds : float
        Time the workers spent decoding (and resampling, cutting clips) and computing features,
        summed over workers.
    write_seconds : float
        Time this process spent handing rows to the writer and committing.
    runner : str
        Where the work ran.
    dry_run : bool
        Nothing was computed or written (``dry_run=True``): ``n_ok`` counts the entries to do.

    See Also
    --------
    gaborcore.extract.extract : returns one.

    Examples
    --------
    >>> from gaborcore.extract import ExtractReport
    >>> r = ExtractReport("f.zarr", ("mel",), n_inputs=3, n_ok=2, n_failed=1,
    ...                   failures=[("c.wav", "empty file (0 bytes)")])
    >>> r.to_dict()["failures"]
    [{'path': 'c.wav', 'reason': 'empty file (0 bytes)'}]
    """

    store: str
    features: tuple
    n_inputs: int = 0
    n_skipped: int = 0
    n_ok: int = 0
    n_failed: int = 0
    failures: list = dataclasses.field(default_factory=list)
    audio_seconds: float = 0.0
    elapsed_seconds: float = 0.0
    setup_seconds: float = 0.0
    decode_seconds: float = 0.0
    compute_seconds: float = 0.0
    write_seconds: float = 0.0
    runner: str = ""
    dry_run: bool = False

    @property
    def audio_seconds_per_second(self) -> float:
        """Throughput: seconds of audio per second of wall time, setup excluded.

        Returns
        -------
        float
            ``audio_seconds / (elapsed_seconds - setup_seconds)``: the rate of the work itself,
            without the inputs, store and plans made before the first task.

        See Also
        --------
        ExtractReport.decode_share : where the workers' time went.
        ExtractReport.summary : both, for people.

        Examples
        --------
        >>> from gaborcore.extract import ExtractReport
        >>> r = ExtractReport("f.zarr", ("mel",), n_inputs=3, n_ok=2, n_failed=1,
        ...                   failures=[("c.wav", "empty file (0 bytes)")], audio_seconds=120.0,
        ...                   elapsed_seconds=2.5, setup_seconds=0.5, decode_seconds=1.0,
        ...                   compute_seconds=3.0, write_seconds=0.25, runner="4 threads")
        >>> r.audio_seconds_per_second
        60.0
        """
        return self.audio_seconds / max(self.elapsed_seconds - self.setup_seconds, 1e-9)

    @property
    def decode_share(self) -> float:
        """Decoding's share of the workers' time (decoding + computing).

        Returns
        -------
        float
            ``decode_seconds / (decode_seconds + compute_seconds)``, from 0 to 1; 0.0 when the
            workers did nothing (nothing to do, or a dry run).  Near 1, decoding (and
            resampling) limits the run, not the features.

        See Also
        --------
        ExtractReport.audio_seconds_per_second : the throughput.

        Examples
        --------
        >>> from gaborcore.extract import ExtractReport
        >>> r = ExtractReport("f.zarr", ("mel",), n_inputs=3, n_ok=2, n_failed=1,
        ...                   failures=[("c.wav", "empty file (0 bytes)")], audio_seconds=120.0,
        ...                   elapsed_seconds=2.5, setup_seconds=0.5, decode_seconds=1.0,
        ...                   compute_seconds=3.0, write_seconds=0.25, runner="4 threads")
        >>> r.decode_share
        0.25
        """
        busy = self.decode_seconds + self.compute_seconds
        return self.decode_seconds / busy if busy else 0.0

    def to_dict(self) -> dict:
        """JSON-compatible summary (what ``gaborcore extract --json`` prints).

        Returns
        -------
        dict
            Every field, with ``features`` a list, each failure a ``{"path", "reason"}`` dict,
            and ``audio_seconds_per_second`` added.

        See Also
        --------
        ExtractReport.summary : the same for people.

        Examples
        --------
        >>> from gaborcore.extract import ExtractReport
        >>> r = ExtractReport("f.zarr", ("mel",), n_inputs=3, n_ok=2, n_failed=1,
        ...                   failures=[("c.wav", "empty file (0 bytes)")], audio_seconds=120.0,
        ...                   elapsed_seconds=2.5, setup_seconds=0.5, decode_seconds=1.0,
        ...                   compute_seconds=3.0, write_seconds=0.25, runner="4 threads")
        >>> d = r.to_dict()
        >>> d["features"], d["failures"][0]["reason"], d["audio_seconds_per_second"]
        (['mel'], 'empty file (0 bytes)', 60.0)
        """
        out = dataclasses.asdict(self)
        out["features"] = list(self.features)
        out["failures"] = [{"path": p, "reason": r} for p, r in self.failures]
        out["audio_seconds_per_second"] = self.audio_seconds_per_second
        return out

    def summary(self) -> str:
        """A few lines for people: counts, throughput, where the time went, failures.

        Returns
        -------
        str
            What ``gaborcore extract`` prints at the end: the first line counts the files
            (extracted, failed, already done) and names the runner, the second gives the
            throughput and the decode / compute / write split, then up to ten failures.  A dry
            run or a run with nothing to do gives one line.

        See Also
        --------
        ExtractReport.to_dict : the same as data.

        Examples
        --------
        >>> from gaborcore.extract import ExtractReport
        >>> r = ExtractReport("f.zarr", ("mel",), n_inputs=3, n_ok=2, n_failed=1,
        ...                   failures=[("c.wav", "empty file (0 bytes)")], audio_seconds=120.0,
        ...                   elapsed_seconds=2.5, setup_seconds=0.5, decode_seconds=1.0,
        ...                   compute_seconds=3.0, write_seconds=0.25, runner="4 threads")
        >>> counts, timing, failure = r.summary().splitlines()
        >>> print(counts)
        f.zarr: 2 files extracted (mel), 1 failed, 0 already done, on 4 threads
        >>> print(timing.replace("; ", ";\\n  "))  # one long line, cut here to fit
          120.0 s of audio in 2.50 s (setup 0.50 s) = 60 s of audio per second;
          workers decoding 25 %, computing 75 %;
          writing 0.25 s
        >>> print(failure)
          failed: c.wav: empty file (0 bytes)
        """
        if self.dry_run:
            return (f"{self.store}: dry run: {self.n_ok} of {self.n_inputs} entries to do "
                    f"({', '.join(self.features)}), {self.n_skipped} already done; nothing "
                    "written")
        if self.n_ok + self.n_failed == 0:
            return (f"{self.store}: nothing to do, the {self.n_skipped} files given are done "
                    "(retry_failed / --retry-failed processes the failed ones again)")
        lines = [
            f"{self.store}: {self.n_ok} file{'' if self.n_ok == 1 else 's'} extracted "
            f"({', '.join(self.features)}), "
            f"{self.n_failed} failed, {self.n_skipped} already done, on {self.runner}",
            f"  {self.audio_seconds:,.1f} s of audio in {self.elapsed_seconds:.2f} s (setup "
            f"{self.setup_seconds:.2f} s) = {self.audio_seconds_per_second:,.0f} s of audio per "
            "second; workers decoding "
            f"{100 * self.decode_share:.0f} %, computing {100 * (1 - self.decode_share):.0f} %; "
            f"writing {self.write_seconds:.2f} s",
        ]
        for path, reason in self.failures[:10]:
            lines.append(f"  failed: {path}: {reason}")
        if len(self.failures) > 10:
            lines.append(f"  ... and {len(self.failures) - 10} more (see the store's status and "
                         "error arrays)")
        return "\n".join(lines)
