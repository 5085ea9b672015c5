//! Spreadsheets in and out: CSV in UTF-8 or GBK (as Chinese Excel saves it) and XLSX, read as a
//! stream of rows so that a 100 MB file never sits in memory; CSV and XLSX written with the
//! element names, or the Chinese labels, as column titles.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use calamine::{DataRef, Reader, Xlsx};

use super::spec::RecordType;
use super::validate::{FieldError, UnknownFields, resolve_field, unknown_field};

/// A spreadsheet format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// How a CSV file's bytes are text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gbk,
}

/// A problem with the file as a whole (not one row).
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("文件没有标题行。The file has no header row.")]
    NoHeader,
    #[error("标题行有误。The header row is not usable.")]
    Header(Vec<FieldError>),
    #[error("无法读取 CSV：{0}。Cannot read the CSV: {0}.")]
    Csv(String),
    #[error("无法读取 XLSX：{0}。Cannot read the XLSX file: {0}.")]
    Xlsx(String),
    #[error("读取文件失败：{0}。Reading the file failed: {0}.")]
    Io(#[from] std::io::Error),
}

/// One data row, in the spec's field order, with its 1-based line (CSV) or row (XLSX) number.
pub struct SheetRow {
    pub line: u64,
    pub cells: Vec<Option<String>>,
    pub errors: Vec<FieldError>,
}

