//! Reading Arrow IPC files and streams from one in-memory buffer.
//!
//! arrow-ipc's own readers trust the input more than a sandboxed reader may: their block readers
//! unwrap lengths, and a compressed buffer's declared length goes straight into
//! `Vec::with_capacity`, so one flipped bit in a length prefix aborts the whole WASM instance.
//! So the framing (stream messages, file footer and blocks) is walked here with every offset
//! checked, each message's declared decompressed sizes are added up against a limit *before*
//! anything is decompressed, and only then is arrow-ipc's `RecordBatchDecoder` handed a body
//! that is a zero-copy slice of the input `Buffer`.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_buffer::Buffer;
use arrow_ipc::reader::{RecordBatchDecoder, read_dictionary_impl};
use arrow_ipc::{Message, MessageHeader, MetadataVersion};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::endian::{little_endian_copy, swap_batch};
use super::layout::{BatchLayout, check_schema};
use crate::error::{CoreError, Result};
use crate::format::{ARROW_MAGIC, DEFAULT_MAX_DECOMPRESSED_BYTES, Decoded};
use crate::schema::column_index;

/// What a read does besides decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpcReadOptions {
    /// Column names to decode, in output order; `None` decodes all.
    pub columns: Option<Vec<String>>,
    /// The ceiling on the sum of declared decompressed buffer sizes.
    pub max_decompressed_bytes: u64,
}

impl Default for IpcReadOptions {
    fn default() -> Self {
        Self { columns: None, max_decompressed_bytes: DEFAULT_MAX_DECOMPRESSED_BYTES }
    }
}

/// One encapsulated message: its verified flatbuffer header, and its body as a range of the input.
pub(crate) struct Frame<'a> {
    pub(crate) message: Message<'a>,
    body: Range<usize>,
}

fn malformed(msg: impl Into<String>) -> CoreError {
    CoreError::Malformed(msg.into())
}

fn slice(buf: &[u8], r: Range<usize>) -> Result<&[u8]> {
    let (start, end) = (r.start, r.end);
    buf.get(r).ok_or_else(|| malformed(format!("bytes {start}..{end} lie past the end ({})", buf.len())))
}

fn read_u32(buf: &[u8], at: usize) -> Result<u32> {
    let b: [u8; 4] = slice(buf, at..at.saturating_add(4))?.try_into().map_err(|_| malformed("short length"))?;
    Ok(u32::from_le_bytes(b))
}

fn to_usize(v: i64, what: &str) -> Result<usize> {
    usize::try_from(v).map_err(|_| malformed(format!("{what} is negative or too large: {v}")))
}

pub(crate) fn parse_message(meta: &[u8]) -> Result<Message<'_>> {
    arrow_ipc::root_as_message(meta).map_err(|e| malformed(format!("invalid IPC message: {e}")))
}

/// Reads the message framing at `at`: `[0xFFFFFFFF] len:u32 metadata body`, or the pre-0.15
/// form without the marker. `Ok(None)` is the end of the stream (a zero length, or no bytes
/// left at all: pyarrow also accepts a stream that stops without its end marker).
pub(crate) fn frame_at(buf: &[u8], at: usize) -> Result<Option<Frame<'_>>> {
    if at == buf.len() {
        return Ok(None);
    }
    let mut pos = at;
    let mut len = read_u32(buf, pos)?;
    pos += 4;
    if len == u32::MAX {
        len = read_u32(buf, pos)?;
        pos += 4;
    }
    if len == 0 {
        return Ok(None);
    }
    let meta = pos..pos.checked_add(len as usize).ok_or_else(|| malformed("message length overflows"))?;
    let message = parse_message(slice(buf, meta.clone())?)?;
    let body_len = to_usize(message.bodyLength(), "message body length")?;
    let body = meta.end..meta.end.checked_add(body_len).ok_or_else(|| malformed("body length overflows"))?;
    slice(buf, body.clone())?;
    Ok(Some(Frame { message, body }))
}

/// Reads the message a file block points at, checking the block against the message framing.
fn frame_of_block<'a>(buf: &'a [u8], block: &arrow_ipc::Block) -> Result<Frame<'a>> {
    let offset = to_usize(block.offset(), "block offset")?;
    let meta_len = to_usize(i64::from(block.metaDataLength()), "block metadata length")?;
    let frame = frame_at(buf, offset)?.ok_or_else(|| malformed(format!("block at {offset} holds no message")))?;
    if frame.body.start > offset.saturating_add(meta_len) {
        return Err(malformed(format!("message at {offset} overruns its block")));
    }
    Ok(frame)
}

