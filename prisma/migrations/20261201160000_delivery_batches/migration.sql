-- Delivered receipts in batches: one row per delivered event and server process, with every
-- mechanic whose connection on that process was handed it, instead of one row per mechanic. At
-- 10,000 connected mechanics a broadcast card was 10,000 rows (about 9 µs of server and 9 µs of
-- PostgreSQL CPU each); it is now one row. The other channels (shown, alerts) stay one row each.
-- `delivery_receipts` becomes a view over both, with the same columns, so every reader (who could
-- see this, the audit, docs/who-could-see.sql) is unchanged.
ALTER TABLE "delivery_receipts" RENAME TO "delivery_receipt_rows";
ALTER TABLE "delivery_receipt_rows" RENAME CONSTRAINT "delivery_receipts_pkey" TO "delivery_receipt_rows_pkey";
ALTER TABLE "delivery_receipt_rows" RENAME CONSTRAINT "delivery_receipts_channel_check" TO "delivery_receipt_rows_channel_check";
ALTER INDEX "delivery_receipts_session_id_mechanic_id_at_idx" RENAME TO "delivery_receipt_rows_session_id_mechanic_id_at_idx";
ALTER INDEX "delivery_receipts_at_idx" RENAME TO "delivery_receipt_rows_at_idx";
ALTER SEQUENCE "delivery_receipts_id_seq" RENAME TO "delivery_receipt_rows_id_seq";

CREATE TABLE "delivery_batches" (
    "id" BIGSERIAL NOT NULL,
    "session_id" UUID NOT NULL,
    "position" BIGINT NOT NULL,
    "version" INTEGER,
    "process" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "mechanic_ids" UUID[] NOT NULL,

    CONSTRAINT "delivery_batches_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "delivery_batches_session_id_at_idx" ON "delivery_batches"("session_id", "at");
CREATE INDEX "delivery_batches_at_idx" ON "delivery_batches"("at");

-- Batch rows come after single rows of the same time (ORDER BY at, id): ids far above any serial.
CREATE VIEW "delivery_receipts" AS
  SELECT id, session_id, mechanic_id, channel, position, version, process, at
    FROM delivery_receipt_rows
  UNION ALL
  SELECT (b.id << 20) + m.n - 1 + (1::bigint << 62), b.session_id, m.mechanic_id, 'delivered', b.position, b.version,
         b.process, b.at
    FROM delivery_batches b
    CROSS JOIN LATERAL unnest(b.mechanic_ids) WITH ORDINALITY AS m(mechanic_id, n);
