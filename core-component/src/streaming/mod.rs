//! Streaming writes: tables in one at a time, output bytes out as they are produced.
//!
//! The streaming *readers* live with their formats ([`crate::ipc::push`], [`crate::parquet::range`])
//! because each is that format's framing driven by a host; the writer lives here because it sits
//! above the formats and the [`Table`](crate::table::Table), choosing between IPC and Parquet.

pub mod writer;

pub use writer::{TableWriter, WriterFormat};
