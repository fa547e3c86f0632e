-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "user_role" AS ENUM ('customer', 'mechanic', 'admin');

-- CreateEnum
CREATE TYPE "mechanic_kind" AS ENUM ('virtual_only', 'workshop');

-- CreateEnum
CREATE TYPE "availability" AS ENUM ('available', 'away', 'offline');

-- CreateEnum
CREATE TYPE "session_type" AS ENUM ('video', 'chat', 'diagnostic', 'in_person');

-- CreateEnum
CREATE TYPE "plan" AS ENUM ('free', 'paid');

-- CreateEnum
CREATE TYPE "session_status" AS ENUM ('pending_waiver', 'waiting', 'in_progress', 'completed', 'cancelled');

-- CreateEnum
CREATE TYPE "assignment_status" AS ENUM ('pending_waiver', 'queued', 'offered', 'declined', 'expired', 'accepted', 'cancelled', 'completed');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "user_role" NOT NULL,
    "display_name" TEXT NOT NULL,
    "phone" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_sessions" (
    "id" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "auth_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workshops" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,

    CONSTRAINT "workshops_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mechanics" (
    "user_id" UUID NOT NULL,
    "kind" "mechanic_kind" NOT NULL,
    "workshop_id" UUID,
    "availability" "availability" NOT NULL DEFAULT 'offline',
    "last_seen_at" TIMESTAMPTZ(3),

    CONSTRAINT "mechanics_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "type" "session_type" NOT NULL,
    "workshop_id" UUID,
    "plan" "plan" NOT NULL,
    "customer_name" TEXT NOT NULL,
    "vehicle_year" INTEGER NOT NULL,
    "vehicle_make" TEXT NOT NULL,
    "vehicle_model" TEXT NOT NULL,
    "concern" TEXT NOT NULL,
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "status" "session_status" NOT NULL,
    "cancel_reason" TEXT,
    "idempotency_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "waivers" (
    "id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "signer_name" TEXT NOT NULL,
    "consent" BOOLEAN NOT NULL,
    "waiver_version" TEXT NOT NULL,
    "text_sha256" TEXT NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "ip_address" TEXT NOT NULL,
    "user_agent" TEXT NOT NULL,

    CONSTRAINT "waivers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "session_assignments" (
    "id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "status" "assignment_status" NOT NULL,
    "mechanic_id" UUID,
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "queued_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "offered_at" TIMESTAMPTZ(3),
    "offer_expires_at" TIMESTAMPTZ(3),
    "accepted_at" TIMESTAMPTZ(3),
    "expired_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),
    "cancel_reason" TEXT,
    "declined_by" UUID[] DEFAULT ARRAY[]::UUID[],
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "session_assignments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "assignment_events" (
    "id" BIGSERIAL NOT NULL,
    "tx_id" xid8 NOT NULL DEFAULT pg_current_xact_id(),
    "assignment_id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "from_status" "assignment_status",
    "to_status" "assignment_status" NOT NULL,
    "actor_kind" TEXT NOT NULL,
    "actor_id" UUID,
    "reason" TEXT,
    "request_id" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "assignment_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "auth_sessions_user_id_idx" ON "auth_sessions"("user_id");

-- CreateIndex
CREATE INDEX "mechanics_workshop_id_idx" ON "mechanics"("workshop_id");

-- CreateIndex
CREATE INDEX "sessions_customer_id_created_at_idx" ON "sessions"("customer_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "sessions_customer_id_idempotency_key_key" ON "sessions"("customer_id", "idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "waivers_session_id_key" ON "waivers"("session_id");

-- CreateIndex
CREATE UNIQUE INDEX "session_assignments_session_id_key" ON "session_assignments"("session_id");

-- CreateIndex
CREATE INDEX "session_assignments_status_urgent_queued_at_idx" ON "session_assignments"("status", "urgent" DESC, "queued_at");

-- CreateIndex
CREATE INDEX "session_assignments_mechanic_id_status_idx" ON "session_assignments"("mechanic_id", "status");

-- CreateIndex
CREATE INDEX "session_assignments_status_offer_expires_at_idx" ON "session_assignments"("status", "offer_expires_at");

-- CreateIndex
CREATE INDEX "assignment_events_tx_id_id_idx" ON "assignment_events"("tx_id", "id");

-- CreateIndex
CREATE INDEX "assignment_events_assignment_id_id_idx" ON "assignment_events"("assignment_id", "id");

-- CreateIndex
CREATE INDEX "assignment_events_session_id_id_idx" ON "assignment_events"("session_id", "id");

-- AddForeignKey
ALTER TABLE "auth_sessions" ADD CONSTRAINT "auth_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mechanics" ADD CONSTRAINT "mechanics_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mechanics" ADD CONSTRAINT "mechanics_workshop_id_fkey" FOREIGN KEY ("workshop_id") REFERENCES "workshops"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_workshop_id_fkey" FOREIGN KEY ("workshop_id") REFERENCES "workshops"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "waivers" ADD CONSTRAINT "waivers_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_assignments" ADD CONSTRAINT "session_assignments_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_assignments" ADD CONSTRAINT "session_assignments_mechanic_id_fkey" FOREIGN KEY ("mechanic_id") REFERENCES "mechanics"("user_id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Hand-written (not generated by Prisma): assignment_events is append-only. It is the outbox and
-- the audit trail, so rows are only ever inserted; UPDATE, DELETE and TRUNCATE raise an error.
CREATE FUNCTION "assignment_events_append_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'assignment_events is append-only: % is not allowed', TG_OP;
END;
$$;

CREATE TRIGGER "assignment_events_no_update_delete"
    BEFORE UPDATE OR DELETE ON "assignment_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "assignment_events_append_only"();

CREATE TRIGGER "assignment_events_no_truncate"
    BEFORE TRUNCATE ON "assignment_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "assignment_events_append_only"();
