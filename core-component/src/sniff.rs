//! Format identification, the first step of every read: magic bytes for the binary formats,
//! then a safe guess at text (the guessing itself is [`crate::text::sniff`]'s).

use crate::error::{CoreError, Result};
use crate::format::{ARROW_MAGIC, CONTINUATION, DataFormat};
use crate::text::sniff::{looks_like_ndjson, sniff_delimiter};

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
}
