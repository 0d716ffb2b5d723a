"""Run every code block of README.md that is meant to run, as a reader would, in order.

``python`` blocks run in one namespace (the README is a tutorial: later blocks use earlier names),
``bash`` blocks with ``bash -euo pipefail``, all in the repository root, where the placeholder
inputs the README names (``recordings/``, ``more.flac``, ``files.txt``, ``features.toml``) are made
first and removed afterwards.  The Quick start block is skipped here (``.ci/run`` runs it
verbatim); a block is also skipped when the line before its fence is an HTML comment
``<!-- not run in CI: reason -->`` (the reason is printed).  Any error fails.

    python .ci/readme.py [README.md]
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

FENCE = re.compile(r"^```(\w*)\s*$")
SKIP = re.compile(r"<!--\s*not run in CI:\s*(.+?)\s*-->")
PLACEHOLDERS = ("recordings", "more.flac", "files.txt", "features.toml")
# what the blocks write, removed afterwards
OUTPUTS = ("features.zarr", "my_demo", "fig1")


def blocks(text: str):
    """(line number, language, code, skip reason or None, section) for each fenced block."""
    lines = text.splitlines()
    section, i = "", 0
    while i < len(lines):
        if lines[i].startswith("#"):
            section = lines[i].lstrip("#").strip()
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, lang = i, m.group(1)
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        prev = next((ln for ln in reversed(lines[:start]) if ln.strip()), "")
        skip = SKIP.search(prev)
        yield start + 1, lang, "\n".join(lines[start + 1:j]), skip.group(1) if skip else None, section
        i = j + 1


def make_placeholders(root: pathlib.Path) -> None:
    import numpy as np
    import soundfile as sf

    rng = np.random.default_rng(0)
    rec = root / "recordings"
    rec.mkdir()
    for k in range(4):
        t = np.arange(22050 * 4) / 22050
        y = 0.3 * np.sin(2 * np.pi * (220 * (k + 1)) * t) + 0.01 * rng.standard_normal(t.size)
        sf.write(rec / f"clip{k}.wav", y.astype(np.float32), 22050)
    sf.write(root / "more.flac", (0.1 * rng.standard_normal(44100 * 4)).astype(np.float32), 44100)
    (root / "files.txt").write_text(f"{rec / 'clip0.wav'}\n{rec / 'clip1.wav'}\n")
    (root / "features.toml").write_text(
        'sr = 22050\nclip = 3.0\n\n[features.mel]\nn_fft = 1024\nhop_length = 256\nn_mels = 64\n')


def main(path: str = "README.md") -> int:
    root = pathlib.Path(path).resolve().parent
    os.chdir(root)
    made = [p for p in PLACEHOLDERS if not (root / p).exists()]
    if len(made) == len(PLACEHOLDERS):
        make_placeholders(root)
    namespace: dict = {"__name__": "__readme__"}
    ran = skipped = 0
    try:
        for line, lang, code, skip, section in blocks((root / path).read_text()):
            if lang not in ("python", "bash"):
                continue
            if section.lower() == "quick start":
                print(f"README.md:{line}: Quick start, run verbatim by .ci/run")
                skipped += 1
                continue
            if skip:
                print(f"README.md:{line}: not run ({skip})")
                skipped += 1
                continue
            t0 = time.perf_counter()
            if lang == "python":
                exec(compile(code, f"README.md:{line}", "exec"), namespace)  # noqa: S102
            else:
                subprocess.run(["bash", "-euo", "pipefail", "-c", code], check=True)
            ran += 1
            print(f"README.md:{line}: {lang} block ran in {time.perf_counter() - t0:.1f} s")
    finally:
        for name in made + list(OUTPUTS):
            target = root / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    print(f"README: {ran} code blocks ran without error, {skipped} not run here")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
