//! Format identification from magic bytes.

use crate::error::{CoreError, Result};

/// A container format the core can identify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataFormat {
    /// Arrow IPC file format, which is also Feather v2.
    ArrowFile,
    /// Arrow IPC stream format.
    ArrowStream,
    /// Legacy Feather v1 (`FEA1`).
    FeatherV1,
    /// Apache Parquet.
    Parquet,
    /// Delimited text.
    Csv,
    /// Newline-delimited JSON.
    Ndjson,
}

impl DataFormat {
    /// The name used in messages and in the WIT enum.
    pub fn name(self) -> &'static str {
        match self {
            DataFormat::ArrowFile => "arrow-file",
            DataFormat::ArrowStream => "arrow-stream",
            DataFormat::FeatherV1 => "feather-v1",
            DataFormat::Parquet => "parquet",
            DataFormat::Csv => "csv",
            DataFormat::Ndjson => "ndjson",
        }
    }
}

/// The magic at both ends of an Arrow IPC file.
pub const ARROW_MAGIC: &[u8; 6] = b"ARROW1";
/// The marker that starts every encapsulated IPC message since Arrow 0.15.
pub const CONTINUATION: [u8; 4] = [0xFF; 4];

/// The formats this build reads, by name.
pub fn compiled_formats() -> Vec<&'static str> {
    let mut v = vec!["arrow-file", "arrow-stream", "feather-v1"];
    if cfg!(feature = "parquet") {
        v.push("parquet");
    }
    if cfg!(feature = "csv") {
        v.push("csv");
    }
    if cfg!(feature = "json") {
        v.push("ndjson");
    }
    v
}

/// Identify a format from the first bytes of a file.
///
/// Binary formats are told by their magic. Text formats have none, so they are guessed, and only
/// safely: NDJSON when the first non-blank line is a JSON object, CSV when the first lines are
/// UTF-8 and split into the same number (two or more) of fields. A caller who knows better names
/// the format.
pub fn detect(head: &[u8]) -> Result<DataFormat> {
    if head.starts_with(ARROW_MAGIC) {
        return Ok(DataFormat::ArrowFile);
    }
    if head.starts_with(b"FEA1") {
        return Ok(DataFormat::FeatherV1);
    }
    if head.starts_with(b"PAR1") {
        return Ok(DataFormat::Parquet);
    }
    if head.starts_with(&CONTINUATION) {
        return Ok(DataFormat::ArrowStream);
    }
    // A pre-0.15 stream starts with the little-endian length of its schema message directly.
    // Demanding a plausible length and the flatbuffer's root offset behind it keeps text and
    // random bytes from being taken for one.
    if let Some(len) = head.get(..4).map(le_u32)
        && (8..=(1 << 24)).contains(&len)
        && head.len() >= 8
        && head.get(4..8).map(le_u32).is_some_and(|root| root > 0 && root < len)
        && arrow_ipc::root_as_message(head.get(4..).unwrap_or_default()).is_ok()
    {
        return Ok(DataFormat::ArrowStream);
    }
    if looks_like_ndjson(head) {
        return Ok(DataFormat::Ndjson);
    }
    if sniff_delimiter(head).is_some() {
        return Ok(DataFormat::Csv);
    }
    Err(CoreError::UnknownFormat(describe_head(head)))
}

/// Whether text looks like NDJSON: the first non-blank line (after a UTF-8 byte-order mark) is
/// a `{ ... }` object, complete on that line.
pub fn looks_like_ndjson(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let Some(line) = head.split(|&b| b == b'\n').find(|l| !l.iter().all(u8::is_ascii_whitespace)) else {
        return false;
    };
    let t = line.trim_ascii();
    t.first() == Some(&b'{') && t.last() == Some(&b'}') && std::str::from_utf8(t).is_ok()
}

/// Guess whether text is CSV and with which delimiter: the first lines (two to eight; a last one
/// possibly cut off is ignored) must be UTF-8 and split into the same number (at least 2) of fields.
pub fn sniff_delimiter(head: &[u8]) -> Option<u8> {
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(head.get(..e.valid_up_to())?).ok()?,
    };
    if text.contains('\0') || text.trim_start().starts_with(['[', '{']) {
        return None;
    }
    b",\t;|".iter().copied().find(|&d| {
        let mut counts = field_counts(text, d);
        // The last record may be cut off by the end of the head.
        if !text.ends_with('\n') && counts.len() > 2 {
            counts.pop();
        }
        counts.truncate(8);
        // One record proves no consistency.
        counts.len() >= 2 && counts.first().is_some_and(|&c| c >= 2 && counts.iter().all(|&n| n == c))
    })
}

