//! Business exports round trip: numbers written for people (`$1,234.56`, `1.234,56 €`,
//! `(149.68)`, `12,5 %`), boolean words, missing-value tokens and the file's dialect
//! come back as the input wrote them, and the numbers are numbers all the way.

use crate::common;

use arrow::array::AsArray;
use shared::export::{OutputFormat, WriteChoice, to_bytes};
use shared::pipeline::{self, InspectOptions, Synthesis};
use shared::written::{NumberFormat, TextEncoding, read_number};
use shared::{LogicalType, Table};

/// A sales table in US or German conventions, made by the test: prices, quantities,
/// discounts, revenue, margins with negatives, yes/no, a company and missing regions.
fn sales(german: bool, rows: usize) -> Vec<u8> {
    let mut next = common::xorshift(17);
    let money = |v: f64| {
        let s = format!("{:.2}", v.abs());
        let (int, frac) = s.split_once('.').unwrap();
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(if german { '.' } else { ',' });
            }
            grouped.push(c);
        }
        match (german, v < 0.0) {
            (false, false) => format!("${grouped}.{frac}"),
            (false, true) => format!("(${grouped}.{frac})"),
            (true, neg) => format!("{}{grouped},{frac} €", if neg { "-" } else { "" }),
        }
    };
    let companies = [
        "Acme Corp",
        "Globex Inc",
        "Initech LLC",
        "Hooli GmbH",
        "Wonka AG",
    ];
    let (sep, end) = if german { (";", "\r\n") } else { (",", "\n") };
    let mut out = String::new();
    if german {
        out.push('\u{FEFF}');
    }
    out += &[
        "order", "customer", "price", "quantity", "discount", "revenue", "margin", "paid", "region",
    ]
    .join(sep);
    out += end;
    for r in 0..rows {
        let price = 5.0 + next(20_000) as f64 / 100.0 + next(3) as f64 * 40.0;
        let quantity = 1 + next(40);
        let discount = [0.0, 5.0, 10.0, 12.5][next(4) as usize];
        let revenue = price * quantity as f64 * (1.0 - discount / 100.0);
        let margin = revenue * (next(60) as f64 - 20.0) / 100.0;
        let yes = next(10) < 7;
        let region = if next(20) == 0 {
            if german { "N/A" } else { "" }
        } else {
            ["East", "West", "North", "South"][next(4) as usize]
        };
        let pct = if german {
            format!("{:.1} %", discount).replace('.', ",")
        } else {
            format!("{discount:.1}%")
        };
        let quote = |s: String| {
            if s.contains(sep) {
                format!("\"{s}\"")
            } else {
                s
            }
        };
        let fields = [
            (r + 1).to_string(),
            companies[next(5) as usize].to_string(),
            quote(money(price)),
            quantity.to_string(),
            pct,
            quote(money(revenue)),
            quote(money(margin)),
            match (german, yes) {
                (true, true) => "Ja",
                (true, false) => "Nein",
                (false, true) => "Yes",
                (false, false) => "No",
            }
            .to_string(),
            region.to_string(),
        ];
        out += &fields.join(sep);
        out += end;
    }
    out.into_bytes()
}

const MONEY: [&str; 4] = ["price", "revenue", "margin", "discount"];

/// The synthetic file written as the source was, and the source read.
fn round_trip(bytes: &[u8], name: &str, format: OutputFormat) -> (Table, Vec<u8>) {
    let real = pipeline::inspect(bytes, name, &InspectOptions::with_guard_seed(5)).unwrap();
    let spec = pipeline::template_spec(&real.safe, Default::default());
    let synthesis = Synthesis::new(spec, None, 11).unwrap();
    let table = synthesis.make(0..synthesis.rows());
    let out = to_bytes(
        &table,
        format,
        &synthesis.export_options(&Default::default()),
    )
    .unwrap();
    (real.table, out)
}

/// The fields of one column of a delimited file (quotes removed).
fn column(text: &str, delimiter: u8, name: &str) -> Vec<String> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let i = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h.trim_start_matches('\u{FEFF}') == name)
        .unwrap();
    rdr.records().map(|r| r.unwrap()[i].to_string()).collect()
}

