"""The Python API against the CLI: same profiles, same rows, same bytes, same report."""

from __future__ import annotations

import json
import re
import unittest

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

import byod
from helpers import DATASETS, DEMO, run_cli, scratch

FORMATS = ["csv", "tsv", "json", "ndjson", "xlsx", "parquet"]
SENTINELS = {
    "patient_id": "MRN-9990001",
    "patient_name": "Quintessa Sentinelle",
    "ssn": "219-09-9999",
    "email": "quintessa.sentinelle@example.org",
    "street_address": "1 Sentinel Way",
    "credit_card_number": "4111111111111111",
}


class Profile(unittest.TestCase):
    def test_a_file_profiles_as_the_cli_profiles_it(self):
        for name in ["penguins.csv", "airports.json", "cars.xlsx", "seattle_weather.csv"]:
            path = DATASETS / name
            ours = byod.profile(path, guard_seed=7).to_json()
            theirs = run_cli("profile", str(path), "--guard-seed", "7").decode()
            self.assertEqual(ours.strip(), theirs.strip(), name)

    def test_arrow_pandas_and_polars_data_profile_as_the_parquet_file(self):
        path = DATASETS / "penguins.parquet"
        file = byod.profile(path, guard_seed=3)
        table = pq.read_table(path)
        self.assertEqual(byod.profile(table, guard_seed=3), file)
        self.assertEqual(byod.profile(pa.RecordBatchReader.from_batches(
            table.schema, table.to_batches(max_chunksize=50)), guard_seed=3), file)
        self.assertEqual(byod.profile(pl.read_parquet(path), guard_seed=3), file)
        # pandas stores integers with gaps as floats: read back as the same integers.
        frame = pd.read_parquet(path)
        self.assertEqual(byod.profile(frame, guard_seed=3).to_dict()["columns"],
                         file.to_dict()["columns"])
        self.assertIn("parquet", file.to_json())

    def test_a_safe_profile_from_elsewhere_is_checked(self):
        text = byod.profile(DATASETS / "iris.csv", guard_seed=1).to_json()
        self.assertEqual(byod.SafeProfile.from_json(text).to_json(), text)
        doc = json.loads(text)
        doc["correlations"]["matrix"] = [[1.0]]  # lists that disagree with the columns
        with self.assertRaises(byod.ByodError):
            byod.SafeProfile.from_json(json.dumps(doc))
        with self.assertRaises(byod.ByodError):
            byod.spec('{"version": 1}')

    def test_withheld_and_warnings_are_reported(self):
        safe = byod.profile(DATASETS / "airports.csv", guard_seed=1)
        self.assertTrue(safe.withheld)
        self.assertEqual(set(safe.withheld[0]), {"column", "what", "why"})
        self.assertEqual(safe.row_count, byod.profile(DATASETS / "airports.csv").row_count)

    def test_bad_input_raises_a_clear_error(self):
        with self.assertRaises(byod.ByodError) as e:
            byod.profile("/no/such/file.csv")
        self.assertIn("cannot read /no/such/file.csv", str(e.exception))
        self.assertEqual(e.exception.hint, "check the path")
        folder = scratch()
        (folder / "fake.xlsx").write_bytes(b"name,age\nAda,36\n" * 3)
        (folder / "broken.parquet").write_bytes(b"PAR1\x00\x00garbage")
        with self.assertRaises(byod.ByodError) as e:
            byod.profile(folder / "broken.parquet")
        self.assertIn("Parquet", str(e.exception))
        with self.assertRaises(TypeError):
            byod.profile(12345)
        with self.assertRaises(ValueError):
            byod.profile(DATASETS / "iris.csv", epsilon=-1)
        with self.assertRaises(byod.ByodError) as e:
            byod.profile(pa.table({"id": pa.array([], pa.int64())}))
        self.assertEqual(e.exception.kind, "Empty")
        with self.assertRaises(byod.ByodError) as e:
            byod.profile(pa.table({"blob": pa.array([b"\x00\x01"], pa.binary())}))
        self.assertIn("blob", str(e.exception))


