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

/// Identify a format from the first bytes of a file.
///
/// Text formats have no magic, so they are never guessed here: a caller names them.
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
    Err(CoreError::UnknownFormat(describe_head(head)))
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
        [b'{', ..] | [b'[', ..] => " (looks like JSON: pass format ndjson)",
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
    fn text_is_not_taken_for_a_legacy_stream() {
        assert!(detect(b"a,b,c\n1,2,3\n").is_err());
        assert!(detect(b"{\"a\": 1}\n").is_err());
    }
}