/// Whether a cell is exactly what the column's format writes for its value.
fn in_format(cell: &str, format: &NumberFormat, decimals: u8) -> bool {
    let Some(r) = read_number(cell, format.decimal_comma) else {
        return false;
    };
    let mut again = String::new();
    format.write(r.value, decimals, &mut again);
    again == cell
}

fn check_sales(german: bool) {
    let name = if german { "umsatz.csv" } else { "sales.csv" };
    let bytes = sales(german, 3000);
    let (real, out) = round_trip(&bytes, name, OutputFormat::Csv);
    for money in MONEY {
        let info = &real.columns[real.column_index(money).unwrap()];
        assert_eq!(info.logical, LogicalType::Float, "{money} is a number");
        assert!(info.written.number.is_some(), "{money} keeps its format");
    }
    let text = String::from_utf8(out.clone()).unwrap();
    let delimiter = if german { b';' } else { b',' };
    if german {
        assert!(text.starts_with('\u{FEFF}'), "the byte order mark is kept");
        assert!(text.contains("\r\n"), "CRLF is kept");
    } else {
        assert!(!text.contains('\r'));
    }
    for money in MONEY {
        let info = &real.columns[real.column_index(money).unwrap()];
        let format = info.written.number.as_ref().unwrap();
        let cells = column(&text, delimiter, money);
        let matching = cells
            .iter()
            .filter(|c| in_format(c, format, info.decimals.unwrap()))
            .count();
        let share = matching as f64 / cells.len() as f64;
        assert!(share >= 0.95, "{money}: {share} of cells in {format:?}");
    }
    // Parentheses (US) or a minus (German) on the negative margins.
    let margins = column(&text, delimiter, "margin");
    assert!(
        margins
            .iter()
            .any(|m| m.starts_with(if german { "-" } else { "(" }))
    );
    let paid = column(&text, delimiter, "paid");
    let words: &[&str] = if german {
        &["Ja", "Nein"]
    } else {
        &["Yes", "No"]
    };
    assert!(
        paid.iter().all(|p| words.contains(&p.as_str())),
        "{:?}",
        &paid[..5]
    );
    if german {
        let regions = column(&text, delimiter, "region");
        assert!(regions.iter().any(|r| r == "N/A"), "the null token is kept");
        assert!(regions.iter().all(|r| !r.is_empty()));
    }
    // Read back, the synthetic numbers are numbers in the same format, and their
    // shapes match the real ones.
    let synthetic = shared::read(&out, name, &Default::default()).unwrap();
    for (r, s) in real.columns.iter().zip(&synthetic.columns) {
        assert_eq!(
            (r.logical, &r.written),
            (s.logical, &s.written),
            "{}",
            r.name
        );
    }
    assert_eq!(synthetic.dialect, real.dialect);
    let report = common::scored(&real, &synthetic);
    for money in MONEY.iter().chain(&["quantity"]) {
        let column = report.columns.iter().find(|c| c.name == *money).unwrap();
        let shape = column.score.unwrap();
        assert!(shape >= 0.95, "{money}: shape {shape}");
        assert_eq!(column.unparsed_synthetic, 0, "{money}: every cell parses");
    }
}

#[test]
fn us_sales_export_comes_back_in_its_formats() {
    check_sales(false);
}

#[test]
fn german_sales_export_comes_back_in_its_dialect() {
    check_sales(true);
}

