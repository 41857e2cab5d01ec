"""Export formats: each module turns a stream of `db.dump.DocumentDump`s into one file."""