class Generate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spec = byod.spec(byod.profile(DATASETS / "penguins.csv", guard_seed=5), 0.8)
        cls.folder = scratch()
        cls.spec_path = cls.folder / "penguins.spec.json"
        cls.spec_path.write_text(cls.spec.to_json())

    def test_the_spec_is_the_cli_spec(self):
        theirs = run_cli("spec", str(DATASETS / "penguins.csv"), "--guard-seed", "5").decode()
        self.assertEqual(json.loads(theirs), self.spec.to_dict())
        self.assertEqual(byod.Spec.from_json(theirs).to_dict(), self.spec.to_dict())

    def test_every_format_is_written_byte_for_byte_as_the_cli_writes_it(self):
        for fmt in FORMATS:
            ours = self.folder / f"ours.{fmt}"
            theirs = self.folder / f"theirs.{fmt}"
            self.assertEqual(byod.write(self.spec, ours, 3000, seed=9), 3000)
            run_cli("generate", "--spec", str(self.spec_path), "-n", "3000", "--seed", "9",
                    "-o", str(theirs))
            self.assertEqual(ours.read_bytes(), theirs.read_bytes(), fmt)

    def test_rows_round_trip_through_every_format(self):
        table = byod.generate(self.spec, 2000, seed=4)
        self.assertEqual(table.schema, self.spec.schema)
        for fmt in FORMATS:
            path = self.folder / f"round.{fmt}"
            byod.write(self.spec, path, 2000, seed=4)
            # Read back by byod and scored against the Arrow rows: the same table.
            report = byod.evaluate(table, path)
            self.assertEqual(report["rows"]["synthetic"], 2000, fmt)
            self.assertGreater(report["fidelity"]["overall"], 0.99, fmt)
        back = pq.read_table(self.folder / "round.parquet")
        self.assertEqual(back.column("species").to_pylist(), table.column("species").to_pylist())

    def test_slices_made_apart_join_into_the_whole(self):
        whole = byod.generate(self.spec, 50_000, seed=8)
        parts = [byod.generate(self.spec, 50_000, seed=8, start=s, count=c)
                 for s, c in [(0, 17_000), (17_000, 1), (17_001, 32_999)]]
        self.assertTrue(pa.concat_tables(parts).equals(whole))
        streamed = byod.generate_batches(self.spec, 50_000, seed=8)
        self.assertTrue(pa.Table.from_batches(list(streamed)).equals(whole))
        with self.assertRaises(ValueError):
            byod.generate(self.spec, 10, seed=8, start=5, count=6)

    def test_part_files_are_the_cli_parts(self):
        whole = self.folder / "whole.csv"
        byod.write(self.spec, whole, 20_000, seed=8)
        joined = b""
        for k in (1, 2, 3):
            part = self.folder / f"part-{k}.csv"
            self.assertGreater(byod.write(self.spec, part, 20_000, seed=8, part=(k, 3)), 6_000)
            self.assertEqual(part.read_bytes(), run_cli(
                "generate", "--spec", str(self.spec_path), "-n", "20000", "--seed", "8",
                "--part", f"{k}/3"))
            joined += part.read_bytes()
        self.assertEqual(joined, whole.read_bytes())
        with self.assertRaises(ValueError):
            byod.write(self.spec, self.folder / "bad.csv", 10, seed=8, part=(4, 3))
        with self.assertRaises(byod.ByodError) as refused:
            byod.write(self.spec, self.folder / "bad.json", 10, seed=8, part=(1, 2))
        self.assertEqual(refused.exception.kind, "UnsupportedFormat")

    def test_a_bad_spec_names_where_and_what(self):
        doc = self.spec.to_dict()
        doc["columns"][0]["generator"] = {"kind": "numeric", "quantiles": "many"}
        with self.assertRaises(byod.ByodError) as e:
            byod.Spec.from_json(json.dumps(doc))
        self.assertEqual(e.exception.kind, "InvalidDocument")
        self.assertIn("not a valid spec", str(e.exception))
        self.assertRegex(str(e.exception), r"at line 1 column \d+ \(fix the JSON there")
        with self.assertRaises(byod.ByodError):
            byod.generate("{not json", 10, seed=1)


class Evaluate(unittest.TestCase):
    def test_the_report_is_the_cli_report(self):
        folder = scratch()
        real = DATASETS / "iris.csv"
        synthetic = folder / "iris_synthetic.csv"
        made = byod.spec(byod.profile(real, guard_seed=2))
        byod.write(made, synthetic, 400, seed=2)
        ours = byod.evaluate(real, synthetic)
        theirs = json.loads(run_cli("evaluate", str(real), str(synthetic), "--json"))
        self.assertEqual(ours, theirs)
        # Arrow data scores as the same rows in a file do.
        self.assertEqual(byod.evaluate(real, byod.generate(made, 400, seed=2))["fidelity"],
                         ours["fidelity"])


