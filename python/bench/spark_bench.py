"""Spark against the CLI, in one run on one machine (outside the test command).

    BYOD_BIN=target/release/byod PYSPARK_PYTHON=$(which python) python python/bench/spark_bench.py [ROWS]

Prints rows per second per core for: the CLI alone (`byod generate`, every core),
Spark local[2] `count()` of a generated DataFrame, Spark writing it to Parquet, and
`byod.spark.write` writing Parquet parts on the executors;
the peak memory of one partition making 1M and 10M rows; and profile throughput of
`byod.spark.profile` against `byod profile` on the same Parquet file. Use a release
wheel (`maturin build --release`), as users get.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

import byod
import byod.spark

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"
CORES = 2


def timed(work):
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def best(runs, work):
    return min(timed(work)[0] for _ in range(runs))


def peak_rss_mb(rows: int, spec_path: Path) -> float:
    """Peak memory of a fresh process that makes `rows` rows as one partition does."""
    code = (
        "import resource, byod, sys\n"
        f"spec = byod.Spec.from_json(open({str(spec_path)!r}).read())\n"
        f"n = 0\nfor b in byod.generate_batches(spec, {rows}, seed=1):\n    n += b.num_rows\n"
        "assert n == %d\n" % rows
        + "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, text=True)
    return float(out.stdout.strip())


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    cli = os.environ["BYOD_BIN"]
    work = Path(tempfile.mkdtemp(prefix="byod-bench-"))
    spec = byod.spec(byod.profile(DATASETS / "flights.parquet", guard_seed=1))
    spec_path = work / "flights.spec.json"
    spec_path.write_text(spec.to_json())

    print(f"flights spec, {rows:,} rows, {CORES} cores")
    cli_csv = best(2, lambda: subprocess.run(
        [cli, "generate", "--spec", str(spec_path), "-n", str(rows), "--seed", "1",
         "-o", str(work / "cli.csv")], check=True))
    cli_parquet = best(2, lambda: subprocess.run(
        [cli, "generate", "--spec", str(spec_path), "-n", str(rows), "--seed", "1",
         "-o", str(work / "cli.parquet")], check=True))
    python_arrow = best(2, lambda: sum(b.num_rows for b in byod.generate_batches(spec, rows, seed=1)))
    per_core = lambda seconds, cores=CORES: rows / seconds / cores
    print(f"  CLI to CSV            {cli_csv:7.2f} s  {per_core(cli_csv):>12,.0f} rows/s/core")
    print(f"  CLI to Parquet        {cli_parquet:7.2f} s  {per_core(cli_parquet):>12,.0f} rows/s/core")
    print(f"  Python, Arrow batches {python_arrow:7.2f} s  {per_core(python_arrow, 1):>12,.0f} rows/s/core (one thread)")

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master(f"local[{CORES}]").appName("byod-bench")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", "4g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    parts = 4 * CORES
    df = byod.spark.generate(spark, spec, rows, seed=1, partitions=parts)
    df.count()  # warm the Python workers
    count = best(2, df.count)
    out = work / "spark.parquet"
    write = best(1, lambda: df.write.mode("overwrite").parquet(str(out)))
    direct = best(2, lambda: byod.spark.write(spark, spec, str(work / "parts"), rows, seed=1,
                                              partitions=parts, overwrite=True))
    print(f"  Spark count()         {count:7.2f} s  {per_core(count):>12,.0f} rows/s/core  ({count / cli_parquet:.2f}x the CLI to Parquet)")
    print(f"  Spark to Parquet      {write:7.2f} s  {per_core(write):>12,.0f} rows/s/core  ({write / cli_parquet:.2f}x the CLI to Parquet; df.write.parquet)")
    print(f"  byod.spark.write      {direct:7.2f} s  {per_core(direct):>12,.0f} rows/s/core  ({direct / cli_parquet:.2f}x the CLI to Parquet; parts written on the executors)")

    for n in (1_000_000, 10_000_000):
        print(f"  one partition making {n:>10,} rows: peak {peak_rss_mb(n, spec_path):6.0f} MB (the Python worker)")

    # Profile: a Parquet file of the generated rows, 8 row groups, read as 8 partitions.
    # At most 3M rows: the CLI holds a whole file decoded, up to 1 GiB (Spark streams).
    table = pq.read_table(work / "cli.parquet").slice(0, 3_000_000)
    rows = table.num_rows
    path = work / "profile.parquet"
    pq.write_table(table, path, row_group_size=(table.num_rows + 7) // 8)
    del table
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(os.path.getsize(path) // 8 + 1))
    spark.conf.set("spark.sql.files.openCostInBytes", "0")
    frame = spark.read.parquet(str(path))
    cli_profile = best(2, lambda: subprocess.run(
        [cli, "profile", str(path), "--guard-seed", "1"], check=True, capture_output=True))
    spark_profile = best(2, lambda: byod.spark.profile(frame, guard_seed=1))
    same = byod.spark.profile(frame, guard_seed=1).to_json().strip() == subprocess.run(
        [cli, "profile", str(path), "--guard-seed", "1"], check=True,
        capture_output=True, text=True).stdout.strip()
    print(f"profile, {rows:,} rows")
    print(f"  byod profile          {cli_profile:7.2f} s  {rows / cli_profile:>12,.0f} rows/s")
    print(f"  byod.spark.profile    {spark_profile:7.2f} s  {rows / spark_profile:>12,.0f} rows/s"
          f"  ({frame.rdd.getNumPartitions()} partitions; SafeProfile identical: {same})")
    print(f"  driver peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    spark.stop()
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
