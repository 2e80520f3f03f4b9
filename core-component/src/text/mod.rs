//! Text formats: the safe guess that bytes are CSV or NDJSON ([`sniff`], always built, so a build
//! without them can still say what it was given), and the readers and writers of each (behind the
//! `csv` and `json` features), on arrow-csv and arrow-json.

#[cfg(feature = "csv")]
pub mod csv;
#[cfg(feature = "json")]
pub mod ndjson;
pub mod sniff;