/// The number of fields of each record, with quoted fields (which may hold delimiters and
/// newlines) counted as one; blank lines are skipped.
fn field_counts(text: &str, delimiter: u8) -> Vec<usize> {
    let mut counts = Vec::new();
    let (mut quoted, mut fields, mut blank) = (false, 1, true);
    for b in text.bytes() {
        match b {
            b'"' => {
                quoted = !quoted;
                blank = false;
            }
            b'\n' if !quoted => {
                if !blank {
                    counts.push(fields);
                }
                (fields, blank) = (1, true);
            }
            _ if b == delimiter && !quoted => {
                fields += 1;
                blank = false;
            }
            b'\r' | b' ' => {}
            _ => blank = false,
        }
        if counts.len() > 8 {
            break;
        }
    }
    if !blank {
        counts.push(fields);
    }
    counts
}

fn le_u32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(b);
    u32::from_le_bytes(a)
}

/// Say what was seen, so the user can tell a gzip file or an HTML error page from a bug.
fn describe_head(head: &[u8]) -> String {
    if head.is_empty() {
        return "the input is empty".to_string();
    }
    let shown = head.get(..16).unwrap_or(head);
    let hex: Vec<String> = shown.iter().map(|b| format!("{b:02x}")).collect();
    let text: String = shown.iter().map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { '.' }).collect();
    let hint = match head {
        [0x1f, 0x8b, ..] => " (gzip data: decompress it first)",
        [b'P', b'K', 3, 4, ..] => " (a zip archive)",
        [b'<', ..] => " (looks like HTML or XML)",
        [b'{', ..] | [b'[', ..] => " (looks like JSON, but not one object per line: NDJSON reads that)",
        _ => "",
    };
    format!("no Arrow IPC, Feather or Parquet magic in the first bytes: {} \"{}\"{hint}", hex.join(" "), text)
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_identify_each_binary_format() {
        assert_eq!(detect(b"ARROW1\0\0rest"), Ok(DataFormat::ArrowFile));
        assert_eq!(detect(b"FEA1...."), Ok(DataFormat::FeatherV1));
        assert_eq!(detect(b"PAR1...."), Ok(DataFormat::Parquet));
        assert_eq!(detect(&[0xFF, 0xFF, 0xFF, 0xFF, 8, 0, 0, 0]), Ok(DataFormat::ArrowStream));
    }

    #[test]
    fn unknown_bytes_name_what_was_seen() {
        let Err(CoreError::UnknownFormat(msg)) = detect(b"HELLO world") else {
            panic!("expected unknown format");
        };
        assert!(msg.contains("48 45 4c 4c 4f"), "{msg}");
        assert!(msg.contains("HELLO"), "{msg}");
        let Err(CoreError::UnknownFormat(msg)) = detect(&[0x1f, 0x8b, 8, 0]) else {
            panic!("expected unknown format");
        };
        assert!(msg.contains("gzip"), "{msg}");
        assert!(matches!(detect(b""), Err(CoreError::UnknownFormat(m)) if m.contains("empty")));
    }

    #[test]
    fn text_is_guessed_safely_and_never_taken_for_a_legacy_stream() {
        assert_eq!(detect(b"a,b,c\n1,2,3\n"), Ok(DataFormat::Csv));
        assert_eq!(detect(b"{\"a\": 1}\n{\"a\": 2}"), Ok(DataFormat::Ndjson));
        assert!(detect(b"just one column\nof words\n").is_err());
        assert!(detect(b"[1, 2, 3]").is_err());
    }

    #[test]
    fn delimiters_are_sniffed_from_consistent_field_counts() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n"), Some(b','));
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n3\t"), Some(b'\t'));
        assert_eq!(sniff_delimiter(b"a;b\n\"x;y\";2\n"), Some(b';'));
        assert_eq!(sniff_delimiter(b"just one column\nof text\n"), None);
        assert_eq!(sniff_delimiter(b"a,b\n1,2,3\n"), None);
        assert_eq!(sniff_delimiter(&[0, 1, 2, 3]), None);
        assert_eq!(sniff_delimiter(b"a,b\n\"multi\nline, with comma\",2\n3,4\n"), Some(b','));
    }

    #[test]
    fn ndjson_wants_an_object_per_line() {
        assert!(looks_like_ndjson(b"{\"a\": 1}\n{\"a\": 2}\n"));
        assert!(looks_like_ndjson(b"\n  {\"a\": 1}\n{\"a\""));
        assert!(!looks_like_ndjson(b"[1, 2]\n"));
        assert!(!looks_like_ndjson(b"a,b\n1,2\n"));
    }
}