#[test]
fn plain_output_is_standard_csv_when_asked() {
    let bytes = sales(true, 400);
    let real = pipeline::inspect(&bytes, "u.csv", &InspectOptions::with_guard_seed(5)).unwrap();
    let spec = pipeline::template_spec(&real.safe, Default::default());
    let synthesis = Synthesis::new(spec, None, 3).unwrap();
    let table = synthesis.make(0..synthesis.rows());
    let out = to_bytes(
        &table,
        OutputFormat::Csv,
        &synthesis.export_options(&WriteChoice {
            plain: true,
            ..Default::default()
        }),
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("order,customer,price"), "{}", &text[..40]);
    assert!(!text.contains('€') && !text.contains('\r') && !text.contains("Ja"));
    let price = column(&text, b',', "price");
    assert!(
        price.iter().all(|p| p.parse::<f64>().is_ok()),
        "{:?}",
        &price[..3]
    );
    // Only the delimiter overridden: everything else stays the source's.
    let out = to_bytes(
        &table,
        OutputFormat::Csv,
        &synthesis.export_options(&WriteChoice {
            delimiter: Some('|'),
            ..Default::default()
        }),
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("\u{FEFF}order|customer|price"));
    assert!(text.contains(" €"));
    // Line ends and encoding chosen one by one; the rest stays the source's.
    let out = to_bytes(
        &table,
        OutputFormat::Csv,
        &synthesis.export_options(&WriteChoice {
            crlf: Some(false),
            encoding: Some(TextEncoding::Utf16le),
            bom: Some(true),
            ..Default::default()
        }),
    )
    .unwrap();
    assert!(out.starts_with(&[0xFF, 0xFE, b'o', 0]), "{:?}", &out[..6]);
    let back = shared::read(&out, "u.csv", &Default::default()).unwrap();
    let dialect = back.dialect.unwrap();
    assert_eq!((dialect.delimiter, dialect.crlf), (';', false));
    assert_eq!(dialect.encoding, TextEncoding::Utf16le);
    assert_eq!(back.total_rows, 400);
    let out = to_bytes(
        &table,
        OutputFormat::Csv,
        &synthesis.export_options(&WriteChoice {
            encoding: Some(TextEncoding::Windows1252),
            bom: Some(false),
            ..Default::default()
        }),
    )
    .unwrap();
    assert!(
        out.windows(2).any(|w| w == [b' ', 0x80]),
        "€ is 0x80 in Windows-1252"
    );
    let back = shared::read(&out, "u.csv", &Default::default()).unwrap();
    assert_eq!(back.dialect.unwrap().encoding, TextEncoding::Windows1252);
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn excel_output_holds_numbers_and_dates_in_their_formats() {
    let bytes = sales(false, 300);
    let (_, out) = round_trip(&bytes, "sales.csv", OutputFormat::Xlsx);
    let back = shared::read(&out, "s.xlsx", &Default::default()).unwrap();
    let price = &back.columns[back.column_index("price").unwrap()];
    assert_eq!(price.logical, LogicalType::Float);
    // Read back, the workbook's styles give the same formats, and percent cells (stored
    // as fractions) the percents shown.
    let real = pipeline::inspect(&bytes, "sales.csv", &InspectOptions::with_guard_seed(5))
        .unwrap()
        .table;
    for name in ["price", "revenue", "margin", "discount"] {
        let r = &real.columns[real.column_index(name).unwrap()];
        let b = &back.columns[back.column_index(name).unwrap()];
        assert_eq!(b.written.number, r.written.number, "{name}");
        assert_eq!(b.decimals, r.decimals, "{name}");
    }
    let discount = back.column_index("discount").unwrap();
    let discount = back
        .batch
        .column(discount)
        .as_primitive::<arrow::datatypes::Float64Type>();
    assert!(
        discount
            .iter()
            .flatten()
            .all(|d| [0.0, 5.0, 10.0, 12.5].contains(&d))
    );
    // The style sheet carries the currency format the CSV had.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(out)).unwrap();
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("xl/styles.xml").unwrap(), &mut styles)
        .unwrap();
    assert!(styles.contains("&quot;$&quot;#,##0.00"), "{styles}");
    assert!(styles.contains("0.0%"), "{styles}");

    // Dates become date cells with the column's pattern.
    let csv = "day,amount\n03.01.2024,1.5\n17.02.2024,2.25\n28.02.2024,3.0\n";
    let real =
        pipeline::inspect(csv.as_bytes(), "d.csv", &InspectOptions::with_guard_seed(5)).unwrap();
    let out = to_bytes(&real.table, OutputFormat::Xlsx, &Default::default()).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(out.clone())).unwrap();
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("xl/styles.xml").unwrap(), &mut styles)
        .unwrap();
    assert!(styles.contains("dd.mm.yyyy"), "{styles}");
    let back = shared::read(&out, "d.xlsx", &Default::default()).unwrap();
    assert_eq!(back.columns[0].logical, LogicalType::Date);
}

