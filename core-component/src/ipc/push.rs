//! A push decoder for Arrow IPC streams: the host pushes byte chunks split anywhere, and pulls
//! record batches out as soon as their messages are complete. The core does no I/O; backpressure
//! is the pull, and a ceiling on what is held (undelivered bytes and batches) refuses pushes that
//! would pass it.
//!
//! Each complete message is copied out of the pending bytes into a buffer of its own and decoded
//! by [`read`](super::read)'s checked decoder, so a pushed stream gets every check a whole
//! read gets; a message's declared lengths are checked against the ceiling before its bytes are
//! waited for, so a corrupt length cannot make the decoder hold on to input forever.

use std::collections::VecDeque;

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_schema::SchemaRef;

use super::read::{Decoder, IpcReadOptions, frame_at, parse_message, schema_of};
use crate::error::{CoreError, Result};

/// The default ceiling on bytes held: 256 MiB.
pub const DEFAULT_MAX_BUFFERED_BYTES: u64 = 256 << 20;

/// What a push decoder holds at most, and how it decodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushOptions {
    /// Refuse a push once pending bytes plus undelivered batches would pass this many bytes.
    pub max_buffered_bytes: u64,
    /// The decode options of a whole read: projection, and the decompression limit, which a push
    /// decoder applies to each message rather than to the whole stream.
    pub read: IpcReadOptions,
}

impl Default for PushOptions {
    fn default() -> Self {
        Self { max_buffered_bytes: DEFAULT_MAX_BUFFERED_BYTES, read: IpcReadOptions::default() }
    }
}

/// An IPC stream decoder fed by pushes.
pub struct PushDecoder {
    options: PushOptions,
    pending: Vec<u8>,
    decoder: Option<Decoder>,
    schema: Option<SchemaRef>,
    ready: VecDeque<RecordBatch>,
    ready_bytes: u64,
    ended: bool,
    finished: bool,
    failed: Option<CoreError>,
}

fn malformed(m: impl Into<String>) -> CoreError {
    CoreError::Malformed(m.into())
}

/// How much of a message's framing is known from the pending bytes.
enum Framing {
    /// Not enough bytes to tell yet.
    Incomplete,
    /// The end-of-stream marker, `n` bytes long.
    End(usize),
    /// A message of `n` bytes in all (prefix, metadata, body).
    Message(usize),
}

fn u32_at(buf: &[u8], at: usize) -> Option<u32> {
    buf.get(at..at + 4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes)
}

/// Reads a message's framing from the start of `buf`: the length prefix (with or without the
/// continuation marker), then, once the metadata is in, the body length it declares.
fn framing(buf: &[u8]) -> Result<Framing> {
    let Some(first) = u32_at(buf, 0) else { return Ok(Framing::Incomplete) };
    let (prefix, len) = if first == u32::MAX {
        match u32_at(buf, 4) {
            Some(len) => (8, len as usize),
            None => return Ok(Framing::Incomplete),
        }
    } else {
        (4, first as usize)
    };
    if len == 0 {
        return Ok(Framing::End(prefix));
    }
    let Some(meta) = buf.get(prefix..prefix + len) else { return Ok(Framing::Incomplete) };
    let body = parse_message(meta)?.bodyLength();
    let body = usize::try_from(body).map_err(|_| malformed(format!("message body length is negative: {body}")))?;
    let total = (prefix + len).checked_add(body).ok_or_else(|| malformed("message length overflows"))?;
    Ok(Framing::Message(total))
}

/// The declared size of the message starting `buf`, as far as it is known: used to refuse a
/// message that could never fit under the ceiling before waiting for its bytes.
fn declared_size(buf: &[u8]) -> Option<u64> {
    let first = u32_at(buf, 0)?;
    let (prefix, len) = if first == u32::MAX { (8u64, u64::from(u32_at(buf, 4)?)) } else { (4, u64::from(first)) };
    Some(prefix + len)
}

impl PushDecoder {
    /// A decoder that has seen no bytes.
    pub fn new(options: PushOptions) -> Self {
        Self {
            options,
            pending: Vec::new(),
            decoder: None,
            schema: None,
            ready: VecDeque::new(),
            ready_bytes: 0,
            ended: false,
            finished: false,
            failed: None,
        }
    }

    /// Bytes held: pending input and decoded batches not yet pulled.
    pub fn buffered_bytes(&self) -> u64 {
        self.pending.len() as u64 + self.ready_bytes
    }