class UserGuideExamples(unittest.TestCase):
    """The user guide's `generate_synthetic` calls, as written there, on files the
    project makes itself (its demo specs: made-up people, planted identifiers)."""

    @classmethod
    def setUpClass(cls):
        cls.folder = scratch()
        run_cli("generate", "--spec", str(DEMO / "sales_data.spec.json"), "-n", "3000",
                "--seed", "1", "-o", str(cls.folder / "orders_with_pii.csv"))
        run_cli("generate", "--spec", str(DEMO / "customer_records.spec.json"), "-n", "100",
                "--seed", "2", "--format", "json", "-o",
                str(cls.folder / "production_sample_100.json"))
        patients = cls.folder / "patient_records.csv"
        run_cli("generate", "--spec", str(DEMO / "medical_records.spec.json"), "-n", "2500",
                "--seed", "3", "-o", str(patients))
        # Sentinels planted k - 1 = 4 times: rare enough that the guard must keep them.
        frame = pd.read_csv(patients, dtype=str, keep_default_na=False)
        for column, value in SENTINELS.items():
            frame.loc[:3, column] = value
        frame.to_csv(patients, index=False)

    def setUp(self):
        import os
        self.cwd = os.getcwd()
        os.chdir(self.folder)

    def tearDown(self):
        import os
        os.chdir(self.cwd)

    def test_example_1_sales_data_without_customer_information(self):
        from byod import generate_synthetic

        original_data = "orders_with_pii.csv"
        synthetic_data = generate_synthetic(file=original_data, num_rows=10000,
                                            match_threshold=0.85)
        self.assertIsInstance(synthetic_data, pd.DataFrame)
        self.assertEqual(len(synthetic_data), 10000)
        real = pd.read_csv(original_data)
        self.assertEqual(list(synthetic_data.columns), list(real.columns))
        report = byod.evaluate(original_data, pa.Table.from_pandas(synthetic_data,
                                                                   preserve_index=False))
        self.assertGreater(report["fidelity"]["overall"], 0.85)
        self.assertEqual(report["privacy"]["exact_copy_rate"], 0.0)

    def test_example_2_a_larger_training_set_from_100_rows(self):
        from byod import generate_synthetic

        sample_data = "production_sample_100.json"
        training_data = generate_synthetic(file=sample_data, num_rows=50000,
                                           match_threshold=0.90)
        self.assertEqual(len(training_data), 50000)
        report = byod.evaluate(sample_data, pa.Table.from_pandas(training_data,
                                                                 preserve_index=False))
        self.assertGreater(report["fidelity"]["column_shapes"], 0.6)

    def test_example_3_medical_records_without_phi(self):
        from byod import generate_synthetic

        medical_data = "patient_records.csv"
        test_data = generate_synthetic(file=medical_data, match_threshold=0.95,
                                       preserve_patterns=True, output="synthetic_patients.csv",
                                       seed=11)
        real = pd.read_csv(medical_data)
        self.assertEqual(len(test_data), len(real))
        self.assertEqual(test_data.attrs["byod_seed"], 11)
        with open("synthetic_patients.csv", encoding="utf-8") as f:
            written = f.read()
        self.assertEqual(written.count("\n"), len(real) + 1)
        # No planted value reaches a synthetic row, in the table or in the file.
        cells = set(test_data.astype(str).to_numpy().ravel())
        for column, value in SENTINELS.items():
            self.assertNotIn(value, cells, column)
            self.assertNotIn(value, written, column)
        # Identifiers are made, not copied: no real record number comes back.
        mrn = "patient_id"
        self.assertFalse(set(real[mrn]) & set(test_data[mrn]))
        # Patterns kept: medical record numbers look like the real ones...
        shape = lambda v: re.sub(r"[A-Z]", "A", re.sub(r"[0-9]", "9", str(v)))
        self.assertTrue(set(test_data[mrn].map(shape)) <= set(real[mrn].map(shape)))
        # ...and without preserve_patterns they are opaque.
        opaque = generate_synthetic(file=medical_data, match_threshold=0.95,
                                    preserve_patterns=False, seed=11)
        self.assertTrue(opaque[mrn].str.fullmatch(r"[0-9a-f-]{36}").all())


if __name__ == "__main__":
    unittest.main()
