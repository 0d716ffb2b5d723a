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
        """Throughput: seconds of audio per second of wall time, setup excluded."""
        return self.audio_seconds / max(self.elapsed_seconds - self.setup_seconds, 1e-9)

    @property
    def decode_share(self) -> float:
        """Decoding's share of the workers' time (decoding + computing)."""
        busy = self.decode_seconds + self.compute_seconds
        return self.decode_seconds / busy if busy else 0.0

    def to_dict(self) -> dict:
        """JSON-compatible summary (what ``gaborcore extract --json`` prints)."""
        out = dataclasses.asdict(self)
        out["features"] = list(self.features)
        out["failures"] = [{"path": p, "reason": r} for p, r in self.failures]
        out["audio_seconds_per_second"] = self.audio_seconds_per_second
        return out

    def summary(self) -> str:
        """A few lines for people."""
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