    /// The stream's schema, once its schema message is in.
    pub fn schema(&self) -> Option<&SchemaRef> {
        self.schema.as_ref()
    }

    /// Push the next chunk. Complete messages are decoded at once. A push that would pass the
    /// ceiling is refused with `LimitExceeded` and changes nothing; a chunk after the end of the
    /// stream, or a message that does not decode, is an error, and a decode error ends the
    /// stream (later pushes repeat it; batches decoded before it can still be pulled).
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.finished {
            return Err(CoreError::InvalidArgument("push after finish".into()));
        }
        if self.ended {
            if chunk.is_empty() {
                return Ok(());
            }
            return Err(malformed(format!("{} bytes after the end-of-stream marker", chunk.len())));
        }
        let after = self.buffered_bytes().saturating_add(chunk.len() as u64);
        if after > self.options.max_buffered_bytes {
            return Err(CoreError::LimitExceeded(format!(
                "the decoder would hold {after} bytes, over its ceiling of {}: pull batches before pushing more",
                self.options.max_buffered_bytes
            )));
        }
        self.pending.extend_from_slice(chunk);
        let result = self.drain();
        if let Err(e) = &result {
            self.failed = Some(e.clone());
            self.pending.clear();
        }
        result
    }

    /// Decode every complete message at the front of the pending bytes.
    fn drain(&mut self) -> Result<()> {
        loop {
            if let Some(size) = declared_size(&self.pending)
                && size > self.options.max_buffered_bytes
            {
                return Err(CoreError::LimitExceeded(format!(
                    "a message declares {size} bytes of metadata, over the decoder's ceiling of {}",
                    self.options.max_buffered_bytes
                )));
            }
            let total = match framing(&self.pending)? {
                Framing::Incomplete => return Ok(()),
                Framing::End(n) => {
                    self.pending.drain(..n);
                    self.ended = true;
                    if !self.pending.is_empty() {
                        return Err(malformed(format!("{} bytes after the end-of-stream marker", self.pending.len())));
                    }
                    return Ok(());
                }
                Framing::Message(total) => total,
            };
            if total as u64 > self.options.max_buffered_bytes {
                return Err(CoreError::LimitExceeded(format!(
                    "a message of {total} bytes is over the decoder's ceiling of {}",
                    self.options.max_buffered_bytes
                )));
            }
            if self.pending.len() < total {
                return Ok(());
            }
            let message: Vec<u8> = self.pending.drain(..total).collect();
            self.decode(Buffer::from_vec(message))?;
        }
    }

    fn decode(&mut self, bytes: Buffer) -> Result<()> {
        let frame = frame_at(bytes.as_slice(), 0)?.ok_or_else(|| malformed("an empty message"))?;
        match &mut self.decoder {
            None => {
                let decoder = Decoder::new(schema_of(&frame.message)?, &self.options.read)?;
                self.schema = Some(decoder.output_schema()?);
                self.decoder = Some(decoder);
            }
            Some(decoder) => {
                decoder.reset_declared();
                decoder.message(&bytes, &frame)?;
                for batch in decoder.take_batches() {
                    self.ready_bytes += batch.get_array_memory_size() as u64;
                    self.ready.push_back(batch);
                }
            }
        }
        Ok(())
    }

    /// The next decoded batch, if one is complete.
    pub fn next_batch(&mut self) -> Option<RecordBatch> {
        let batch = self.ready.pop_front()?;
        self.ready_bytes = self.ready_bytes.saturating_sub(batch.get_array_memory_size() as u64);
        Some(batch)
    }

    /// Declare the input complete: an error if the stream never had a schema or stops inside a
    /// message. A stream may end without its end-of-stream marker, as pyarrow accepts.
    pub fn finish(&mut self) -> Result<()> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if !self.pending.is_empty() {
            return Err(malformed(format!(
                "the stream is truncated: it stops {} bytes into a message",
                self.pending.len()
            )));
        }
        if self.schema.is_none() {
            return Err(malformed("the stream holds no schema message"));
        }
        self.finished = true;
        Ok(())
    }

    /// Whether the stream has ended (its end marker, or `finish`) and every batch was pulled.
    pub fn is_done(&self) -> bool {
        (self.ended || self.finished) && self.ready.is_empty()
    }
}
