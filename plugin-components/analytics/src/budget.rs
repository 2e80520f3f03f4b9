//! The memory budget a session's tables and running operators share. Operators hold
//! [`Reservation`]s that give their bytes back when dropped; crossing the limit is a
//! `limit-exceeded` error, never a trap. Its own module because the operators (`exec`) and the
//! session both use it, and the session sits above the operators.

use std::cell::Cell;

use crate::error::{AnalyticsError, ErrorKind, Result};

/// A memory budget shared by a session's tables and running operators.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    used: Cell<u64>,
}

impl Budget {
    /// A budget of `limit` bytes.
    pub fn new(limit: u64) -> Self {
        Budget { limit, used: Cell::new(0) }
    }

    /// Bytes in use.
    pub fn used(&self) -> u64 {
        self.used.get()
    }

    /// The limit.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Hold `bytes` more outside any reservation (a registered table's copy), or refuse.
    pub(crate) fn take(&self, bytes: u64, what: &str) -> Result<()> {
        let next = self.used.get().saturating_add(bytes);
        if next > self.limit {
            return Err(AnalyticsError::new(
                ErrorKind::LimitExceeded,
                format!(
                    "{what} needs {} more bytes; the session's memory budget of {} bytes has {} left",
                    bytes,
                    self.limit,
                    self.limit.saturating_sub(self.used.get())
                ),
            ));
        }
        self.used.set(next);
        Ok(())
    }

    /// Give back `bytes` taken with [`Budget::take`].
    pub(crate) fn give(&self, bytes: u64) {
        self.used.set(self.used.get().saturating_sub(bytes));
    }
}

/// Memory an operator holds, given back when it is dropped.
#[derive(Debug)]
pub struct Reservation<'a> {
    budget: &'a Budget,
    bytes: u64,
    what: &'static str,
}

impl<'a> Reservation<'a> {
    /// An empty reservation for `what` (named in the error when the budget is passed).
    pub fn new(budget: &'a Budget, what: &'static str) -> Self {
        Reservation { budget, bytes: 0, what }
    }

    /// Hold `bytes` in all (more or less than before).
    pub fn resize(&mut self, bytes: usize) -> Result<()> {
        let bytes = bytes as u64;
        if bytes > self.bytes {
            self.budget.take(bytes - self.bytes, self.what)?;
        } else {
            self.budget.give(self.bytes - bytes);
        }
        self.bytes = bytes;
        Ok(())
    }

    /// Hold `bytes` more.
    pub fn grow(&mut self, bytes: usize) -> Result<()> {
        let total = self.bytes as usize + bytes;
        self.resize(total)
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.budget.give(self.bytes);
    }
}
