//! Small files that describe enormous ones: what an attacker uploads. Each is a few
//! kilobytes (or megabytes) and, believed, asks for gigabytes. Shared by the core's
//! attack suite and the relay's (`tests/`).
#![allow(dead_code)]

use std::io::Write;

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

/// A minimal .xlsx: one sheet with this `<sheetData>` content and, if given, this
/// shared-string table (the whole `sharedStrings.xml`).
pub fn xlsx(sheet_data: &str, shared_strings: Option<&str>) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut put = |name: &str, body: &str| {
        z.start_file(name, opts).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    };
    put(
        "[Content_Types].xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
         <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>",
    );
    put(
        "_rels/.rels",
        &format!(
            "<Relationships xmlns=\"{PKG}\"><Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
        ),
    );
    put(
        "xl/workbook.xml",
        &format!(
            "<workbook xmlns=\"{MAIN}\" xmlns:r=\"{REL}\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
        ),
    );
    let strings_rel = if shared_strings.is_some() {
        format!(
            "<Relationship Id=\"rId2\" Type=\"{REL}/sharedStrings\" Target=\"sharedStrings.xml\"/>"
        )
    } else {
        String::new()
    };
    put(
        "xl/_rels/workbook.xml.rels",
        &format!(
            "<Relationships xmlns=\"{PKG}\"><Relationship Id=\"rId1\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet1.xml\"/>{strings_rel}</Relationships>"
        ),
    );
    put(
        "xl/worksheets/sheet1.xml",
        &format!("<worksheet xmlns=\"{MAIN}\"><sheetData>{sheet_data}</sheetData></worksheet>"),
    );
    if let Some(sst) = shared_strings {
        put("xl/sharedStrings.xml", sst);
    }
    z.finish().unwrap().into_inner()
}

/// An inline-string cell.
pub fn cell(at: &str, text: &str) -> String {
    format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{text}</t></is></c>")
}

/// One cell in A1 and one in XFD1048576: a sheet of 17 billion cells in 1.5 KB.
pub fn xlsx_far_cells() -> Vec<u8> {
    xlsx(
        &format!(
            "<row r=\"1\">{}</row><row r=\"1048576\">{}</row>",
            cell("A1", "name"),
            cell("XFD1048576", "x")
        ),
        None,
    )
}

/// A sheet whose extent is `rows` × `cols` (a header cell in A1 and one cell at the
/// far corner).
pub fn xlsx_extent(rows: u32, cols: u32) -> Vec<u8> {
    let mut col = String::new();
    let mut n = cols;
    while n > 0 {
        let r = (n - 1) % 26;
        col.insert(0, (b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    xlsx(
        &format!(
            "<row r=\"1\">{}</row><row r=\"{rows}\">{}</row>",
            cell("A1", "name"),
            cell(&format!("{col}{rows}"), "x")
        ),
        None,
    )
}

/// A shared-string table that declares a hundred billion strings and holds one.
pub fn xlsx_string_count_bomb() -> Vec<u8> {
    xlsx(
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row><row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c></row>",
        Some(&format!(
            "<sst xmlns=\"{MAIN}\" count=\"100000000000\" uniqueCount=\"100000000000\"><si><t>a</t></si></sst>"
        )),
    )
}

/// A sheet that inflates to about `inflated` bytes, with the zip's directory (and the
/// entry's local header) saying it inflates to 200 bytes.
pub fn xlsx_lying_size(inflated: usize) -> Vec<u8> {
    let row = format!(
        "<row>{}</row>",
        cell("A1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    );
    let mut body = format!("<row r=\"1\">{}</row>", cell("A1", "name"));
    while body.len() < inflated {
        body.push_str(&row);
    }
    let mut bytes = xlsx(&body, None);
    let name = b"xl/worksheets/sheet1.xml";
    // Local header (PK\x03\x04): uncompressed size at +22; central directory
    // (PK\x01\x02): at +24. Both followed, at their own offsets, by the name.
    let mut i = 0;
    while i + 46 < bytes.len() {
        let sig = &bytes[i..i + 4];
        let (size_at, name_at) = match sig {
            b"PK\x03\x04" => (22, 30),
            b"PK\x01\x02" => (24, 46),
            _ => {
                i += 1;
                continue;
            }
        };
        if bytes[i + name_at..].starts_with(name) {
            bytes[i + size_at..i + size_at + 4].copy_from_slice(&200u32.to_le_bytes());
        }
        i += 4;
    }
    bytes
}

/// NDJSON: a first record with `keys` keys, then `empty` empty records (3 MB for
/// 4,096 keys and a million records; dense, that is 4 billion cells).
pub fn ndjson_wide_then_empty(keys: usize, empty: usize) -> Vec<u8> {
    let mut s = String::from("{");
    for k in 0..keys {
        if k > 0 {
            s.push(',');
        }
        s.push_str(&format!("\"k{k}\":{k}"));
    }
    s.push_str("}\n");
    s.push_str(&"{}\n".repeat(empty));
    s.into_bytes()
}

/// A CSV of `rows` rows and `cols` numeric columns.
pub fn csv_wide(rows: usize, cols: usize) -> Vec<u8> {
    let mut s = (0..cols)
        .map(|c| format!("c{c}"))
        .collect::<Vec<_>>()
        .join(",");
    s.push('\n');
    for r in 0..rows {
        s.push_str(
            &(0..cols)
                .map(|c| ((r * 7 + c * 3) % 11).to_string())
                .collect::<Vec<_>>()
                .join(","),
        );
        s.push('\n');
    }
    s.into_bytes()
}

/// Parquet: `rows` rows of one dictionary-encoded text column whose one value is
/// `width` bytes long. The file is small; decoded, it is rows × width bytes.
pub fn parquet_dictionary_bomb(rows: usize, width: usize) -> Vec<u8> {
    use arrow::array::{ArrayRef, DictionaryArray, Int32Array, StringArray};
    use arrow::datatypes::Int32Type;
    use std::sync::Arc;
    let keys = Int32Array::from(vec![0; rows]);
    let values = StringArray::from(vec!["w".repeat(width)]);
    let dict: ArrayRef =
        Arc::new(DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values)).unwrap());
    let batch = arrow::array::RecordBatch::try_from_iter([("note", dict)]).unwrap();
    let mut out = Vec::new();
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    out
}
