-- Delivery receipts ("who could see this?") and open connections per mechanic and process.
-- Receipts carry ids, positions, versions, channels, process names and times only. They have no
-- foreign keys on purpose: a batch insert never takes a key-share lock on a session being changed.
-- CreateTable
CREATE TABLE "delivery_receipts" (
    "id" BIGSERIAL NOT NULL,
    "session_id" UUID NOT NULL,
    "mechanic_id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "position" BIGINT,
    "version" INTEGER,
    "process" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "delivery_receipts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mechanic_connections" (
    "process" TEXT NOT NULL,
    "mechanic_id" UUID NOT NULL,
    "connections" INTEGER NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "mechanic_connections_pkey" PRIMARY KEY ("process","mechanic_id")
);

-- CreateIndex
CREATE INDEX "delivery_receipts_session_id_mechanic_id_at_idx" ON "delivery_receipts"("session_id", "mechanic_id", "at");

-- CreateIndex
CREATE INDEX "delivery_receipts_at_idx" ON "delivery_receipts"("at");

-- CreateIndex
CREATE INDEX "mechanic_connections_mechanic_id_idx" ON "mechanic_connections"("mechanic_id");

-- The channels a receipt may name (packages/api/src/observability/receipts.ts RECEIPT_CHANNELS).
ALTER TABLE "delivery_receipts" ADD CONSTRAINT "delivery_receipts_channel_check" CHECK (
  "channel" IN ('delivered', 'shown', 'in_page', 'notification', 'sound', 'push_sent', 'push_shown', 'push_clicked')
);
