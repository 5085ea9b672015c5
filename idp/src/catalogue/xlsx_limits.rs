//! What an XLSX file must keep to before calamine opens it. An XLSX file is a zip of XML parts,
//! and calamine reads the shared-string table whole into memory (reserving room for the count
//! the file declares) and each cell's text whole: a 1 MB upload can unpack to gigabytes. Every
//! part is unpacked once here, as a stream, and the file is refused as soon as a part passes
//! its limit, so the server never holds more than one read buffer of it.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// Parts in one workbook; Excel writes about a dozen.
pub const MAX_PARTS: usize = 1_000;
/// The unpacked size of one worksheet, which calamine streams. About three times the XML of a
/// 300,000-row enterprise sheet.
pub const MAX_SHEET_BYTES: u64 = 1024 * 1024 * 1024;
/// The unpacked shared-string table, which calamine keeps in memory while the file is read.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 32 * 1024 * 1024;
/// The strings the shared-string table may declare (calamine reserves room for them).
pub const MAX_SHARED_STRINGS: u64 = 1_000_000;
/// Any other part (workbook, styles, relationships, themes, pictures).
pub const MAX_OTHER_PART_BYTES: u64 = 16 * 1024 * 1024;
/// The longest stretch of a worksheet or the shared strings without a `<`: it bounds every
/// cell's text and every tag. No field of the standard is longer than 4,000 characters, which
/// is at most 24,000 bytes of XML even if every character is written as an entity.
pub const MAX_XML_RUN: usize = 64 * 1024;

/// Why an XLSX file was refused before it was read.
#[derive(Debug, thiserror::Error)]
pub enum XlsxLimit {
    #[error(
        "文件不是可读的 XLSX（zip）文件：{0}。The file is not a readable XLSX (zip) file: {0}."
    )]
    NotAZip(String),
    #[error(
        "XLSX 文件包含 {found} 个部件，最多允许 {max} 个。The XLSX file has {found} parts; at most {max} are accepted."
    )]
    TooManyParts { found: usize, max: usize },
    #[error(
        "XLSX 部件 {part} 解压后超过 {max} 字节。The XLSX part {part} unpacks to more than {max} bytes."
    )]
    PartTooLarge { part: String, max: u64 },
    #[error(
        "XLSX 部件 {part} 中有超过 {max} 字节的单元格或标签（标准中没有超过 4000 字的字段）。The XLSX part {part} holds a cell or tag longer than {max} bytes (no field of the standard exceeds 4,000 characters)."
    )]
    CellTooLong { part: String, max: usize },
    #[error(
        "共享字符串表声明了 {found} 个字符串，最多允许 {max} 个。The shared-string table declares {found} strings; at most {max} are accepted."
    )]
    TooManyStrings { found: u64, max: u64 },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PartKind {
    Sheet,
    SharedStrings,
    Other,
}

impl PartKind {
    fn of(name: &str) -> PartKind {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with("sharedstrings.xml") {
            PartKind::SharedStrings
        } else if lower.contains("worksheets/") && lower.ends_with(".xml") {
            PartKind::Sheet
        } else {
            PartKind::Other
        }
    }

    fn max_bytes(self) -> u64 {
        match self {
            PartKind::Sheet => MAX_SHEET_BYTES,
            PartKind::SharedStrings => MAX_SHARED_STRINGS_BYTES,
            PartKind::Other => MAX_OTHER_PART_BYTES,
        }
    }
}

/// Unpacks every part of the file at `path` as a stream and refuses it at the first limit
/// passed.
pub fn check(path: &Path) -> Result<(), XlsxLimit> {
    let file = File::open(path).map_err(|e| XlsxLimit::NotAZip(e.to_string()))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| XlsxLimit::NotAZip(e.to_string()))?;
    if archive.len() > MAX_PARTS {
        return Err(XlsxLimit::TooManyParts {
            found: archive.len(),
            max: MAX_PARTS,
        });
    }
    let mut buffer = vec![0u8; 64 * 1024];
    for index in 0..archive.len() {
        let mut part = archive
            .by_index(index)
            .map_err(|e| XlsxLimit::NotAZip(e.to_string()))?;
        let name = part
            .name()
            .map(|n| n.chars().take(200).collect::<String>())
            .unwrap_or_else(|_| format!("#{index}"));
        let kind = PartKind::of(&name);
        let mut scan = Scan::new(kind);
        loop {
            let n = part
                .read(&mut buffer)
                .map_err(|e| XlsxLimit::NotAZip(e.to_string()))?;
            if n == 0 {
                break;
            }
            scan.feed(&buffer[..n], &name)?;
        }
    }
    Ok(())
}

