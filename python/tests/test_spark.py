"""byod.spark on a real local Spark session (local[2]) against the CLI's bytes."""

from __future__ import annotations

import os
import sys
import unittest

import pyarrow as pa
import pyarrow.parquet as pq

import byod
import byod.spark
from helpers import DATASETS, run_cli, scratch


def session():
    # Executors run Python too: the same interpreter, where byod is installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("byod-tests")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "4")
             .config("spark.driver.memory", "2g")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class Spark(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spark = session()
        cls.folder = scratch()

    @classmethod
    def tearDownClass(cls):
        cls.spark.stop()

    def test_a_million_rows_in_8_partitions_are_the_cli_bytes(self):
        spec = byod.spec(byod.profile(DATASETS / "flights.parquet", guard_seed=7))
        spec_path = self.folder / "flights.spec.json"
        spec_path.write_text(spec.to_json())
        df = byod.spark.generate(self.spark, spec, 1_000_000, seed=5, partitions=8)
        self.assertEqual(df.rdd.getNumPartitions(), 8)
        rows = df.toArrow().cast(spec.schema)
        self.assertEqual(rows.num_rows, 1_000_000)
        ours = self.folder / "spark.csv"
        byod._byod.write_rows(spec.to_json(), rows, str(ours))
        theirs = self.folder / "cli.csv"
        run_cli("generate", "--spec", str(spec_path), "-n", "1000000", "--seed", "5",
                "-o", str(theirs))
        self.assertEqual(ours.read_bytes(), theirs.read_bytes())

    def test_a_dataframe_in_4_partitions_profiles_as_the_file(self):
        source = pq.read_table(DATASETS / "flights.parquet")
        path = self.folder / "flights4.parquet"
        pq.write_table(source, path, row_group_size=(source.num_rows + 3) // 4)
        # One partition per row group, in file order.
        self.spark.conf.set("spark.sql.files.maxPartitionBytes", str(os.path.getsize(path) // 4 + 1))
        self.spark.conf.set("spark.sql.files.openCostInBytes", "0")
        df = self.spark.read.parquet(str(path))
        self.assertEqual(df.rdd.getNumPartitions(), 4)
        for sample_size in [None, 100_000]:
            ours = byod.spark.profile(df, guard_seed=7, sample_size=sample_size)
            args = ["profile", str(path), "--guard-seed", "7"]
            if sample_size:
                args += ["--sample-size", str(sample_size)]
            self.assertEqual(ours.to_json().strip(), run_cli(*args).decode().strip(),
                             f"sample {sample_size}")

    def test_parts_written_on_the_executors_are_the_cli_parts(self):
        spec = byod.spec(byod.profile(DATASETS / "flights.parquet", guard_seed=7))
        spec_path = self.folder / "flights-write.spec.json"
        spec_path.write_text(spec.to_json())
        out = self.folder / "written"
        made = byod.spark.write(self.spark, spec, str(out), 200_000, seed=3, partitions=4)
        self.assertEqual(made, 200_000)
        names = sorted(p.name for p in out.iterdir())
        self.assertEqual(names, ["_SUCCESS"] + [f"part-0000{k}.parquet" for k in range(4)])
        # Each file is the CLI's --part file, and together they are its rows.
        for k in (1, 4):
            cli_part = self.folder / f"cli-part-{k}.parquet"
            run_cli("generate", "--spec", str(spec_path), "-n", "200000", "--seed", "3",
                    "--part", f"{k}/4", "-o", str(cli_part))
            self.assertEqual((out / f"part-0000{k - 1}.parquet").read_bytes(), cli_part.read_bytes())
        whole = self.folder / "cli-whole.parquet"
        run_cli("generate", "--spec", str(spec_path), "-n", "200000", "--seed", "3", "-o", str(whole))
        self.assertTrue(pq.read_table(out).equals(pq.read_table(whole)))
        # Text parts concatenate into the single run's bytes; a used folder is refused.
        text = self.folder / "written-csv"
        byod.spark.write(self.spark, spec, str(text), 30_000, seed=3, format="csv", partitions=3)
        joined = b"".join((text / f"part-0000{k}.csv").read_bytes() for k in range(3))
        self.assertEqual(joined, run_cli("generate", "--spec", str(spec_path), "-n", "30000",
                                         "--seed", "3"))
        with self.assertRaises(FileExistsError):
            byod.spark.write(self.spark, spec, str(text), 10, seed=3, format="csv", partitions=3)
        byod.spark.write(self.spark, spec, str(text), 10, seed=3, format="csv", partitions=2,
                         overwrite=True)
        self.assertEqual(sorted(p.name for p in text.iterdir()),
                         ["_SUCCESS", "part-00000.csv", "part-00001.csv"])
        with self.assertRaises(byod.ByodError) as refused:
            byod.spark.write(self.spark, spec, str(self.folder / "book"), 10, seed=3,
                             format="xlsx", partitions=2)
        self.assertIn("not xlsx", refused.exception.message)

    def test_time_columns_and_small_tables_cross_spark(self):
        # A table smaller than the partitions: some partitions are empty.
        table = pa.table({
            "at": pa.array(["08:15:00", "17:40:30", "12:00:00"] * 3),
            "ward": pa.array(["A", "B", "A"] * 3),
        })
        spec = byod.spec(byod.profile(table, guard_seed=1))
        df = byod.spark.generate(self.spark, spec, 5, seed=2, partitions=8)
        made = byod.generate(spec, 5, seed=2)
        self.assertEqual(made.schema.field("at").type, pa.time64("us"))
        self.assertEqual(df.toArrow().column("at").to_pylist(),
                         made.column("at").cast(pa.string()).to_pylist())
        self.assertEqual(df.toArrow().column("ward"), made.column("ward"))
        sdf = self.spark.createDataFrame(table.to_pandas()).repartition(6)
        self.assertEqual(byod.spark.profile(sdf.coalesce(1), guard_seed=1).columns, ["at", "ward"])


if __name__ == "__main__":
    unittest.main()
