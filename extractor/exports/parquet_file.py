"""The `parquet` export: the `csv` rows with types, for pandas, polars or `datasets`.

Rows are buffered into row groups of a fixed size, so memory stays flat
whatever the number of values.
"""

from collections.abc import Iterable
from typing import IO

import pyarrow as pa
import pyarrow.parquet as pq

from db.dump import DocumentDump
from extractor.exports.value_rows import COLUMNS, value_rows

ROW_GROUP = 10_000
TYPES = {
    "record_rejected": pa.bool_(),
    "start": pa.int64(),
    "end": pa.int64(),
    "decided_at": pa.timestamp("us", tz="UTC"),
}
SCHEMA = pa.schema([(name, TYPES.get(name, pa.string())) for name in COLUMNS])


def _flush(writer: pq.ParquetWriter, rows: list[tuple]) -> None:
    columns = list(zip(*rows, strict=True))
    writer.write_table(
        pa.Table.from_arrays(
            [pa.array(c, type=t.type) for c, t in zip(columns, SCHEMA, strict=True)],
            schema=SCHEMA,
        )
    )
    rows.clear()


def write_parquet(dumps: Iterable[DocumentDump], handle: IO[bytes]) -> int:
    count = 0
    rows: list[tuple] = []
    with pq.ParquetWriter(handle, SCHEMA, compression="zstd") as writer:
        for dump in dumps:
            rows.extend(value_rows(dump))
            count += 1
            if len(rows) >= ROW_GROUP:
                _flush(writer, rows)
        if rows:
            _flush(writer, rows)
    return count
