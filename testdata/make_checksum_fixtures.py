#!/usr/bin/env python3
"""Parquet files with page checksums (CRC32 in every page header), for the core's check of them.

Usage: python testdata/make_checksum_fixtures.py   (writes testdata/parquet/checksums/)

  page_crc.parquet           pyarrow's write_page_checksum=True: an int64 column of distinct
                             values (i * 0x0101010101 + 0x1122334455) and a string column, plain
                             encoding, no compression, two row groups of 500 rows, 100-row pages,
                             so the bytes of a value can be found and damaged in place
  page_crc_dictionary.parquet  the same with dictionary encoding and zstd, data page v2

A test that flips a bit inside a page must get an error naming the page, not a wrong value.
"""

import os

import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "parquet", "checksums")


def table():
    n = 1000
    return pa.table({
        "id": pa.array([i * 0x0101010101 + 0x1122334455 for i in range(n)], pa.int64()),
        "name": pa.array([f"name-{i % 37}" for i in range(n)], pa.utf8()),
    })


def main():
    os.makedirs(HERE, exist_ok=True)
    t = table()
    pq.write_table(t, os.path.join(HERE, "page_crc.parquet"), write_page_checksum=True, compression="none",
                   use_dictionary=False, row_group_size=500, data_page_size=800)
    pq.write_table(t, os.path.join(HERE, "page_crc_dictionary.parquet"), write_page_checksum=True,
                   compression="zstd", data_page_version="2.0", row_group_size=500, data_page_size=800)
    for name in sorted(os.listdir(HERE)):
        print(name, os.path.getsize(os.path.join(HERE, name)))


if __name__ == "__main__":
    main()
