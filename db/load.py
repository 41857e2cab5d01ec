"""Loading a `jsonl` export (extractor.exports.jsonl) into a database.

A document comes back with its extractions and their runs, the records under
review, every value's model and final state, double-review judgements and
the audit log, so review can go on in the new database exactly where it
stopped. Rows are linked by their position in the document (`n`), and the
span invariant is checked again: a line whose spans do not hold in its text
is refused whole.
"""

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from db.documents import text_sha256
from db.models import AuditEntry, Document, Extraction, Judgement, Record, ReviewCopy, Run, Value
from schemas.codebook import Decision
from schemas.records import Citation


class LoadError(ValueError):
    """A line that cannot be loaded as it is; nothing of it is written."""


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _check(text: str, source: str | None, start: int | None, end: int | None, what: str) -> None:
    try:
        Citation(source=source, start=start, end=end).check(text)
    except ValueError as error:
        raise LoadError(f"{what}: {error}") from None


class Loader:
    """Loads documents one at a time; remembers runs so documents of one run share it."""

    def __init__(self, session: Session):
        self.session = session
        self.runs: dict[str, Run] = {}

    def _run(self, fields: dict[str, Any]) -> Run:
        key = json.dumps(fields, sort_keys=True, ensure_ascii=False)
        if key in self.runs:
            return self.runs[key]
        started = _time(fields["started_at"])
        found = next(
            (
                run
                for run in self.session.exec(
                    select(Run).where(
                        Run.backend == fields["backend"],
                        Run.model == fields["model"],
                        Run.prompt_version == fields["prompt_version"],
                        Run.started_at == started,
                    )
                ).all()
                if run.params == fields["params"] and run.schema_version == fields["schema_version"]
            ),
            None,
        )
        if found is None:
            found = Run(
                **{k: fields[k] for k in ("backend", "model", "endpoint_host", "prompt_version")},
                schema_version=fields["schema_version"],
                params=fields["params"],
                started_at=started,
                finished_at=_time(fields["finished_at"]),
                status=fields["status"],
            )
            self.session.add(found)
            self.session.flush()
        self.runs[key] = found
        return found

    def load(self, line: dict[str, Any]) -> Document | None:
        """Add one exported document; None when its text is already stored. The caller commits."""
        text = line["text"]
        if text_sha256(text) != line["text_sha256"]:
            raise LoadError(f"{line.get('doc_id')}: text does not match its sha256")
        session = self.session
        if session.exec(select(Document.id).where(Document.sha256 == line["text_sha256"])).first():
            return None
        document = Document(
            sha256=line["text_sha256"],
            text=text,
            **{k: line[k] for k in ("external_id", "title", "url", "published", "outlet")},
            source_path=line["source_path"],
            ingested_at=_time(line["ingested_at"]),
            state=line["state"],
            done_by=line["done_by"],
            done_at=_time(line["done_at"]),
        )
        session.add(document)
        session.flush()
        extractions = self._extractions(document, line["extractions"])
        records, values = self._records(document, line["records"], extractions)
        session.add_all(
            ReviewCopy(
                document_id=document.id,
                slot=c["slot"],
                annotator=c["annotator"],
                claimed_at=_time(c["claimed_at"]),
                done_at=_time(c["done_at"]),
            )
            for c in line["copies"]
        )
        self._audit(document, line["audit"], records, values)
        return document

    def _extractions(self, document: Document, rows: list[dict]) -> dict[int, Extraction]:
        out = {}
        for row in rows:
            fields = {k: v for k, v in row.items() if k not in ("n", "run", "created_at")}
            out[row["n"]] = Extraction(
                run_id=self._run(row["run"]).id,
                document_id=document.id,
                text_sha256=document.sha256,
                created_at=_time(row["created_at"]),
                **fields,
            )
        self.session.add_all(out.values())
        self.session.flush()
        return out

    def _records(
        self, document: Document, rows: list[dict], extractions: dict[int, Extraction]
    ) -> tuple[dict[int, Record], dict[tuple[int, str], Value]]:
        text = document.text
        records = {}
        for row in rows:
            evidence = row["evidence"]
            _check(text, evidence["source"], evidence["start"], evidence["end"], "evidence")
            records[row["n"]] = Record(
                document_id=document.id,
                extraction_id=extractions[row["extraction"]].id if row["extraction"] else None,
                kind=row["kind"],
                key=row["key"],
                origin=row["origin"],
                rejected=row["rejected"],
                evidence_quote=evidence["quote"],
                evidence_source=evidence["source"],
                evidence_start=evidence["start"],
                evidence_end=evidence["end"],
                evidence_match=evidence["match"],
            )
        self.session.add_all(records.values())
        self.session.flush()
        values = {
            (row["n"], v["field"]): _value(text, document, records[row["n"]], v)
            for row in rows
            for v in row["values"]
        }
        self.session.add_all(values.values())
        self.session.flush()
        self.session.add_all(
            Judgement(
                value_id=values[(row["n"], v["field"])].id,
                document_id=document.id,
                annotator=j["annotator"],
                decision=j["decision"],
                value=j["value"],
                quote=j["quote"],
                source=j["source"],
                start=j["start"],
                end=j["end"],
                decided_at=_time(j["decided_at"]),
                version=j["version"],
            )
            for row in rows
            for v in row["values"]
            for j in v["judgements"]
        )
        return records, values

    def _audit(
        self,
        document: Document,
        rows: list[dict],
        records: dict[int, Record],
        values: dict[tuple[int, str], Value],
    ) -> None:
        entries = []
        for row in rows:
            value = values.get((row["record"], row["field"])) if row["field"] else None
            record = records.get(row["record"])
            entries.append(
                AuditEntry(
                    document_id=document.id,
                    record_id=record.id if record else None,
                    value_id=value.id if value else None,
                    annotator=row["annotator"],
                    action=row["action"],
                    before=row["before"],
                    after=row["after"],
                    at=_time(row["at"]),
                )
            )
        self.session.add_all(entries)
        self.session.flush()
        for entry in entries:
            if isinstance(entry.after, dict) and entry.after.get("undoes"):
                entry.after = {**entry.after, "undoes": entries[entry.after["undoes"] - 1].id}
                self.session.add(entry)
        self.session.flush()


def _value(text: str, document: Document, record: Record, row: dict[str, Any]) -> Value:
    """The stored state behind an exported value.

    A rejected value's final state is exported as nulls; it is stored back
    with the model's state, which is what rejecting left in place unless the
    value had been edited first (the audit log keeps that edit).
    """
    model, final = row["model"], row["final"]
    if row["decision"] == Decision.REJECTED:
        start, end = model["start"], model["end"]
        source = text[start:end] if start is not None and end is not None else None
        final = {"value": model["value"], "quote": model["quote"], "source": source}
        final |= {"start": start, "end": end}
    else:
        _check(text, final["source"], final["start"], final["end"], f"value {row['field']}")
    return Value(
        record_id=record.id,
        document_id=document.id,
        field=row["field"],
        model_value=model["value"],
        model_quote=model["quote"],
        model_start=model["start"],
        model_end=model["end"],
        match=row["match"],
        score=row["score"],
        value=final["value"],
        quote=final["quote"],
        source=final["source"],
        start=final["start"],
        end=final["end"],
        decision=row["decision"],
        decided_by=row["decided_by"],
        decided_at=_time(row["decided_at"]),
        version=row["version"],
    )