/// What is known of one part while it streams past.
struct Scan {
    kind: PartKind,
    bytes: u64,
    run: usize,
    /// The start of a shared-string table, kept until its `sst` tag has been seen.
    head: Vec<u8>,
    declared_checked: bool,
}

impl Scan {
    fn new(kind: PartKind) -> Scan {
        Scan {
            kind,
            bytes: 0,
            run: 0,
            head: Vec::new(),
            declared_checked: kind != PartKind::SharedStrings,
        }
    }

    fn feed(&mut self, chunk: &[u8], name: &str) -> Result<(), XlsxLimit> {
        self.bytes += chunk.len() as u64;
        if self.bytes > self.kind.max_bytes() {
            return Err(XlsxLimit::PartTooLarge {
                part: name.to_owned(),
                max: self.kind.max_bytes(),
            });
        }
        if self.kind == PartKind::Other {
            return Ok(());
        }
        for &byte in chunk {
            if byte == b'<' {
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > MAX_XML_RUN {
                    return Err(XlsxLimit::CellTooLong {
                        part: name.to_owned(),
                        max: MAX_XML_RUN,
                    });
                }
            }
        }
        if !self.declared_checked {
            let room = 4096usize.saturating_sub(self.head.len());
            self.head.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if let Some(declared) = declared_strings(&self.head) {
                self.declared_checked = true;
                if declared > MAX_SHARED_STRINGS {
                    return Err(XlsxLimit::TooManyStrings {
                        found: declared,
                        max: MAX_SHARED_STRINGS,
                    });
                }
            } else if self.head.len() >= 4096 || sst_tag_closed(&self.head) {
                // No count declared (it is optional): calamine reserves nothing then.
                self.declared_checked = true;
            }
        }
        Ok(())
    }
}

/// The `uniqueCount` (or, failing that, `count`) the `sst` tag declares, once the tag is whole.
fn declared_strings(head: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(head).ok().or_else(|| {
        // A chunk may end inside a character; the tag itself is ASCII.
        let valid = std::str::from_utf8(head).err()?.valid_up_to();
        std::str::from_utf8(&head[..valid]).ok()
    })?;
    let start = sst_start(text.as_bytes())?;
    let tag_end = text[start..].find('>')? + start;
    let tag = &text[start..tag_end];
    let value = |attr: &str| -> Option<u64> {
        let at = tag.find(attr)? + attr.len();
        let rest = tag[at..].trim_start().strip_prefix('=')?.trim_start();
        let quote = rest.chars().next()?;
        let inner = rest.get(1..)?;
        let end = inner.find(quote)?;
        // A count too long for u64 is certainly too many.
        Some(inner[..end].trim().parse::<u64>().unwrap_or(u64::MAX))
    };
    value("uniqueCount").or_else(|| value(" count")).or(Some(0))
}

/// Where the `sst` element's name starts (`<sst` or a prefixed `<x:sst`).
fn sst_start(head: &[u8]) -> Option<usize> {
    (1..head.len().saturating_sub(2))
        .find(|&i| &head[i..i + 3] == b"sst" && matches!(head[i - 1], b'<' | b':'))
}

fn sst_tag_closed(head: &[u8]) -> bool {
    sst_start(head).is_some_and(|at| head[at..].contains(&b'>'))
}

#[cfg(test)]
mod tests {
    use super::declared_strings;

    #[test]
    fn the_declared_string_count_is_read_from_the_sst_tag() {
        let head = br#"<?xml version="1.0"?><sst xmlns="x" count="12" uniqueCount="7"><si>"#;
        assert_eq!(declared_strings(head), Some(7));
        let head = br#"<sst xmlns="x" count='99999999999'>"#;
        assert_eq!(declared_strings(head), Some(99_999_999_999));
        let head = br#"<x:sst uniqueCount="999999999999999999999999">"#;
        assert_eq!(declared_strings(head), Some(u64::MAX));
        assert_eq!(declared_strings(br#"<sst xmlns="x">"#), Some(0));
        assert_eq!(declared_strings(br#"<sst uniqueCount="5""#), None);
    }
}
