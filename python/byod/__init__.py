"""Privacy-first synthetic data, on your own machine or on Spark.

The same core as the ``byod`` command line and the page, compiled for Python::

    import byod

    safe = byod.profile("patients.csv")            # read, profile, guard: stays local
    print(safe.withheld)                           # what the guard kept back, and why
    spec = byod.spec(safe, strictness=0.8)         # the template's generation spec
    table = byod.generate(spec, 10_000, seed=42)   # a pyarrow.Table
    report = byod.evaluate("patients.csv", table)  # fidelity and privacy, as a dict

Rows are identical to ``byod generate --spec spec.json -n 10000 --seed 42`` for the
same spec, seed and range, so work can be split across processes and machines
(:func:`generate` with ``start``, or :mod:`byod.spark`).

Data passes as Arrow (``pyarrow.Table``, ``RecordBatchReader``, polars and pandas
DataFrames), through the Arrow C Data Interface: pyarrow and polars data are read
without a copy.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import pyarrow as pa

from . import _byod
from .errors import ByodError

__all__ = [
    "ByodError",
    "SafeProfile",
    "Spec",
    "profile",
    "spec",
    "generate",
    "generate_batches",
    "evaluate",
    "write",
    "generate_synthetic",
]

#: A path to a file (CSV, TSV, JSON, NDJSON, Excel, Parquet), or Arrow data.
Data = Union[str, "os.PathLike[str]", pa.Table, pa.RecordBatchReader, Any]


class _Document:
    """A JSON document the core has checked, kept as its text: what is passed on is
    exactly what was checked, and what the CLI prints."""

    def __init__(self, json_text: str):
        self._json = json_text

    @classmethod
    def from_json(cls, text: str):
        """The document from its JSON (the CLI's output, or :meth:`to_json`).

        Raises :class:`ByodError` naming the JSON path and what to try when it is invalid.
        """
        return cls(text)

    def to_json(self) -> str:
        """The document as JSON (pretty, as the CLI prints it)."""
        return self._json

    def to_dict(self) -> Dict[str, Any]:
        """The document as a dictionary."""
        return json.loads(self._json)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._json == other._json  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]


class SafeProfile(_Document):
    """What the privacy guard lets leave the machine: the only input a spec needs.

    ``to_json()`` is the document ``byod profile`` prints, and the one LLM mode sends.
    """

    def __init__(self, json_text: str, withheld: Optional[List[Dict[str, str]]] = None,
                 warnings: Optional[List[str]] = None):
        super().__init__(json_text)
        #: What the guard withheld: ``[{"column", "what", "why"}]``. Local only.
        self.withheld: List[Dict[str, str]] = withheld or []
        #: What the reader fixed or noticed (renamed headers, mixed number formats).
        self.warnings: List[str] = warnings or []

    @classmethod
    def from_json(cls, text: str) -> "SafeProfile":
        """A SafeProfile written by :meth:`to_json` or ``byod profile``, checked as the
        relay checks one it receives."""
        _byod.check_safe_profile(text)
        return cls(text)

    @property
    def row_count(self) -> int:
        """Rows in the source (noised when ``epsilon`` was given)."""
        return int(self.to_dict()["row_count"])

    @property
    def columns(self) -> List[str]:
        """Column names, in order."""
        return [c["name"] for c in self.to_dict()["columns"]]

    def __repr__(self) -> str:
        return f"SafeProfile({len(self.columns)} columns, {self.row_count} rows)"


class Spec(_Document):
    """A declarative generation spec (JSON, never code), checked when made."""

    def __init__(self, json_text: str):
        #: What the compiler noticed (and fixed) in the spec.
        self.warnings: List[str] = _byod.check_spec(json_text)
        super().__init__(json_text)

    @property
    def rows(self) -> int:
        """The rows it makes by default (the source's row count)."""
        return int(self.to_dict()["default_rows"])

    @property
    def schema(self) -> pa.Schema:
        """The Arrow schema of the rows it makes."""
        return _byod.schema(self._json)

    def __repr__(self) -> str:
        return f"Spec({len(self.to_dict()['columns'])} columns, {self.rows} rows by default)"


def _arrow(data: Any) -> Any:
    """A path stays a path; DataFrames become Arrow streams (no copy for polars)."""
    if isinstance(data, (str, os.PathLike)):
        return os.fspath(data)
    if isinstance(data, pa.Table):
        return data
    if hasattr(data, "__arrow_c_stream__"):
        return data
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional
        pd = None
    if pd is not None and isinstance(data, pd.DataFrame):
        return pa.Table.from_pandas(data, preserve_index=False)
    raise TypeError(
        f"cannot read {type(data).__name__}: give a path, a pyarrow Table or "
        "RecordBatchReader, or a pandas or polars DataFrame"
    )


def _spec_json(s: Union[Spec, str]) -> str:
    # Text is checked where it is compiled, once (a Spec was checked when made).
    return s.to_json() if isinstance(s, Spec) else s


def profile(data: Data, *, sample_size: Optional[int] = None, epsilon: Optional[float] = None,
            sheet: Optional[str] = None, guard_seed: Optional[int] = None) -> SafeProfile:
    """Reads, profiles and guards ``data``; returns what may leave the machine.

    ``data`` is a file path (any format the CLI reads) or Arrow data: a
    ``pyarrow.Table`` or ``RecordBatchReader``, or a pandas or polars DataFrame. Arrow
    data is read as a Parquet file of the same columns is, so its SafeProfile says
    ``"format": "parquet"``.

    ``sample_size`` rows (default 1,000,000, spread over the table) are profiled;
    counts stay exact. ``epsilon`` adds differential privacy to the released
    figures. ``guard_seed`` fixes the guard's randomness: for tests only, as it makes
    each column's k predictable.
    """
    safe, withheld, warnings = _byod.profile(
        _arrow(data), sample_size=sample_size, epsilon=epsilon, sheet=sheet,
        guard_seed=guard_seed)
    return SafeProfile(safe, json.loads(withheld), warnings)


def spec(safe_profile: Union[SafeProfile, str], strictness: float = 0.8) -> Spec:
    """The template's spec for a SafeProfile (no network).

    ``strictness`` (0–1, default 0.8) is the Match Strictness of the page: how closely
    the output follows the real distributions (higher keeps more detail the guard
    released).
    """
    text = safe_profile.to_json() if isinstance(safe_profile, SafeProfile) else safe_profile
    return Spec(_byod.template_spec(text, float(strictness)))


def generate_batches(spec: Union[Spec, str], rows: Optional[int] = None, *, seed: int,
                     start: int = 0, count: Optional[int] = None) -> pa.RecordBatchReader:
    """Rows ``start .. start + count`` of an output of ``rows`` rows, made as they are read.

    Each batch is made when it is read (16,384 rows at a time), so any number of rows
    streams in constant memory. ``rows`` defaults to the spec's row count and
    ``count`` to the rest of the output.
    """
    return _byod.generate(_spec_json(spec), rows, seed=seed, start=start, count=count)


def generate(spec: Union[Spec, str], rows: Optional[int] = None, *, seed: int,
             start: int = 0, count: Optional[int] = None) -> pa.Table:
    """The rows ``byod generate --spec S -n rows --seed seed`` makes, as a ``pyarrow.Table``.

    With ``start`` and ``count``, only that slice of the same output: slices made
    anywhere join into the whole. For large outputs use :func:`generate_batches`.
    """
    return generate_batches(spec, rows, seed=seed, start=start, count=count).read_all()


def write(spec: Union[Spec, str], path: Union[str, "os.PathLike[str]"], rows: Optional[int] = None,
          *, seed: int, format: Optional[str] = None, plain: bool = False,
          part: Optional[Tuple[int, int]] = None) -> int:
    """Writes an output to ``path`` byte for byte as ``byod generate`` does; returns rows.

    ``format`` (csv, tsv, json, ndjson, xlsx, parquet) defaults to the path's
    extension. Text is written the way the source was (delimiter, number formats,
    yes/no words) unless ``plain``. ``part=(k, P)`` writes only part ``k`` of ``P``, as
    ``byod generate --part k/P``: CSV, TSV and NDJSON parts joined in order are the
    whole file's bytes, and Parquet parts read in order are its rows.
    """
    fmt = format or Path(path).suffix.lstrip(".").lower() or "csv"
    return _byod.write(_spec_json(spec), rows, os.fspath(path), seed=seed, format=fmt, plain=plain,
                       part=part)


def evaluate(real: Data, synthetic: Data, *, seed: int = 0, dcr_rows: int = 5000) -> Dict[str, Any]:
    """Scores ``synthetic`` against ``real``: the report of ``byod evaluate --json``.

    Fidelity (SDMetrics' Quality Report: column shapes and pair trends), validity,
    and privacy (exact copies, distance to closest record). The report holds real
    category labels: keep it local.
    """
    return json.loads(_byod.evaluate(_arrow(real), _arrow(synthetic), seed=seed, dcr_rows=dcr_rows))


def _opaque_identifiers(spec_json: str) -> str:
    """The spec with shaped text (``MRN-0042317``, ``AB12 3CD``) made opaque (UUIDs)."""
    doc = json.loads(spec_json)
    for column in doc["columns"]:
        generator = column.get("generator", {})
        if generator.get("kind") == "pattern":
            column["generator"] = {"kind": "uuid"}
        elif generator.get("kind") == "categorical" and generator.get("other_shapes"):
            generator["other_shapes"] = [{"value": "Aaaaaaaa", "weight": 1.0}]
    return json.dumps(doc, indent=2)


def generate_synthetic(file: Data, num_rows: Optional[int] = None, match_threshold: float = 0.8,
                       preserve_patterns: bool = True, *, output: Optional[str] = None,
                       seed: Optional[int] = None, format: Optional[str] = None,
                       epsilon: Optional[float] = None) -> Any:
    """The user guide's one call: a file in, synthetic rows out.

    - ``num_rows``: rows to make (default: as many as the file has).
    - ``match_threshold``: the Match Strictness, 0–1 (default 0.8; 0.7–0.85 suits most
      uses, higher follows the real distributions more closely).
    - ``preserve_patterns`` (default True): identifier and text columns keep the
      shapes of the real values (``MRN-0042317`` comes back as another ``MRN-`` and
      seven digits, a UK postcode as a postcode), so the test data passes the same
      format checks as production. With False they become opaque random UUIDs.
      Either way no real identifier is copied: shapes are released only when at
      least k values share them.
    - ``output``: also write the rows to this path (format from the extension, or
      ``format``), byte for byte as ``byod generate`` would.
    - ``seed``: repeat a run exactly (default: fresh, kept in the result's metadata).

    Returns a pandas DataFrame when pandas is installed (the seed in
    ``df.attrs["byod_seed"]``), else a ``pyarrow.Table`` (seed in the schema metadata).
    """
    seed = secrets.randbits(63) if seed is None else int(seed)
    safe = profile(file, epsilon=epsilon)
    made = spec(safe, strictness=match_threshold)
    if not preserve_patterns:
        made = Spec(_opaque_identifiers(made.to_json()))
    table = generate(made, num_rows, seed=seed)
    if output is not None:
        write(made, output, num_rows, seed=seed, format=format)
    table = table.replace_schema_metadata({"byod_seed": str(seed)})
    try:
        import pandas  # noqa: F401
    except ImportError:
        return table
    frame = table.to_pandas()
    frame.attrs["byod_seed"] = seed
    return frame

