"""extraction claims and OpenAI batch jobs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 12:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "extraction_claims",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("claim_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("worker", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("lease_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("document_id", "claim_key"),
    )
    with op.batch_alter_table("extraction_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extraction_claims_worker"), ["worker"], unique=False)

    op.create_table(
        "openai_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("input_file_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("output_file_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("error_file_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("collected_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("batch_id"),
    )
    with op.batch_alter_table("openai_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_openai_batches_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("openai_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_openai_batches_run_id"))
    op.drop_table("openai_batches")
    with op.batch_alter_table("extraction_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extraction_claims_worker"))
    op.drop_table("extraction_claims")
