"""Regression inputs: files that once stopped a component, each kept under a name saying what it
reached, so `make test` reads every one through the component (wasmtime and Node) and asserts a
typed error with the instance still alive afterwards.

The first ones are the `KNOWN_PANICS` of core-component/tests/formats.rs: one flipped bit inside a
Parquet page of a fixture reaches a panic inside the parquet crate (the site is in the name). In a
`panic = "abort"` build each was a trap that took every table of the instance with it; built with
unwinding, each is an `internal` error. The files are the fixtures with that one bit flipped, so
they are remade from `testdata/parquet/` (written by make_format_fixtures.py).
"""

import json
import pathlib

HERE = pathlib.Path(__file__).parent
OUT = HERE / "regressions"

# (fixture, byte offset, bit, where the panic was, a name for the file)
PANICS = [
    ("parquet/codec_gzip.parquet", 36155, 7, "parquet column/reader/decoder.rs:374", "parquet_decoder_levels"),
    ("parquet/codec_none.parquet", 36318, 6, "parquet arrow/array_reader/fixed_len_byte_array.rs:423",
     "parquet_fixed_len_byte_array_a"),
    ("parquet/codec_snappy.parquet", 6124, 6, "parquet arrow/array_reader/fixed_len_byte_array.rs:432",
     "parquet_fixed_len_byte_array_b"),
    ("parquet/codec_lz4.parquet", 33121, 0, "parquet arrow/array_reader/map_array.rs:101", "parquet_map_array_a"),
    ("parquet/format_1_0.parquet", 19722, 1, "parquet arrow/array_reader/map_array.rs:101", "parquet_map_array_b"),
    ("parquet/codec_none.parquet", 8007, 0, "parquet util/bit_chunk_iterator.rs:235", "parquet_bit_chunk_iterator"),
    ("parquet/codec_zstd.parquet", 19979, 1, "parquet util/bit_util.rs:392", "parquet_bit_util"),
    ("parquet/no_statistics.parquet", 2187, 1, "parquet encodings/decoding/byte_stream_split_decoder.rs:67",
     "parquet_byte_stream_split"),
]


def main():
    OUT.mkdir(exist_ok=True)
    manifest = []
    for fixture, at, bit, site, name in PANICS:
        data = bytearray((HERE / fixture).read_bytes())
        data[at] ^= 1 << bit
        path = OUT / f"{name}.parquet"
        path.write_bytes(bytes(data))
        manifest.append({"file": path.name, "from": fixture, "flip": {"byte": at, "bit": bit},
                         "reached": f"a panic at {site}", "found_by": "the bit-flip sweep of core-component/tests/formats.rs"})
    (OUT / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"{len(manifest)} regression inputs in {OUT}")


if __name__ == "__main__":
    main()
