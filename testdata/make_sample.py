#!/usr/bin/env python3
"""Write the sample data `make demo` runs on (deterministic; numpy 2.4.6, pyarrow 26.0.1).

Usage: python testdata/make_sample.py

Writes sample/trips.csv: 5,000 synthetic taxi trips of one day — timestamps with milliseconds
(so they read as timestamp[ms], which Parquet and Feather both keep exactly), integers, floats,
a low-cardinality payment column, zone names, and tips that are empty (null) for cash trips.
"""

import os

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

HERE = os.path.dirname(os.path.abspath(__file__))
ZONES = [
    "Airport", "Central Station", "Old Town", "Harbour", "University", "Riverside", "Market Square",
    "Tech Park", "Stadium", "Museum Quarter", "Hospital", "North Hills", "Lakeside", "Industrial Zone",
]


def trips(n=5_000, seed=20261121):
    rng = np.random.default_rng(seed)
    day = np.datetime64("2026-03-02T00:00:00.000", "ms")
    pickup = day + np.sort(rng.integers(0, 24 * 3600 * 1000, n)).astype("timedelta64[ms]")
    distance = np.round(rng.gamma(2.0, 2.2, n) + 0.3, 1)
    minutes = distance * rng.uniform(1.6, 3.2, n) + rng.uniform(2, 6, n)
    dropoff = pickup + (minutes * 60_000).astype("int64").astype("timedelta64[ms]")
    fare = np.round(3.5 + distance * 1.9 + minutes * 0.35, 2)
    payment = rng.choice(["card", "cash", "app"], n, p=[0.55, 0.2, 0.25])
    tip = np.round(fare * rng.uniform(0.0, 0.2, n), 2)
    return pa.table({
        "trip_id": pa.array(np.arange(1, n + 1), pa.int64()),
        "pickup": pa.array(pickup, pa.timestamp("ms")),
        "dropoff": pa.array(dropoff, pa.timestamp("ms")),
        "passengers": pa.array(rng.choice([1, 1, 1, 2, 2, 3, 4], n), pa.int64()),
        "distance_km": pa.array(distance),
        "fare": pa.array(fare),
        "tip": pa.array(tip, mask=payment == "cash"),
        "payment": pa.array(payment),
        "pickup_zone": pa.array(rng.choice(ZONES, n)),
        "dropoff_zone": pa.array(rng.choice(ZONES, n)),
    })


def main():
    path = os.path.join(HERE, "sample", "trips.csv")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    options = pcsv.WriteOptions(include_header=True)
    pcsv.write_csv(trips(), path, options)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