/// Guesses a CSV file's encoding from its first 64 KiB: valid UTF-8 (with or without a BOM) is
/// UTF-8, anything else is taken as GBK.
pub fn sniff_encoding(file: &mut File) -> std::io::Result<Encoding> {
    let mut head = vec![0u8; 64 * 1024];
    let mut filled = 0;
    while filled < head.len() {
        let n = file.read(&mut head[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    file.seek(SeekFrom::Start(0))?;
    let head = &head[..filled];
    Ok(match std::str::from_utf8(head) {
        Ok(_) => Encoding::Utf8,
        // An incomplete character cut off at the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() => Encoding::Utf8,
        Err(_) => Encoding::Gbk,
    })
}

/// Maps header titles to fields: element names (any case, spaced spellings) or Chinese labels.
fn map_header(
    t: &RecordType,
    titles: &[String],
    unknown: UnknownFields,
) -> Result<Vec<Option<usize>>, SheetError> {
    let mut errors = Vec::new();
    let mut seen = vec![false; t.fields.len()];
    let mut map = Vec::with_capacity(titles.len());
    for title in titles {
        let title = title.trim().trim_start_matches('\u{feff}');
        let index =
            resolve_field(t, title).or_else(|| t.fields.iter().position(|f| f.label_zh == title));
        match index {
            Some(i) if seen[i] => {
                errors.push(FieldError::new(
                    Some(t.fields[i].name),
                    "duplicate_field",
                    format!("列 {title} 重复"),
                    format!("the column {title} appears twice"),
                ));
                map.push(None);
            }
            Some(i) => {
                seen[i] = true;
                map.push(Some(i));
            }
            None if title.is_empty() || unknown == UnknownFields::Ignore => map.push(None),
            None => {
                errors.push(unknown_field(t, title));
                map.push(None);
            }
        }
    }
    if errors.is_empty() {
        Ok(map)
    } else {
        Err(SheetError::Header(errors))
    }
}

fn row_from(
    t: &RecordType,
    map: &[Option<usize>],
    line: u64,
    cells: impl Iterator<Item = String>,
) -> SheetRow {
    let mut values = vec![None; t.fields.len()];
    let mut errors = Vec::new();
    for (i, cell) in cells.enumerate() {
        match map.get(i) {
            Some(Some(f)) => {
                if !cell.is_empty() {
                    values[*f] = Some(cell);
                }
            }
            Some(None) => {}
            None if cell.trim().is_empty() => {}
            None => errors.push(FieldError::new(
                None,
                "extra_cell",
                format!("第 {} 列没有标题", i + 1),
                format!("column {} has no header", i + 1),
            )),
        }
    }
    SheetRow {
        line,
        cells: values,
        errors,
    }
}

/// Reads a file row by row, handing batches of `batch` rows to `sink`; `sink` returning false
/// stops the reading. Runs on a blocking thread.
pub fn read(
    path: &Path,
    format: Format,
    encoding: Option<Encoding>,
    t: &RecordType,
    unknown: UnknownFields,
    batch: usize,
    mut sink: impl FnMut(Vec<SheetRow>) -> bool,
) -> Result<(), SheetError> {
    match format {
        Format::Csv => {
            let mut file = File::open(path)?;
            let encoding = match encoding {
                Some(e) => e,
                None => sniff_encoding(&mut file)?,
            };
            let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(match encoding {
                    Encoding::Utf8 => encoding_rs::UTF_8,
                    Encoding::Gbk => encoding_rs::GB18030,
                }))
                .bom_sniffing(true)
                .build(BufReader::with_capacity(256 * 1024, file));
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(decoder);
            let mut records = reader.records();
            let header = match records.next() {
                Some(h) => h.map_err(|e| SheetError::Csv(e.to_string()))?,
                None => return Err(SheetError::NoHeader),
            };
            let titles: Vec<String> = header.iter().map(str::to_owned).collect();
            let map = map_header(t, &titles, unknown)?;
            let mut rows = Vec::with_capacity(batch);
            for record in records {
                let record = record.map_err(|e| SheetError::Csv(e.to_string()))?;
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                let line = record.position().map(|p| p.line()).unwrap_or_default();
                rows.push(row_from(t, &map, line, record.iter().map(str::to_owned)));
                if rows.len() == batch && !sink(std::mem::take(&mut rows)) {
                    return Ok(());
                }
            }
            if !rows.is_empty() {
                sink(rows);
            }
            Ok(())
        }
        Format::Xlsx => {
            let mut workbook: Xlsx<_> = calamine::open_workbook(path)
                .map_err(|e: calamine::XlsxError| SheetError::Xlsx(e.to_string()))?;
            let sheet = workbook
                .sheet_names()
                .first()
                .cloned()
                .ok_or(SheetError::NoHeader)?;
            let mut cells = workbook
                .worksheet_cells_reader(&sheet)
                .map_err(|e| SheetError::Xlsx(e.to_string()))?;
            let mut header: Vec<String> = Vec::new();
            let mut map: Option<Vec<Option<usize>>> = None;
            let mut current_row: Option<u32> = None;
            let mut row_cells: Vec<String> = Vec::new();
            let mut rows = Vec::with_capacity(batch);
            let finish_row = |row: u32,
                              row_cells: &mut Vec<String>,
                              header: &mut Vec<String>,
                              map: &mut Option<Vec<Option<usize>>>,
                              rows: &mut Vec<SheetRow>|
             -> Result<(), SheetError> {
                let taken = std::mem::take(row_cells);
                match map {
                    None => {
                        *header = taken;
                        *map = Some(map_header(t, header, unknown)?);
                    }
                    Some(m) => {
                        if !taken.iter().all(|c| c.trim().is_empty()) {
                            rows.push(row_from(t, m, u64::from(row) + 1, taken.into_iter()));
                        }
                    }
                }
                Ok(())
            };
            loop {
                let next = cells
                    .next_cell()
                    .map_err(|e| SheetError::Xlsx(e.to_string()))?;
                let Some(cell) = next else { break };
                let (row, col) = cell.get_position();
                if current_row != Some(row) {
                    if let Some(r) = current_row {
                        finish_row(r, &mut row_cells, &mut header, &mut map, &mut rows)?;
                        if rows.len() >= batch && !sink(std::mem::take(&mut rows)) {
                            return Ok(());
                        }
                    }
                    current_row = Some(row);
                }
                let col = col as usize;
                if row_cells.len() <= col {
                    row_cells.resize(col + 1, String::new());
                }
                row_cells[col] = cell_text(cell.get_value());
            }
            if let Some(r) = current_row {
                finish_row(r, &mut row_cells, &mut header, &mut map, &mut rows)?;
            }
            if map.is_none() {
                return Err(SheetError::NoHeader);
            }
            if !rows.is_empty() {
                sink(rows);
            }
            Ok(())
        }
    }
}

/// A spreadsheet cell as the text a person typed: whole numbers without `.0`, dates as
/// `yyyy-mm-dd`, date-times as `yyyy-mm-dd hh:mm`.
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => if *b { "1" } else { "0" }.to_owned(),
        DataRef::DateTime(dt) => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else if s == 0 {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.replace('T', " "),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// Column titles for an export: element names, or Chinese labels with the unit.
pub fn titles(t: &RecordType, chinese: bool) -> Vec<String> {
    t.fields
        .iter()
        .map(|f| {
            if chinese {
                match f.unit {
                    Some(u) => format!("{}（{u}）", f.label_zh),
                    None => f.label_zh.to_owned(),
                }
            } else {
                f.name.to_owned()
            }
        })
        .collect()
}

/// One CSV line (with its newline) of the given cells.
pub fn csv_line<I, S>(cells: I) -> Vec<u8>
where
    I: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = writer.write_record(cells);
    writer.into_inner().unwrap_or_default()
}

/// An XLSX workbook being written, one row at a time, kept small with constant-memory mode.
pub struct XlsxWriter {
    workbook: rust_xlsxwriter::Workbook,
    row: u32,
}

impl XlsxWriter {
    pub fn new(sheet_name: &str, titles: &[String]) -> Result<Self, rust_xlsxwriter::XlsxError> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(sheet_name)?;
        for (c, title) in titles.iter().enumerate() {
            sheet.write_string(0, c as u16, title)?;
        }
        Ok(XlsxWriter { workbook, row: 1 })
    }

    pub fn push(&mut self, cells: &[Option<String>]) -> Result<(), rust_xlsxwriter::XlsxError> {
        let sheet = self.workbook.worksheet_from_index(0)?;
        for (c, cell) in cells.iter().enumerate() {
            if let Some(text) = cell {
                sheet.write_string(self.row, c as u16, text)?;
            }
        }
        self.row += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        self.workbook.save_to_buffer()
    }
}