/// Decodes the messages of a stream or file in order, keeping the dictionaries they define. The
/// push decoder ([`super::push`]) drives one message at a time.
pub(crate) struct Decoder {
    schema: SchemaRef,
    dictionaries: HashMap<i64, ArrayRef>,
    projection: Option<Vec<usize>>,
    declared: u64,
    limit: u64,
    batches: Vec<RecordBatch>,
    codecs: Vec<&'static str>,
    /// The writer's buffers are big-endian: each body is swapped before decoding.
    big_endian: bool,
}

impl Decoder {
    pub(crate) fn new(schema: NativeSchema, options: &IpcReadOptions) -> Result<Self> {
        let NativeSchema { schema, big_endian } = schema;
        check_schema(&schema)?;
        let projection = match &options.columns {
            Some(names) => Some(names.iter().map(|n| column_index(&schema, n)).collect::<Result<Vec<_>>>()?),
            None => None,
        };
        Ok(Self {
            schema: Arc::new(schema),
            dictionaries: HashMap::new(),
            projection,
            declared: 0,
            limit: options.max_decompressed_bytes,
            batches: Vec::new(),
            codecs: Vec::new(),
            big_endian,
        })
    }

    /// Handles one dictionary or record batch message of `input`; any other kind is an error.
    pub(crate) fn message(&mut self, input: &Buffer, frame: &Frame<'_>) -> Result<()> {
        let message = frame.message;
        let version = message.version();
        let body = input.slice_with_length(frame.body.start, frame.body.len());
        match message.header_type() {
            MessageHeader::DictionaryBatch => {
                let dict = message
                    .header_as_dictionary_batch()
                    .ok_or_else(|| malformed("dictionary message without a header"))?;
                let data = dict.data().ok_or_else(|| malformed("dictionary batch without data"))?;
                #[allow(deprecated)] // arrow-ipc itself still resolves dictionaries by field dict id
                let value_type = self.schema.fields_with_dict_id(dict.id()).first().map(|f| f.data_type().clone());
                // An unknown dictionary id has no layout to check; arrow-ipc reports it as an error.
                let field = match value_type {
                    Some(DataType::Dictionary(_, value_type)) => Some(Field::new("", *value_type, true)),
                    _ => None,
                };
                let fields: Vec<&Field> = field.iter().collect();
                self.precheck(&data, &body, version, &fields)?;
                let body = self.native(&data, body, version, &fields)?;
                read_dictionary_impl(
                    &body,
                    dict,
                    &self.schema,
                    &mut self.dictionaries,
                    &version,
                    false,
                    Default::default(),
                )
                .map_err(CoreError::from_decode)
            }
            MessageHeader::RecordBatch => {
                let batch = message
                    .header_as_record_batch()
                    .ok_or_else(|| malformed("record batch message without a header"))?;
                let schema = self.schema.clone();
                let fields: Vec<&Field> = schema.fields().iter().map(|f| f.as_ref()).collect();
                self.precheck(&batch, &body, version, &fields)?;
                let body = self.native(&batch, body, version, &fields)?;
                let decoded =
                    RecordBatchDecoder::try_new(&body, batch, self.schema.clone(), &self.dictionaries, &version)
                        .and_then(|d| {
                            d.with_projection(self.projection.as_deref())
                                .with_require_alignment(false)
                                .read_record_batch()
                        })
                        .map_err(CoreError::from_decode)?;
                self.batches.push(decoded);
                Ok(())
            }
            MessageHeader::Schema => Err(malformed("a second schema message in the stream")),
            other => Err(CoreError::UnsupportedFormat(format!("IPC message type {other:?} (tensors are not tables)"))),
        }
    }

    /// Everything checked before arrow-ipc may touch a batch's body: buffer bounds and declared
    /// sizes, then the layout of `fields` (the schema's, or a dictionary's value field).
    fn precheck(
        &mut self,
        batch: &arrow_ipc::RecordBatch<'_>,
        body: &Buffer,
        version: MetadataVersion,
        fields: &[&Field],
    ) -> Result<()> {
        let lengths = self.check_declared_sizes(batch, body)?;
        BatchLayout::new(batch, lengths, version)?.check_fields(fields.iter().copied())
    }

