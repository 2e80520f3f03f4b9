//! Guessing whether text is NDJSON or CSV (and its delimiter) from its first bytes: text formats
//! have no magic, so only guesses that cannot mistake one for the other are made.

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
/// possibly cut off is ignored) must be UTF-8, hold no NUL byte outside quoted fields (binary data
/// would), and split into the same number (at least 2) of fields.
pub fn sniff_delimiter(head: &[u8]) -> Option<u8> {
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(head.get(..e.valid_up_to())?).ok()?,
    };
    if text.trim_start().starts_with(['[', '{']) {
        return None;
    }
    b",\t;|".iter().copied().find(|&d| {
        let Some(mut counts) = field_counts(text, d) else { return false };
        // The last record may be cut off by the end of the head.
        if !text.ends_with('\n') && counts.len() > 2 {
            counts.pop();
        }
        counts.truncate(8);
        // One record proves no consistency.
        counts.len() >= 2 && counts.first().is_some_and(|&c| c >= 2 && counts.iter().all(|&n| n == c))
    })
}

/// The number of fields of each record, with quoted fields (which may hold delimiters, newlines
/// and even NUL bytes) counted as one; blank lines are skipped. None for a NUL outside quotes.
fn field_counts(text: &str, delimiter: u8) -> Option<Vec<usize>> {
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
            b'\0' if !quoted => return None,
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
    Some(counts)
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_sniffed_from_consistent_field_counts() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n"), Some(b','));
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n3\t"), Some(b'\t'));
        assert_eq!(sniff_delimiter(b"a;b\n\"x;y\";2\n"), Some(b';'));
        assert_eq!(sniff_delimiter(b"just one column\nof text\n"), None);
        assert_eq!(sniff_delimiter(b"a,b\n1,2,3\n"), None);
        assert_eq!(sniff_delimiter(&[0, 1, 2, 3]), None);
        assert_eq!(sniff_delimiter(b"a,b\n\"multi\nline, with comma\",2\n3,4\n"), Some(b','));
        // A NUL inside a quoted field is data; outside one it is not text.
        assert_eq!(sniff_delimiter(b"a,b\n\"x\0y\",2\n3,4\n"), Some(b','));
        assert_eq!(sniff_delimiter(b"a,b\nx\0y,2\n3,4\n"), None);
    }

    #[test]
    fn ndjson_wants_an_object_per_line() {
        assert!(looks_like_ndjson(b"{\"a\": 1}\n{\"a\": 2}\n"));
        assert!(looks_like_ndjson(b"\n  {\"a\": 1}\n{\"a\""));
        assert!(!looks_like_ndjson(b"[1, 2]\n"));
        assert!(!looks_like_ndjson(b"a,b\n1,2\n"));
    }
}
