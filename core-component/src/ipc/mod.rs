//! Arrow IPC (files, streams, Feather v2): framing walked and checked here, batches decoded by
//! arrow-ipc only after their layout is known to be safe, and writes through arrow-ipc's writers.
//!
//! Separate from the other formats because IPC is the core's own currency: it is how tables cross
//! to plugins and hosts, and the one format whose buffers the core keeps without copying.
//!
//! - [`read`]: whole files and streams from one buffer, every offset and declared size checked;
//! - [`endian`]: big-endian files and streams, swapped to little-endian buffer by buffer;
//! - [`layout`]: each batch's buffers checked against its schema before arrow-ipc sees them;
//! - [`push`]: the push decoder, for streams that arrive in chunks;
//! - [`write`]: `IpcWriteOptions` from the WIT's options, dictionaries unified for files.

pub mod endian;
pub mod layout;
pub mod push;
pub mod read;
pub mod write;