    /// The body in this machine's byte order: as it is, or a swapped copy of a big-endian one.
    fn native(
        &self,
        batch: &arrow_ipc::RecordBatch<'_>,
        body: Buffer,
        version: MetadataVersion,
        fields: &[&Field],
    ) -> Result<Buffer> {
        if !self.big_endian {
            return Ok(body);
        }
        let mut bytes = body.as_slice().to_vec();
        swap_batch(batch, &mut bytes, version, fields)?;
        Ok(Buffer::from_vec(bytes))
    }

    /// Checks every buffer of a batch lies in its body, and adds the sizes its compressed buffers
    /// declare to the running total, refusing the read once it passes the limit. Returns each
    /// buffer's length once decoded.
    fn check_declared_sizes(&mut self, batch: &arrow_ipc::RecordBatch<'_>, body: &Buffer) -> Result<Vec<usize>> {
        let buffers = batch.buffers().ok_or_else(|| malformed("record batch without buffers"))?;
        let compressed = batch.compression().is_some();
        if let Some(c) = batch.compression() {
            let name = match c.codec() {
                arrow_ipc::CompressionType::LZ4_FRAME => "lz4-frame",
                arrow_ipc::CompressionType::ZSTD => "zstd",
                _ => "unknown",
            };
            if !self.codecs.contains(&name) {
                self.codecs.push(name);
            }
        }
        let mut lengths = Vec::with_capacity(buffers.len());
        for b in buffers.iter() {
            let start = to_usize(b.offset(), "buffer offset")?;
            let len = to_usize(b.length(), "buffer length")?;
            let range = start..start.checked_add(len).ok_or_else(|| malformed("buffer range overflows"))?;
            let bytes = slice(body.as_slice(), range)?;
            if !compressed || bytes.is_empty() {
                lengths.push(bytes.len());
                continue;
            }
            if bytes.len() < 8 {
                return Err(malformed(format!("a compressed buffer of {} bytes has no length prefix", bytes.len())));
            }
            let prefix: [u8; 8] =
                bytes.get(..8).and_then(|p| p.try_into().ok()).ok_or_else(|| malformed("short prefix"))?;
            let declared = i64::from_le_bytes(prefix);
            if declared < -1 {
                return Err(malformed(format!("compressed buffer declares a negative length {declared}")));
            }
            lengths.push(if declared == -1 {
                bytes.len() - 8
            } else {
                usize::try_from(declared).unwrap_or(usize::MAX)
            });
            self.declared = self.declared.saturating_add(declared.max(0) as u64);
            if self.declared > self.limit {
                return Err(CoreError::LimitExceeded(format!(
                    "compressed buffers declare more than {} decompressed bytes (at least {}); \
                     raise max-decompressed-bytes to read this input",
                    self.limit, self.declared
                )));
            }
        }
        Ok(lengths)
    }

    /// Start a new count of declared decompressed bytes: a push decoder applies the limit per
    /// message, as a stream may be far longer than any one read.
    pub(crate) fn reset_declared(&mut self) {
        self.declared = 0;
    }

    /// The decoded batches so far, handed out (for the push decoder), projected as asked.
    pub(crate) fn take_batches(&mut self) -> Vec<RecordBatch> {
        std::mem::take(&mut self.batches)
    }

    /// The schema of the batches (projected if a projection was given).
    pub(crate) fn output_schema(&self) -> Result<SchemaRef> {
        match &self.projection {
            Some(p) => Ok(Arc::new(self.schema.project(p).map_err(|e| CoreError::Internal(e.to_string()))?)),
            None => Ok(self.schema.clone()),
        }
    }

    fn finish(self) -> Result<Decoded> {
        let schema = match &self.projection {
            Some(p) => Arc::new(self.schema.project(p).map_err(|e| CoreError::Internal(e.to_string()))?),
            None => self.schema,
        };
        Ok(Decoded { schema, batches: self.batches, codecs: self.codecs })
    }
}

/// A stream's or file's schema, and the byte order its buffers were written in.
pub(crate) struct NativeSchema {
    pub(crate) schema: Schema,
    pub(crate) big_endian: bool,
}

/// Converts a flatbuffer schema; a big-endian one is converted from a little-endian copy of the
/// flatbuffer it lies in, which `reroot` reads again from its root (arrow-ipc refuses some types
/// of big-endian schemas outright).
fn native_schema(
    fb: arrow_ipc::Schema<'_>,
    reroot: for<'b> fn(&'b [u8]) -> Result<arrow_ipc::Schema<'b>>,
) -> Result<NativeSchema> {
    let convert = |fb| arrow_ipc::convert::try_fb_to_schema(fb).map_err(CoreError::from_decode);
    match little_endian_copy(&fb) {
        None => Ok(NativeSchema { schema: convert(fb)?, big_endian: false }),
        Some(copy) => Ok(NativeSchema { schema: convert(reroot(&copy)?)?, big_endian: true }),
    }
}

