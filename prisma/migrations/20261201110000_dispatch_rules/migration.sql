-- AlterTable
ALTER TABLE "mechanics" ADD COLUMN     "last_offered_at" TIMESTAMPTZ(3);
