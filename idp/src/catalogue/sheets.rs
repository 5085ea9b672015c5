//! Spreadsheets in and out: CSV in UTF-8 or GBK (as Chinese Excel saves it) and XLSX, read as a
//! stream of rows so that a 100 MB file never sits in memory; CSV and XLSX written with the
//! element names, or the Chinese labels, as column titles.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use calamine::{DataRef, Reader, Xlsx};

use super::csv_rows::CsvRows;
use super::spec::{Field, RecordType};
use super::validate::{FieldError, Problems, UnknownFields, echo, resolve_field, unknown_field};
use super::xlsx_limits::{self, XlsxLimit};

/// Excel's last column, XFD: no spreadsheet has a cell beyond it.
pub const MAX_SHEET_COLUMNS: usize = 16_384;
/// With `unknown=ignore` a file may carry columns the type does not have, up to this many in
/// all (Excel's old width, IV); otherwise a file has at most one column per field.
pub const MAX_COLUMNS_IGNORING_UNKNOWN: usize = 256;

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
    #[error(
        "文件有 {found} 列，最多允许 {max} 列（每个字段一列）。The file has {found} columns; at most {max} are accepted (one per field)."
    )]
    TooManyColumns { found: usize, max: usize },
    #[error("{0}")]
    XlsxLimit(#[from] XlsxLimit),
    #[error("读取文件失败：{0}。Reading the file failed: {0}.")]
    Io(#[from] std::io::Error),
}

/// The most columns a file of type `t` may have.
pub fn max_columns(t: &RecordType, unknown: UnknownFields) -> usize {
    match unknown {
        UnknownFields::Refuse => t.fields.len(),
        UnknownFields::Ignore => t.fields.len().max(MAX_COLUMNS_IGNORING_UNKNOWN),
    }
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
    // Trailing empty titles (a sheet formatted further right than it is filled) are no columns.
    // The readers keep at most `max_columns` titles, refusing a file with more.
    let width = titles
        .iter()
        .rposition(|t| !t.trim().is_empty())
        .map_or(0, |i| i + 1);
    let titles = &titles[..width];
    let mut errors = Problems::default();
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
                    format!("列 {} 重复", echo(title)),
                    format!("the column {} appears twice", echo(title)),
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
        Err(SheetError::Header(errors.into_vec()))
    }
}

/// A data row from its cells under the header (`map`, which the readers never let a row
/// outgrow) and the filled cells they found right of it.
fn row_from(
    t: &RecordType,
    map: &[Option<usize>],
    line: u64,
    cells: Vec<String>,
    extra: &ExtraCells,
) -> SheetRow {
    let mut values = vec![None; t.fields.len()];
    for (cell, field) in cells.into_iter().zip(map) {
        if let Some(f) = field
            && !cell.is_empty()
        {
            values[*f] = Some(imported_cell(cell));
        }
    }
    let errors = extra.errors();
    SheetRow {
        line,
        cells: values,
        errors,
    }
}

/// Filled cells to the right of the header, reported once per row however many there are.
#[derive(Default)]
struct ExtraCells {
    first: Option<usize>,
    count: usize,
}

impl ExtraCells {
    /// Notes a filled cell in 0-based column `column`, which has no header.
    fn note(&mut self, column: usize) {
        self.first.get_or_insert(column);
        self.count += 1;
    }

