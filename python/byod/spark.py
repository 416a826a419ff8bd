"""byod on Apache Spark: generate and profile tables that live in a cluster.

Both run on the executors through Arrow (``mapInArrow``), so rows never pass
through the driver:

- :func:`generate` makes partition ``k`` of ``P`` the rows ``byod generate --part k/P``
  makes. The DataFrame, read in partition order, holds exactly the rows of one
  ``byod generate`` run with the same spec, row count and seed, whatever ``P`` is.
- :func:`profile` reads the DataFrame twice. Pass one infers each column's type on
  every partition, and the driver merges these scans (counts and flags, a few KB) in
  partition order. Pass two builds each partition's share of the profile's sample
  (at most ``sample_size`` rows in all, spread over the whole table); the driver
  joins them, profiles and guards once. The SafeProfile is byte for byte the one
  ``byod profile`` makes from the same rows in one Parquet file, with the same guard
  seed. Cache the DataFrame (``df.cache()``) when reading it twice is costly, or
  when its rows are not the same on every read (after a non-deterministic
  shuffle): pass two checks each partition's row count against pass one.

The executors need the ``byod`` wheel (``pip install`` on every node, or
``spark-submit --py-files byod-*.whl``) and pyarrow.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from typing import Any, Iterator, Optional, Union

import pyarrow as pa

from . import SafeProfile, Spec, _byod, _spec_json
from .errors import ByodError

__all__ = ["generate", "write", "profile"]


def generate(spark: Any, spec: Union[Spec, str], rows: Optional[int] = None, *, seed: int,
             partitions: Optional[int] = None) -> Any:
    """A DataFrame of the rows ``byod generate --spec S -n rows --seed seed`` makes.

    Partition ``k`` makes rows ``part k/P`` on its executor, streaming Arrow batches
    of 16,384 rows, so memory per partition does not grow with the row count.
    ``partitions`` defaults to Spark's default parallelism. Time-of-day columns come
    as ``HH:MM:SS.ffffff`` strings: Spark's Arrow conversion has no time type.
    """
    from pyspark.sql.pandas.types import from_arrow_schema

    spec_json = _spec_json(spec)
    total = Spec(spec_json).rows if rows is None else int(rows)
    parts = int(partitions or spark.sparkContext.defaultParallelism)
    if parts < 1:
        raise ValueError("partitions must be at least 1")
    made_schema = _byod.schema(spec_json)
    arrow_schema = _spark_schema(made_schema)
    # Only times of day need casting; other batches go to Spark as they are made.
    cast = arrow_schema != made_schema
    ranges = [_byod.part_range(spec_json, total, k + 1, parts) for k in range(parts)]

    def make(seeds: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in seeds:
            for k in batch.column(0).to_pylist():
                start, end = ranges[k]
                for made in _byod.generate(spec_json, total, seed=seed, start=start,
                                           count=end - start):
                    yield made.cast(arrow_schema) if cast else made

    # One seed row per partition: partition k holds the number k.
    ids = spark.range(0, parts, 1, numPartitions=parts)
    return ids.mapInArrow(make, from_arrow_schema(arrow_schema))


def write(spark: Any, spec: Union[Spec, str], path: str, rows: Optional[int] = None, *,
          seed: int, format: str = "parquet", partitions: Optional[int] = None,
          plain: bool = False, overwrite: bool = False) -> int:
    """Writes the output ``byod generate`` makes as ``partitions`` files in the folder
    ``path``, each made and written on an executor; returns the rows written.

    File ``part-0000k`` holds part ``k+1`` of ``P``, byte for byte the file
    ``byod generate --part k+1/P`` writes: Parquet parts read in name order are the
    single run's rows, and CSV, TSV or NDJSON parts joined in name order
    (``cat part-*``) are its bytes. The rows go from the engine to the file writer as
    they are made, without passing through Spark's rows, which makes this several
    times faster than ``generate(...).write.parquet(path)`` (see the README).

    ``path`` is a folder every executor can reach: a shared or local file system path,
    or a URI that ``pyarrow.fs`` opens (``s3://``, ``gs://``, ``hdfs://``, ``abfs://``),
    in which case each part is written to the executor's temporary folder first and
    then copied. ``_SUCCESS`` marks a finished write, as Spark's writers do. A folder
    that holds files is refused unless ``overwrite``, which removes its ``part-*``
    files first. Times of day are Parquet TIME columns, which Spark 4 reads only with
    ``spark.sql.timeType.enabled=true``.
    """
    import pyarrow.fs as pafs

    spec_json = _spec_json(spec)
    fmt = format.lower()
    total = Spec(spec_json).rows if rows is None else int(rows)
    parts = int(partitions or spark.sparkContext.defaultParallelism)
    if parts < 1:
        raise ValueError("partitions must be at least 1")
    # The core refuses formats that cannot be split (JSON arrays, workbooks) here, on
    # the driver, before any executor starts.
    _byod.write(spec_json, 0, os.devnull, seed=seed, format=fmt, part=(1, parts))
    if "://" in path:
        filesystem, root = pafs.FileSystem.from_uri(path)
    else:
        filesystem, root = pafs.LocalFileSystem(), os.path.abspath(path)
    filesystem.create_dir(root, recursive=True)
    present = filesystem.get_file_info(pafs.FileSelector(root))
    if present and not overwrite:
        raise FileExistsError(f"{path} holds files already: choose an empty folder, or overwrite=True")
    for info in present:
        name = info.base_name
        if info.type == pafs.FileType.File and (name.startswith("part-") or name == "_SUCCESS"):
            filesystem.delete_file(info.path)
    local = isinstance(filesystem, pafs.LocalFileSystem)

    def make(seeds: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in seeds:
            for k in batch.column(0).to_pylist():
                name = f"part-{k:05d}.{fmt}"
                if local:
                    made = _byod.write(spec_json, total, os.path.join(root, name), seed=seed,
                                       format=fmt, plain=plain, part=(k + 1, parts))
                else:
                    with tempfile.TemporaryDirectory(prefix="byod-part-") as scratch:
                        written = os.path.join(scratch, name)
                        made = _byod.write(spec_json, total, written, seed=seed, format=fmt,
                                           plain=plain, part=(k + 1, parts))
                        with open(written, "rb") as source, \
                                filesystem.open_output_stream(f"{root}/{name}") as target:
                            shutil.copyfileobj(source, target, 1 << 20)
                yield pa.RecordBatch.from_pydict({"part": [k], "rows": [made]})

    from pyspark.sql.types import LongType, StructField, StructType

    ids = spark.range(0, parts, 1, numPartitions=parts)
    written = ids.mapInArrow(make, StructType([
        StructField("part", LongType()), StructField("rows", LongType())])).collect()
    made = sum(row["rows"] for row in written)
    if len(written) != parts or made != total:
        raise ByodError(f"{len(written)} of {parts} parts were written, {made} of {total} rows",
                        "Malformed", "a task ran twice or not at all: write again with overwrite=True")
    with filesystem.open_output_stream(f"{root}/_SUCCESS"):
        pass
    return made


def _spark_schema(schema: pa.Schema) -> pa.Schema:
    """The output's schema as Spark takes Arrow: times of day as ``HH:MM:SS.ffffff`` text
    (Spark's Arrow conversion has no time type)."""
    return pa.schema([
        pa.field(f.name, pa.string(), f.nullable) if pa.types.is_time(f.type) else f
        for f in schema
    ])


def _partition() -> int:
    from pyspark import TaskContext

    return TaskContext.get().partitionId()


def _stream(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> pa.RecordBatchReader:
    """The partition's batches as one stream; an empty partition still has the schema."""
    first = next(batches, None)
    if first is None:
        return pa.RecordBatchReader.from_batches(schema, iter(()))

    def chain() -> Iterator[pa.RecordBatch]:
        yield first
        yield from batches

    return pa.RecordBatchReader.from_batches(first.schema, chain())


def profile(df: Any, *, sample_size: Optional[int] = None, epsilon: Optional[float] = None,
            guard_seed: Optional[int] = None) -> SafeProfile:
    """The SafeProfile of a DataFrame, profiled on the executors and guarded once.

    Equal to ``byod.profile`` (and ``byod profile``) of the same rows in one Parquet
    file, given the same ``sample_size`` and ``guard_seed``. The driver holds the
    merged scan and the sample: at most ``sample_size`` rows (default 1,000,000).
    """
    from pyspark.sql.pandas.types import to_arrow_schema
    from pyspark.sql.types import BinaryType, LongType, StringType, StructField, StructType

    arrow_schema = to_arrow_schema(df.schema)

    def scan(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        text = _byod.scan_partition(_stream(arrow_schema, batches))
        yield pa.RecordBatch.from_pydict({"partition": [_partition()], "scan": [text]})

    scanned = df.mapInArrow(scan, StructType([
        StructField("partition", LongType()), StructField("scan", StringType())])).collect()
    scans = [row["scan"] for row in sorted(scanned, key=lambda row: row["partition"])]
    merged = _byod.merge_scans(scans)
    counts = [_byod.scan_rows(s) for s in scans]
    firsts = [sum(counts[:i]) for i in range(len(counts))]

    def sample(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        k = _partition()
        seen = 0

        def counted() -> Iterator[pa.RecordBatch]:
            nonlocal seen
            for b in batches:
                seen += b.num_rows
                yield b

        kept = _byod.sample_partition(merged, firsts[k], _stream(arrow_schema, counted()),
                                      sample_size=sample_size)
        if seen != counts[k]:
            raise ByodError(
                f"partition {k} had {counts[k]} rows in the first pass and {seen} in the second",
                "InvalidDocument",
                "the DataFrame changed between the two passes: cache() it, or sort it, first")
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, kept.schema) as writer:
            writer.write_batch(kept)
        yield pa.RecordBatch.from_pydict({"partition": [k], "sample": [sink.getvalue().to_pybytes()]})

    sampled = df.mapInArrow(sample, StructType([
        StructField("partition", LongType()), StructField("sample", BinaryType())])).collect()
    samples = [_read_ipc(row["sample"]) for row in sorted(sampled, key=lambda row: row["partition"])]
    safe, withheld, warnings = _byod.profile_partitions(
        merged, samples, sample_size=sample_size, epsilon=epsilon, guard_seed=guard_seed)
    return SafeProfile(safe, json.loads(withheld), warnings)


def _read_ipc(data: bytes) -> pa.RecordBatch:
    table = pa.ipc.open_stream(data).read_all().combine_chunks()
    batches = table.to_batches()
    return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)

