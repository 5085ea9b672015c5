//! CSV records read field by field with csv-core, keeping at most a given number of fields and
//! bytes per field. The csv crate assembles a whole record before handing it over, sizing its
//! buffers from what the record holds: one 100 MB line of commas would become hundreds of MB
//! of field boundaries. Here the fields past the limit are only counted (and whether they were
//! filled), and a field past its byte limit is cut, so memory stays at the limits.

use std::io::BufRead;

use csv_core::{ReadFieldResult, Reader};

/// The longest field kept, in bytes; no field of the standard needs more than 16,000 (4,000
/// characters of up to four bytes). A longer one is cut here and refused as too long.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

/// One record: the fields kept, and what was past them.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// The line the record starts on (1-based).
    pub line: u64,
    pub fields: Vec<String>,
    /// Fields past the kept ones.
    pub extra: usize,
    /// The 0-based positions of the first and last filled field past the kept ones.
    pub first_filled_extra: Option<usize>,
    pub last_filled_extra: Option<usize>,
    /// How many fields past the kept ones were filled.
    pub filled_extra: usize,
}

impl Record {
    /// Whether every field (kept or not) is empty or blank.
    pub fn is_blank(&self) -> bool {
        self.filled_extra == 0 && self.fields.iter().all(|f| f.trim().is_empty())
    }
}

pub struct CsvRows<R> {
    input: R,
    reader: Reader,
    /// Lines consumed so far.
    newlines: u64,
    done: bool,
}

impl<R: BufRead> CsvRows<R> {
    pub fn new(input: R) -> Self {
        CsvRows {
            input,
            reader: Reader::new(),
            newlines: 0,
            done: false,
        }
    }

    /// The next record, keeping at most `keep` fields; `None` at the end of the input.
    pub fn next_record(&mut self, keep: usize) -> std::io::Result<Option<Record>> {
        if self.done {
            return Ok(None);
        }
        let mut record = Record {
            line: self.newlines + 1,
            ..Record::default()
        };
        let mut field: Vec<u8> = Vec::new();
        let mut out = [0u8; 8 * 1024];
        let mut started = false;
        loop {
            let input = self.input.fill_buf()?;
            let (result, consumed, written) = self.reader.read_field(input, &mut out);
            let taken = &input[..consumed];
            let newlines = taken.iter().filter(|b| **b == b'\n').count() as u64;
            // The record starts at its first byte that is no line ending (csv-core passes over
            // the previous record's terminator and blank lines first).
            if !started && let Some(at) = taken.iter().position(|b| !matches!(b, b'\r' | b'\n')) {
                started = true;
                let before = taken[..at].iter().filter(|b| **b == b'\n').count() as u64;
                record.line = self.newlines + before + 1;
            }
            self.input.consume(consumed);
            let room = MAX_FIELD_BYTES.saturating_sub(field.len());
            field.extend_from_slice(&out[..written.min(room)]);
            match result {
                ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => {
                    self.newlines += newlines;
                }
                ReadFieldResult::Field { record_end } => {
                    let text = String::from_utf8_lossy(&field).into_owned();
                    field.clear();
                    let position = record.fields.len() + record.extra;
                    if record.fields.len() < keep {
                        record.fields.push(text);
                    } else {
                        record.extra += 1;
                        if !text.trim().is_empty() {
                            record.filled_extra += 1;
                            record.first_filled_extra.get_or_insert(position);
                            record.last_filled_extra = Some(position);
                        }
                    }
                    if record_end {
                        // The record's terminator counts toward the next record's line.
                        self.newlines += newlines;
                        return Ok(Some(record));
                    }
                    self.newlines += newlines;
                }
                ReadFieldResult::End => {
                    self.done = true;
                    return Ok(started.then_some(record).filter(|r| !r.fields.is_empty()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{CsvRows, MAX_FIELD_BYTES};

    fn all(text: &str, keep: usize) -> Vec<super::Record> {
        let mut rows = CsvRows::new(text.as_bytes());
        let mut out = Vec::new();
        while let Some(r) = rows.next_record(keep).unwrap() {
            out.push(r);
        }
        out
    }

    #[test]
    fn records_fields_lines_and_quotes() {
        let rows = all("a,b,c\n1,\"x, \"\"y\"\"\",3\n\n2,\"multi\nline\",4", 10);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].fields, ["a", "b", "c"]);
        assert_eq!(rows[0].line, 1);
        assert_eq!(rows[1].fields, ["1", "x, \"y\"", "3"]);
        assert_eq!(rows[1].line, 2);
        assert_eq!(rows[2].fields, ["2", "multi\nline", "4"]);
        assert_eq!(rows[2].line, 4);
    }

    #[test]
    fn fields_past_the_limit_are_counted_not_kept() {
        let mut line = String::from("a,b");
        line.push_str(&",".repeat(100_000));
        line.push_str("z,,w\n");
        let rows = all(&line, 2);
        assert_eq!(rows[0].fields, ["a", "b"]);
        assert_eq!(rows[0].extra, 100_002);
        assert_eq!(rows[0].filled_extra, 2);
        assert_eq!(rows[0].first_filled_extra, Some(100_001));
        assert_eq!(rows[0].last_filled_extra, Some(100_003));
        assert!(!rows[0].is_blank());
    }

    #[test]
    fn a_field_past_its_byte_limit_is_cut() {
        let text = format!("{}\n", "x".repeat(MAX_FIELD_BYTES * 3));
        let rows = all(&text, 5);
        assert_eq!(rows[0].fields[0].len(), MAX_FIELD_BYTES);
    }

    #[test]
    fn crlf_and_a_missing_final_newline() {
        let rows = all("a,b\r\n1,2", 5);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].fields, ["1", "2"]);
        assert_eq!(rows[1].line, 2);
    }
}
