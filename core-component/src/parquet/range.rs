//! A Parquet reader driven by byte ranges (footer first, then the selected chunks one row group
//! at a time), over parquet-rs's sans-IO push decoders and the same [`Plan`](super::plan::Plan)
//! as a whole read.

use std::sync::Arc;

use ::parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use bytes::Bytes;

use super::from_read;
use super::options::ParquetReadOptions;
use super::plan::{Plan, plan};
use crate::error::{CoreError, Result};

/// What a [`RangeReader`] wants next.
#[derive(Debug)]
pub enum Step {
    /// The byte ranges of the file it needs before it can go on.
    Needs(Vec<std::ops::Range<u64>>),
    /// The next batch.
    Batch(RecordBatch),
    /// Every selected row has been read. A read that selects no rows first hands out one empty
    /// batch, so that its consumer still learns the schema and can write an empty output.
    Finished,
}

enum RangeState {
    Footer(::parquet::file::metadata::ParquetMetaDataPushDecoder),
    Rows(::parquet::arrow::push_decoder::ParquetPushDecoder),
    Done,
}

/// A Parquet reader driven by byte ranges, without I/O of its own: it asks for the footer, then
/// for the column chunks of the selected row groups and columns, one row group at a time, and
/// hands out batches. The same protocol serves a file read by pieces, `File.slice` and HTTP range
/// requests. It holds the bytes of one row group's selected chunks at most (parquet-rs's push
/// decoder releases each row group's bytes once decoded).
pub struct RangeReader {
    file_length: u64,
    options: ParquetReadOptions,
    state: RangeState,
    /// The read's plan, from the footer on.
    plan: Option<Box<Plan>>,
    requested: Vec<std::ops::Range<u64>>,
    /// Whether a batch has been handed out yet.
    emitted: bool,
}

impl RangeReader {
    /// A reader of a file of `file_length` bytes.
    pub fn new(file_length: u64, options: ParquetReadOptions) -> Result<Self> {
        let footer = ::parquet::file::metadata::ParquetMetaDataPushDecoder::try_new(file_length).map_err(from_read)?;
        Ok(Self {
            file_length,
            options,
            state: RangeState::Footer(footer),
            plan: None,
            requested: Vec::new(),
            emitted: false,
        })
    }

    /// Every range asked for so far, in order.
    pub fn requested(&self) -> &[std::ops::Range<u64>] {
        &self.requested
    }

    /// The output schema, once the footer is in (for nested-path projections, the batches'
    /// schema tells it).
    pub fn schema(&self) -> Option<SchemaRef> {
        self.plan.as_ref()?.output_schema()
    }

    /// Give the bytes of a range the reader asked for (or of any range covering one).
    pub fn provide(&mut self, offset: u64, bytes: Bytes) -> Result<()> {
        let end = offset.checked_add(bytes.len() as u64).filter(|&e| e <= self.file_length).ok_or_else(|| {
            CoreError::InvalidArgument(format!("bytes at {offset} run past the file's {} bytes", self.file_length))
        })?;
        match &mut self.state {
            RangeState::Footer(d) => d.push_range(offset..end, bytes).map_err(from_read),
            RangeState::Rows(d) => d.push_range(offset..end, bytes).map_err(from_read),
            RangeState::Done => Ok(()),
        }
    }

    /// Go on: the ranges needed next, or the next batch, or the end.
    pub fn step(&mut self) -> Result<Step> {
        use ::parquet::DecodeResult;
        loop {
            match &mut self.state {
                RangeState::Footer(d) => match d.try_decode().map_err(from_read)? {
                    DecodeResult::NeedsData(ranges) => return Ok(self.needs(ranges)),
                    DecodeResult::Data(metadata) => {
                        let meta = ArrowReaderMetadata::try_new(Arc::new(metadata), ArrowReaderOptions::new())
                            .map_err(from_read)?;
                        let plan = plan(meta, &self.options, self.file_length)?;
                        let builder = ::parquet::arrow::push_decoder::ParquetPushDecoderBuilder::new_with_metadata(
                            plan.meta.clone(),
                        );
                        let decoder = plan.configure(builder, &self.options).build().map_err(from_read)?;
                        self.plan = Some(Box::new(plan));
                        self.state = RangeState::Rows(decoder);
                    }
                    DecodeResult::Finished => return Err(CoreError::Malformed("parquet: no footer".into())),
                },
                RangeState::Rows(d) => match d.try_decode().map_err(from_read)? {
                    DecodeResult::NeedsData(ranges) => return Ok(self.needs(ranges)),
                    DecodeResult::Data(batch) => {
                        let plan = self.plan.as_ref().ok_or_else(|| CoreError::Internal("no plan".into()))?;
                        self.emitted = true;
                        return Ok(Step::Batch(plan.finish_batch(batch)?));
                    }
                    DecodeResult::Finished => self.state = RangeState::Done,
                },
                RangeState::Done => {
                    if let (false, Some(schema)) = (self.emitted, self.schema()) {
                        self.emitted = true;
                        return Ok(Step::Batch(RecordBatch::new_empty(schema)));
                    }
                    return Ok(Step::Finished);
                }
            }
        }
    }

    fn needs(&mut self, ranges: Vec<std::ops::Range<u64>>) -> Step {
        self.requested.extend(ranges.iter().cloned());
        Step::Needs(ranges)
    }
}
