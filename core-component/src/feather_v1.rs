//! Legacy Feather v1 (`FEA1`) reading. Being written.
