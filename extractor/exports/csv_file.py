"""The `csv` export: one row per value (columns in `value_rows.COLUMNS`)."""

import csv
from collections.abc import Iterable
from typing import IO

from db.dump import DocumentDump
from extractor.exports.jsonl import iso
from extractor.exports.value_rows import COLUMNS, value_rows

DECIDED_AT = COLUMNS.index("decided_at")


def write_csv(dumps: Iterable[DocumentDump], handle: IO[str]) -> int:
    """Write the rows; the file is opened with newline="" as the csv module requires."""
    writer = csv.writer(handle)
    writer.writerow(COLUMNS)
    count = 0
    for dump in dumps:
        rows = [list(row) for row in value_rows(dump)]
        for row in rows:
            row[DECIDED_AT] = iso(row[DECIDED_AT])
        writer.writerows(rows)
        count += 1
    return count