fn message_schema(meta: &[u8]) -> Result<arrow_ipc::Schema<'_>> {
    parse_message(meta)?.header_as_schema().ok_or_else(|| malformed("a schema message without its schema"))
}

fn footer_schema(footer: &[u8]) -> Result<arrow_ipc::Schema<'_>> {
    arrow_ipc::root_as_footer(footer)
        .map_err(|e| malformed(format!("invalid IPC file footer: {e}")))?
        .schema()
        .ok_or_else(|| malformed("the file footer has no schema"))
}

pub(crate) fn schema_of(message: &Message<'_>) -> Result<NativeSchema> {
    let fb = message
        .header_as_schema()
        .ok_or_else(|| malformed(format!("the first message is a {:?}, not a schema", message.header_type())))?;
    native_schema(fb, message_schema)
}

/// Reads an Arrow IPC stream (with or without continuation markers and end marker).
pub fn read_stream(input: &Buffer, options: &IpcReadOptions) -> Result<Decoded> {
    let buf = input.as_slice();
    let first = frame_at(buf, 0)?.ok_or_else(|| malformed("the stream holds no schema message"))?;
    let schema = schema_of(&first.message)?;
    let mut decoder = Decoder::new(schema, options)?;
    let mut at = first.body.end;
    while let Some(frame) = frame_at(buf, at)? {
        decoder.message(input, &frame)?;
        at = frame.body.end;
    }
    decoder.finish()
}

fn footer_start(buf: &[u8]) -> Result<usize> {
    let n = buf.len();
    let footer_len = read_u32(buf, n - 10)? as usize;
    (n - 10)
        .checked_sub(footer_len)
        .filter(|&s| s >= 8)
        .ok_or_else(|| malformed(format!("footer length {footer_len} exceeds the file")))
}

/// Reads the stream an IPC file carries between its opening magic and its footer, ignoring the
/// footer. A valid file's footer points at exactly these messages, so validation compares the
/// two reads.
pub fn read_embedded_stream(input: &Buffer, options: &IpcReadOptions) -> Result<Decoded> {
    let buf = input.as_slice();
    if buf.len() < 18 || !buf.starts_with(ARROW_MAGIC) || !buf.ends_with(ARROW_MAGIC) {
        return Err(malformed("not an Arrow IPC file"));
    }
    let end = footer_start(buf)?;
    // The magic is padded to the writer's alignment (8 bytes in pyarrow, 64 in arrow-rs); a
    // stream cannot open with a zero word, so the zeros are all padding.
    let mut start = 8;
    while start + 4 <= end && buf.get(start..start + 4) == Some(&[0; 4]) {
        start += 4;
    }
    read_stream(&input.slice_with_length(start, end - start), options)
}

/// Reads an Arrow IPC file (also Feather v2): magic, footer, then dictionaries and batches by
/// the footer's blocks.
pub fn read_file(input: &Buffer, options: &IpcReadOptions) -> Result<Decoded> {
    let buf = input.as_slice();
    let n = buf.len();
    if n < 18 || !buf.starts_with(ARROW_MAGIC) || !buf.ends_with(ARROW_MAGIC) {
        return Err(malformed(format!(
            "an Arrow IPC file starts and ends with ARROW1 and is at least 18 bytes; this input is {n} bytes{}",
            if buf.starts_with(ARROW_MAGIC) { " and lacks the closing magic (truncated?)" } else { "" }
        )));
    }
    let footer_start = footer_start(buf)?;
    let footer = arrow_ipc::root_as_footer(slice(buf, footer_start..n - 10)?)
        .map_err(|e| malformed(format!("invalid IPC file footer: {e}")))?;
    let fb_schema = footer.schema().ok_or_else(|| malformed("the file footer has no schema"))?;
    let mut decoder = Decoder::new(native_schema(fb_schema, footer_schema)?, options)?;
    for block in footer.dictionaries().iter().flatten() {
        decoder.message(input, &frame_of_block(buf, block)?)?;
    }
    for block in footer.recordBatches().iter().flatten() {
        let frame = frame_of_block(buf, block)?;
        let header = frame.message.header_type();
        if header != MessageHeader::RecordBatch {
            return Err(malformed(format!("a record batch block points at a {header:?} message")));
        }
        decoder.message(input, &frame)?;
    }
    decoder.finish()
}