    fn errors(&self) -> Vec<FieldError> {
        match self.first {
            None => Vec::new(),
            Some(first) => {
                let (first, n) = (first + 1, self.count);
                vec![FieldError::new(
                    None,
                    "extra_cell",
                    format!("第 {first} 列起有 {n} 个单元格没有标题"),
                    format!("{n} cells from column {first} on have no header"),
                )]
            }
        }
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
            let mut records = CsvRows::new(BufReader::with_capacity(64 * 1024, decoder));
            let max = max_columns(t, unknown);
            let header = records.next_record(max)?.ok_or(SheetError::NoHeader)?;
            if let Some(last) = header.last_filled_extra {
                return Err(SheetError::TooManyColumns {
                    found: last + 1,
                    max,
                });
            }
            let map = map_header(t, &header.fields, unknown)?;
            let width = map.len();
            let mut rows = Vec::with_capacity(batch);
            while let Some(record) = records.next_record(width)? {
                if record.is_blank() {
                    continue;
                }
                let extra = ExtraCells {
                    first: record.first_filled_extra,
                    count: record.filled_extra,
                };
                rows.push(row_from(t, &map, record.line, record.fields, &extra));
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
            xlsx_limits::check(path)?;
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
            let mut state = XlsxRows {
                t,
                unknown,
                map: None,
                row_cells: Vec::new(),
                extra: ExtraCells::default(),
                rows: Vec::with_capacity(batch),
            };
            let mut current_row: Option<u32> = None;
            loop {
                let next = cells
                    .next_cell()
                    .map_err(|e| SheetError::Xlsx(e.to_string()))?;
                let Some(cell) = next else { break };
                let (row, col) = cell.get_position();
                if current_row != Some(row) {
                    if let Some(r) = current_row {
                        state.finish_row(r)?;
                        if state.rows.len() >= batch && !sink(std::mem::take(&mut state.rows)) {
                            return Ok(());
                        }
                    }
                    current_row = Some(row);
                }
                state.cell(row, col as usize, cell_text(cell.get_value()))?;
            }
            if let Some(r) = current_row {
                state.finish_row(r)?;
            }
            let XlsxRows { map, rows, .. } = state;
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

/// The rows of a worksheet as its cells stream past: the header first, then data rows.
struct XlsxRows<'a> {
    t: &'a RecordType,
    unknown: UnknownFields,
    /// Set once the header row is read.
    map: Option<Vec<Option<usize>>>,
    row_cells: Vec<String>,
    extra: ExtraCells,
    rows: Vec<SheetRow>,
}

impl XlsxRows<'_> {
    /// Takes one cell of the current row. The row buffer grows only to the header's width (or,
    /// for the header, to the widest a file may be): a cell's position is a number from the
    /// file.
    fn cell(&mut self, row: u32, col: usize, text: String) -> Result<(), SheetError> {
        if col >= MAX_SHEET_COLUMNS {
            return Err(SheetError::Xlsx(format!(
                "第 {} 行有超出 XFD 列的单元格 / row {} has a cell beyond column XFD",
                row + 1,
                row + 1
            )));
        }
        let width = match &self.map {
            None => max_columns(self.t, self.unknown),
            Some(m) => m.len(),
        };
        if col >= width {
            if !text.trim().is_empty() {
                if self.map.is_none() {
                    return Err(SheetError::TooManyColumns {
                        found: col + 1,
                        max: width,
                    });
                }
                self.extra.note(col);
            }
            return Ok(());
        }
        if self.row_cells.len() <= col {
            self.row_cells.resize(col + 1, String::new());
        }
        self.row_cells[col] = text;
        Ok(())
    }

    /// Ends row `row` (0-based): the header, or a data row unless it is blank.
    fn finish_row(&mut self, row: u32) -> Result<(), SheetError> {
        let cells = std::mem::take(&mut self.row_cells);
        let extra = std::mem::take(&mut self.extra);
        match &self.map {
            None => self.map = Some(map_header(self.t, &cells, self.unknown)?),
            Some(map) => {
                if extra.count > 0 || !cells.iter().all(|c| c.trim().is_empty()) {
                    let line = u64::from(row) + 1;
                    self.rows.push(row_from(self.t, map, line, cells, &extra));
                }
            }
        }
        Ok(())
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

/// Text that a spreadsheet program would run as a formula (`=`, `+`, `-`, `@`, or a tab or
/// carriage return before one): OWASP's list for CSV injection.
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A text cell a spreadsheet will not run as a formula (a leading `'`), for exports of figures
/// whose labels come from users.
pub fn formula_safe(cell: &str) -> String {
    if looks_like_formula(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// A value as an exported CSV cell: text that Excel or WPS would run as a formula gets a
/// leading `'`, which they show as text; numbers (a negative profit) stay numbers.
pub fn csv_cell<'a>(field: &Field, value: &'a str) -> std::borrow::Cow<'a, str> {
    if !field.kind.is_numeric() && looks_like_formula(value) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// An imported text cell with the `'` of [`csv_cell`] taken off again, so that an exported file
/// edited and imported keeps its values.
fn imported_cell(text: String) -> String {
    match text.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest.to_owned(),
        _ => text,
    }
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
