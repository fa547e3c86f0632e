-- Hand-edited (the DDL is `pnpm db:migration:new`'s). The session room's completion and contacts:
--   * how a session ended (outcome, the mechanic's note, a diagnostic session's findings) on the
--     session row, written by the complete statement itself;
--   * the customer's one rating per session (session_ratings; stars 1-5 checked here);
--   * the workshop's phone (the address existed) for in-person visits;
--   * the customer's callback phone, on the session in its own column: never copied into a card,
--     an event row or a log line (docs/DESIGN.md, "Completion, rating and contacts").

-- CreateEnum
CREATE TYPE "session_outcome" AS ENUM ('resolved', 'needs_workshop', 'could_not_help');

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "callback_phone" TEXT,
ADD COLUMN     "findings_advice" TEXT,
ADD COLUMN     "findings_cause" TEXT,
ADD COLUMN     "findings_checked" TEXT,
ADD COLUMN     "outcome" "session_outcome",
ADD COLUMN     "outcome_note" TEXT;

-- AlterTable
ALTER TABLE "workshops" ADD COLUMN     "phone" TEXT;

-- CreateTable
CREATE TABLE "session_ratings" (
    "session_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "mechanic_id" UUID NOT NULL,
    "stars" SMALLINT NOT NULL,
    "comment" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "session_ratings_pkey" PRIMARY KEY ("session_id")
);

-- CreateIndex
CREATE INDEX "session_ratings_mechanic_id_created_at_idx" ON "session_ratings"("mechanic_id", "created_at");

-- AddForeignKey
ALTER TABLE "session_ratings" ADD CONSTRAINT "session_ratings_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Stars are 1 to 5 whatever the writer (the domain's ratingSchema says the same at the boundary).
ALTER TABLE "session_ratings" ADD CONSTRAINT "session_ratings_stars_check" CHECK ("stars" BETWEEN 1 AND 5);

-- apply_assignment_change as before (20261201090000), plus `completion`: a complete writes the
-- outcome, note and findings onto the session in the same statement as the status. The event row
-- is still written last and carries only the outcome code (in its card), never the note.
CREATE OR REPLACE FUNCTION "apply_assignment_change"(change jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    s jsonb := change->'set';
    taker jsonb := change->'taker';
    ev jsonb := change->'event';
    w jsonb := change->'waiver';
    c jsonb := change->'completion';
    v_now timestamptz := (change->>'now')::timestamptz;
    v_session uuid;
    v_position bigint;
    v_availability availability;
    v_capacity integer;
    v_virtual integer;
    v_in_person integer;
BEGIN
    IF taker IS NOT NULL AND jsonb_typeof(taker) = 'object' THEN
        SELECT availability, virtual_capacity INTO v_availability, v_capacity
          FROM mechanics WHERE user_id = (taker->>'mechanicId')::uuid FOR UPDATE;
        IF NOT FOUND THEN
            RETURN jsonb_build_object('outcome', 'not_found');
        END IF;
        IF v_availability <> 'available' THEN
            RETURN jsonb_build_object('outcome', 'not_available', 'availability', v_availability);
        END IF;
        -- Mirrors capacityAllows() in packages/domain/src/capacity.ts (a test proves they agree).
        SELECT count(*) FILTER (WHERE se.type <> 'in_person'), count(*) FILTER (WHERE se.type = 'in_person')
          INTO v_virtual, v_in_person
          FROM session_assignments a JOIN sessions se ON se.id = a.session_id
          WHERE a.mechanic_id = (taker->>'mechanicId')::uuid AND a.status = 'accepted'
            AND a.id <> (change->>'assignmentId')::uuid;
        IF v_in_person > 0
           OR (taker->>'sessionType' = 'in_person' AND v_virtual > 0)
           OR (taker->>'sessionType' <> 'in_person' AND v_virtual >= v_capacity) THEN
            RETURN jsonb_build_object('outcome', 'at_capacity',
                'virtual', v_virtual, 'inPerson', v_in_person, 'virtualCapacity', v_capacity);
        END IF;
    END IF;

    UPDATE session_assignments SET
        status = (s->>'status')::assignment_status,
        mechanic_id = (s->>'mechanicId')::uuid,
        offer_expires_at = (s->>'offerExpiresAt')::timestamptz,
        declined_by = ARRAY(SELECT jsonb_array_elements_text(s->'declinedBy'))::uuid[],
        queued_at = CASE WHEN s ? 'queuedAt' THEN (s->>'queuedAt')::timestamptz ELSE queued_at END,
        offered_at = CASE WHEN s ? 'offeredAt' THEN (s->>'offeredAt')::timestamptz ELSE offered_at END,
        accepted_at = CASE WHEN s ? 'acceptedAt' THEN (s->>'acceptedAt')::timestamptz ELSE accepted_at END,
        expired_at = CASE WHEN s ? 'expiredAt' THEN (s->>'expiredAt')::timestamptz ELSE expired_at END,
        completed_at = CASE WHEN s ? 'completedAt' THEN (s->>'completedAt')::timestamptz ELSE completed_at END,
        cancelled_at = CASE WHEN s ? 'cancelledAt' THEN (s->>'cancelledAt')::timestamptz ELSE cancelled_at END,
        cancel_reason = CASE WHEN s ? 'cancelReason' THEN s->>'cancelReason' ELSE cancel_reason END,
        version = version + 1,
        updated_at = v_now
      WHERE id = (change->>'assignmentId')::uuid AND version = (change->>'version')::integer
      RETURNING session_id INTO v_session;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('outcome', 'conflict');
    END IF;

    UPDATE sessions SET
        status = (change->>'sessionStatus')::session_status,
        cancel_reason = CASE WHEN s ? 'cancelReason' THEN s->>'cancelReason' ELSE cancel_reason END,
        cancel_code = CASE WHEN change ? 'cancelCode' THEN change->>'cancelCode' ELSE cancel_code END,
        outcome = CASE WHEN jsonb_typeof(c) = 'object' THEN (c->>'outcome')::session_outcome ELSE outcome END,
        outcome_note = CASE WHEN jsonb_typeof(c) = 'object' THEN c->>'note' ELSE outcome_note END,
        findings_checked = CASE WHEN jsonb_typeof(c) = 'object' THEN c->'findings'->>'checked' ELSE findings_checked END,
        findings_cause = CASE WHEN jsonb_typeof(c) = 'object' THEN c->'findings'->>'suspectedCause' ELSE findings_cause END,
        findings_advice = CASE WHEN jsonb_typeof(c) = 'object' THEN c->'findings'->>'advice' ELSE findings_advice END,
        updated_at = v_now
      WHERE id = v_session;

    IF w IS NOT NULL AND jsonb_typeof(w) = 'object' THEN
        INSERT INTO waivers (id, session_id, signer_name, consent, waiver_version, text_sha256, signed_at,
                             ip_address, user_agent)
        VALUES (gen_random_uuid(), v_session, w->>'signerName', (w->>'consent')::boolean, w->>'waiverVersion',
                w->>'textSha256', v_now, w->>'ipAddress', w->>'userAgent');
    END IF;

    INSERT INTO assignment_events (assignment_id, session_id, type, from_status, to_status, actor_kind,
                                   actor_id, reason, request_id, data, created_at)
    VALUES ((change->>'assignmentId')::uuid, v_session, ev->>'type', (ev->>'from')::assignment_status,
            (ev->>'to')::assignment_status, ev->>'actorKind', (ev->>'actorId')::uuid, ev->>'reason',
            ev->>'requestId', ev->'data', clock_timestamp())
    RETURNING "position" INTO v_position;

    RETURN jsonb_build_object('outcome', 'ok', 'position', v_position::text);
END;
$$;
