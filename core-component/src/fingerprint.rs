//! A table's content fingerprint. Being written.
