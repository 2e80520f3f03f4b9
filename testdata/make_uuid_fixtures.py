#!/usr/bin/env python3
"""Write the fixture of the plugin guide's example plugin (deterministic; pyarrow 26.0.1).

Usage: python testdata/make_uuid_fixtures.py

Writes testdata/uuid/uuids.arrow: 10 rows of `pa.uuid()` (the canonical arrow.uuid extension
type, FixedSizeBinary(16)) with a null and a nil UUID, versions 1, 4, 5 and 7 from Python's uuid
module, and expected.json with Python's hyphenated strings and the per-version counts.
"""

import json
import os
import random
import uuid

import pyarrow as pa

HERE = os.path.dirname(os.path.abspath(__file__))


def versioned(bits, version):
    """A UUID of `bits` with the RFC 9562 variant and `version` set (Python 3.11 has no v7)."""
    bits &= ~(0xF000 << 64)
    bits |= version << 76
    bits &= ~(0xC000 << 48)
    bits |= 0x8000 << 48
    return uuid.UUID(int=bits)


def main():
    rng = random.Random(20261121)
    values = [
        versioned(rng.getrandbits(128), 4),
        uuid.uuid5(uuid.NAMESPACE_DNS, "arrow.apache.org"),
        None,
        uuid.UUID(int=0),
        versioned(rng.getrandbits(128), 1),
        versioned(rng.getrandbits(128), 7),
        versioned(rng.getrandbits(128), 4),
        uuid.uuid5(uuid.NAMESPACE_URL, "https://arrow.apache.org"),
        versioned(rng.getrandbits(128), 4),
        versioned(rng.getrandbits(128), 7),
    ]
    storage = pa.array([None if u is None else u.bytes for u in values], pa.binary(16))
    ids = pa.ExtensionArray.from_storage(pa.uuid(), storage)
    table = pa.table({"n": pa.array(range(len(values)), pa.int32()), "id": ids})
    out = os.path.join(HERE, "uuid")
    os.makedirs(out, exist_ok=True)
    with pa.ipc.new_file(os.path.join(out, "uuids.arrow"), table.schema) as w:
        w.write_table(table)
    counts = [0] * 9
    for u in values:
        if u is not None:
            counts[0 if u.int == 0 else u.version] += 1
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"strings": [None if u is None else str(u) for u in values], "versions": counts}, f, indent=1)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
