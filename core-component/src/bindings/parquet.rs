//! `parquet`: reads with Parquet's own options, the footer's metadata, writes with writer
//! properties. A build without Parquet answers `unsupported-format`.

#[cfg(feature = "parquet")]
use arrow_buffer::Buffer;

use super::exports::arrow::core::parquet as wpq;
use super::exports::arrow::core::table::TableBorrow;
#[cfg(not(feature = "parquet"))]
use super::left_out;
#[cfg(feature = "parquet")]
use super::types::key_values;
use super::{Component, Handle, WitResult};
#[cfg(feature = "parquet")]
use crate::table::Table;

#[cfg(feature = "parquet")]
pub(crate) mod pq {
    use super::super::opt_usize;
    use super::wpq;
    use crate::parquet::{Codec, ParquetReadOptions, ParquetWriteOptions, StatisticsLevel};

    pub fn codec_from(c: wpq::ParquetCompression) -> Codec {
        match c {
            wpq::ParquetCompression::Uncompressed => Codec::Uncompressed,
            wpq::ParquetCompression::Snappy => Codec::Snappy,
            wpq::ParquetCompression::Gzip => Codec::Gzip,
            wpq::ParquetCompression::Brotli => Codec::Brotli,
            wpq::ParquetCompression::Lz4 => Codec::Lz4,
            wpq::ParquetCompression::Lz4Raw => Codec::Lz4Raw,
            wpq::ParquetCompression::Zstd => Codec::Zstd,
            wpq::ParquetCompression::Lzo => Codec::Lzo,
        }
    }

    pub fn codec_to(c: Codec) -> wpq::ParquetCompression {
        match c {
            Codec::Uncompressed => wpq::ParquetCompression::Uncompressed,
            Codec::Snappy => wpq::ParquetCompression::Snappy,
            Codec::Gzip => wpq::ParquetCompression::Gzip,
            Codec::Brotli => wpq::ParquetCompression::Brotli,
            Codec::Lz4 => wpq::ParquetCompression::Lz4,
            Codec::Lz4Raw => wpq::ParquetCompression::Lz4Raw,
            Codec::Zstd => wpq::ParquetCompression::Zstd,
            Codec::Lzo => wpq::ParquetCompression::Lzo,
        }
    }

    pub fn read_options(o: wpq::ParquetReadOptions) -> ParquetReadOptions {
        ParquetReadOptions {
            columns: o.columns,
            row_groups: o.row_groups.map(|v| v.into_iter().map(|i| i as usize).collect()),
            batch_size: opt_usize(o.batch_size),
            offset: o.offset.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            limit: o.limit.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            max_decompressed_bytes: o.max_decompressed_bytes.unwrap_or(crate::format::DEFAULT_MAX_DECOMPRESSED_BYTES),
        }
    }

    pub fn write_options(o: wpq::ParquetWriteOptions) -> ParquetWriteOptions {
        ParquetWriteOptions {
            compression: codec_from(o.compression),
            compression_level: o.compression_level,
            max_row_group_rows: o.max_row_group_rows.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            data_page_size: o.data_page_size.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            dictionary: o.dictionary,
            statistics: match o.statistics {
                wpq::StatisticsLevel::None => StatisticsLevel::None,
                wpq::StatisticsLevel::Chunk => StatisticsLevel::Chunk,
                wpq::StatisticsLevel::Page => StatisticsLevel::Page,
            },
            writer_version_2: matches!(o.writer_version, wpq::WriterVersion::V2),
            key_value_metadata: o.key_value_metadata.into_iter().map(|kv| (kv.key, kv.value)).collect(),
            page_checksums: o.page_checksums,
        }
    }
}

guarded! {
    impl wpq::Guest for Component {
        fn read(bytes: Vec<u8>, options: wpq::ParquetReadOptions) -> WitResult<Handle> {
            #[cfg(feature = "parquet")]
            return Ok(Handle::new(Table::read_parquet(Buffer::from_vec(bytes), &pq::read_options(options))?));
            #[cfg(not(feature = "parquet"))]
            {
                let _ = (bytes, options);
                Err(left_out("Parquet"))
            }
        }

        fn metadata(bytes: Vec<u8>) -> WitResult<wpq::ParquetMetadata> {
            #[cfg(feature = "parquet")]
            {
                let info = crate::parquet::file_info(bytes::Bytes::from(bytes))?;
                Ok(wpq::ParquetMetadata {
                    num_rows: info.num_rows,
                    version: info.version,
                    created_by: info.created_by,
                    key_value_metadata: key_values(info.key_value_metadata),
                    row_groups: info
                        .row_groups
                        .into_iter()
                        .map(|rg| wpq::RowGroup {
                            num_rows: rg.num_rows,
                            total_byte_size: rg.total_byte_size,
                            compressed_size: rg.compressed_size,
                            columns: rg
                                .columns
                                .into_iter()
                                .map(|c| wpq::ColumnChunk {
                                    path: c.path,
                                    physical_type: c.physical_type,
                                    compression: pq::codec_to(c.codec),
                                    compressed_size: c.compressed_size,
                                    uncompressed_size: c.uncompressed_size,
                                    num_values: c.num_values,
                                    null_count: c.null_count,
                                })
                                .collect(),
                        })
                        .collect(),
                    schema: crate::schema::summarize(&info.schema).into(),
                })
            }
            #[cfg(not(feature = "parquet"))]
            {
                let _ = bytes;
                Err(left_out("Parquet"))
            }
        }

        fn write(source: TableBorrow<'_>, options: wpq::ParquetWriteOptions) -> WitResult<Vec<u8>> {
            #[cfg(feature = "parquet")]
            return Ok(source.get::<Table>().write_parquet(&pq::write_options(options))?);
            #[cfg(not(feature = "parquet"))]
            {
                let _ = (source, options);
                Err(left_out("Parquet"))
            }
        }
    }
}
