-- Hand-written. Event positions in commit order among event writers only.
--
-- Before: readers ordered events by (tx_id, id) and read only below
-- pg_snapshot_xmin(pg_current_snapshot()), so any transaction that held an xid anywhere in the
-- cluster (another database, a psql session, a migration) stopped all delivery while it stayed open.
-- Now every insert takes one transaction-scoped advisory lock (advisory locks are per database)
-- and only then draws its position, holding the lock until commit. A writer cannot draw a position
-- until every earlier writer has committed or rolled back, and a commit is visible to new
-- snapshots before its locks are released, so a reader that sees position N also sees every
-- committed position below N. Transactions that write no event never touch the lock.

CREATE SEQUENCE "assignment_event_position_seq" AS bigint;

ALTER TABLE "assignment_events" ADD COLUMN "position" BIGINT;

-- Existing events keep their order: (tx_id, id) was the order readers delivered them in.
ALTER TABLE "assignment_events" DISABLE TRIGGER "assignment_events_no_update_delete";
UPDATE "assignment_events" e SET "position" = o.n
  FROM (SELECT id, row_number() OVER (ORDER BY tx_id, id) AS n FROM "assignment_events") o
  WHERE e.id = o.id;
ALTER TABLE "assignment_events" ENABLE TRIGGER "assignment_events_no_update_delete";
SELECT setval('"assignment_event_position_seq"', (SELECT coalesce(max("position"), 0) + 1 FROM "assignment_events"), false);

ALTER TABLE "assignment_events" ALTER COLUMN "position" SET NOT NULL;
ALTER TABLE "assignment_events" ALTER COLUMN "position" SET DEFAULT 0;
CREATE UNIQUE INDEX "assignment_events_position_key" ON "assignment_events"("position");

-- The one writer order. Lock key 42420001 is EVENT_ORDER_LOCK in packages/api/src/log/append.ts
-- (the metrics gauge counts its waiters). The notification only wakes readers; they read the table.
CREATE FUNCTION "assignment_events_position"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(42420001);
    NEW."position" := nextval('"assignment_event_position_seq"');
    PERFORM pg_notify('assignment_events', '');
    RETURN NEW;
END;
$$;

CREATE TRIGGER "assignment_events_position"
    BEFORE INSERT ON "assignment_events"
    FOR EACH ROW EXECUTE FUNCTION "assignment_events_position"();

-- Capacity per mechanic (packages/domain capacity rule) and the cancel reason as a code.
ALTER TABLE "mechanics" ADD COLUMN "virtual_capacity" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "sessions" ADD COLUMN "cancel_code" TEXT;

-- One state change as one statement (packages/api/src/commands/apply-change.ts builds `change`;
-- the domain has already decided it). In order: the taker's availability and capacity under a lock
-- on their mechanics row (so one mechanic's simultaneous accepts are serialised and each counts the
-- others' committed accepts), the versioned assignment update (a lost race changes nothing), the
-- session status in the same transaction, the waiver when one is signed, and the event row last,
-- so the event-order lock is held only from here to commit. Returns {outcome, ...}; anything but
-- 'ok' has written nothing.
CREATE FUNCTION "apply_assignment_change"(change jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    s jsonb := change->'set';
    taker jsonb := change->'taker';
    ev jsonb := change->'event';
    w jsonb := change->'waiver';
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

-- A revoked or deleted auth session is announced to every server process, which drops it from its
-- session cache and closes its sockets at once (packages/api AUTH_REVOKED_CHANNEL).
CREATE FUNCTION "auth_sessions_revoked"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('auth_sessions_revoked', OLD.id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER "auth_sessions_revoked_update"
    AFTER UPDATE OF revoked_at ON "auth_sessions"
    FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL)
    EXECUTE FUNCTION "auth_sessions_revoked"();

CREATE TRIGGER "auth_sessions_revoked_delete"
    AFTER DELETE ON "auth_sessions"
    FOR EACH ROW EXECUTE FUNCTION "auth_sessions_revoked"();
