"""What the Python tests share: the CLI to compare with, the datasets, temporary files."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT.parent / "shared" / "datasets"
DEMO = ROOT / "public" / "demo"


def cli() -> str:
    """The `byod` binary built from the same sources (scripts/test.sh sets BYOD_BIN)."""
    path = os.environ.get("BYOD_BIN")
    if not path or not Path(path).exists():
        raise RuntimeError("set BYOD_BIN to the byod binary (scripts/test.sh does)")
    return path


def run_cli(*args: str) -> bytes:
    done = subprocess.run([cli(), *args], capture_output=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"byod {' '.join(args)} failed: {done.stderr.decode()}")
    return done.stdout


def scratch() -> Path:
    """A fresh folder, removed when the test process ends (each held ~190 MB of Spark
    output, and they piled up in the temp folder)."""
    path = Path(tempfile.mkdtemp(prefix="byod-py-"))
    atexit.register(shutil.rmtree, path, True)
    return path
