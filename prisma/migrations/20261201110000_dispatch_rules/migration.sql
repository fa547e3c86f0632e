-- AlterTable
ALTER TABLE "mechanics" ADD COLUMN     "last_offered_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "mechanic_capacity_changes" (
    "id" UUID NOT NULL,
    "mechanic_id" UUID NOT NULL,
    "admin_id" UUID NOT NULL,
    "from_value" INTEGER NOT NULL,
    "to_value" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mechanic_capacity_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "mechanic_capacity_changes_mechanic_id_created_at_idx" ON "mechanic_capacity_changes"("mechanic_id", "created_at");

-- CreateIndex
CREATE INDEX "session_assignments_accepted_at_idx" ON "session_assignments"("accepted_at");

-- CreateIndex
CREATE INDEX "session_assignments_mechanic_id_completed_at_idx" ON "session_assignments"("mechanic_id", "completed_at");

-- AddForeignKey
ALTER TABLE "mechanic_capacity_changes" ADD CONSTRAINT "mechanic_capacity_changes_mechanic_id_fkey" FOREIGN KEY ("mechanic_id") REFERENCES "mechanics"("user_id") ON DELETE CASCADE ON UPDATE CASCADE;