#[test]
fn every_delimited_and_excel_dataset_round_trips_its_dialect_and_decimals() {
    for entry in std::fs::read_dir(common::datasets()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => OutputFormat::Csv,
            Some("tsv") => OutputFormat::Tsv,
            Some("xlsx" | "xls") => OutputFormat::Xlsx,
            _ => continue,
        };
        if name.starts_with("flights") {
            continue; // 336,776 rows: its kinds of columns are in the other tables
        }
        let bytes = std::fs::read(&path).unwrap();
        let (real, out) = round_trip(&bytes, &name, format);
        let out_name = format!("synthetic.{}", format.extension());
        let synthetic = shared::read(&out, &out_name, &Default::default()).unwrap();
        assert_eq!(synthetic.dialect, real.dialect, "{name}");
        for (r, s) in real.columns.iter().zip(&synthetic.columns) {
            if r.logical == LogicalType::Float {
                assert_eq!(s.logical, LogicalType::Float, "{name}.{}", r.name);
                assert_eq!(s.decimals, r.decimals, "{name}.{}", r.name);
            }
            assert_eq!(s.written, r.written, "{name}.{}", r.name);
        }
    }
}

#[test]
fn tiny_and_hostile_business_tables_never_panic_nor_leak_a_planted_company() {
    const PLANTED: &str = "Zyxwvut Sentinel Holdings";
    for n in 1..=20 {
        for german in [false, true] {
            let bytes = sales(german, n);
            let name = if german { "u.csv" } else { "s.csv" };
            let (_, out) = round_trip(&bytes, name, OutputFormat::Csv);
            assert!(
                shared::read(&out, name, &Default::default()).is_ok(),
                "n={n}"
            );
        }
    }
    // A company planted four times (under every k the guard draws) in 400 rows.
    let mut text = String::from_utf8(sales(false, 400)).unwrap();
    for company in ["Acme Corp", "Globex Inc", "Initech LLC", "Hooli GmbH"] {
        text = text.replacen(company, PLANTED, 1);
    }
    let real = pipeline::inspect(
        text.as_bytes(),
        "s.csv",
        &InspectOptions::with_guard_seed(5),
    )
    .unwrap();
    assert!(
        serde_json::to_string(&real.profile)
            .unwrap()
            .contains(PLANTED)
    );
    assert!(
        !serde_json::to_string(&real.safe)
            .unwrap()
            .contains("Zyxwvut")
    );
    let (_, out) = round_trip(text.as_bytes(), "s.csv", OutputFormat::Csv);
    assert!(!String::from_utf8(out).unwrap().contains("Zyxwvut"));
    // Cells that look like numbers but are not stay text, and do not panic.
    let hostile = "v\n$\n(\n\"1,2,3\"\n1e999\n$5€\n--5\n(((1)))\n9999999999999999999999999999999999999999999999999999999999999999999\n";
    let t = shared::read(hostile.as_bytes(), "h.csv", &Default::default()).unwrap();
    assert_eq!(t.columns[0].logical, LogicalType::Text);
}

#[test]
fn written_pieces_outside_the_closed_lists_are_refused() {
    let bytes = sales(false, 50);
    let real = pipeline::inspect(&bytes, "s.csv", &InspectOptions::with_guard_seed(5)).unwrap();
    // A SafeProfile may only carry symbols, words and tokens from the lists.
    let json = serde_json::to_string(&real.safe).unwrap().replacen(
        "\"prefix\":\"$\"",
        "\"prefix\":\"Mr Smith \"",
        1,
    );
    let err = shared::SafeProfile::from_json(&json).unwrap_err();
    assert!(err.to_string().contains("prefix"), "{err}");
    let json = serde_json::to_string(&real.safe).unwrap().replacen(
        "[\"Yes\",\"No\"]",
        "[\"Alice\",\"Bob\"]",
        1,
    );
    assert!(shared::SafeProfile::from_json(&json).is_err());
    // A spec likewise, with the path of the field.
    let mut spec = pipeline::template_spec(&real.safe, Default::default());
    let price = spec.columns.iter_mut().find(|c| c.name == "price").unwrap();
    price.written.number.as_mut().unwrap().suffix = " per Jane Doe".into();
    let err = Synthesis::new(spec, Some(5), 1).unwrap_err().to_string();
    assert!(err.contains("$.columns[2].written"), "{err}");
}
