-- Hand-written. The committing process delivers its own events without waiting for NOTIFY and a
-- read of the table (packages/api/src/log/hub.ts, `committed`):
-- - create_session and apply_assignment_change (as in 20261202090000_one_statement_booking and
--   20261202091000_offer_answer_in_change, otherwise unchanged) also return the event row they
--   inserted, as the table stores it (`event`: to_jsonb of the row, so `data` keeps jsonb's key
--   order, exactly what a read returns);
-- - the position trigger notifies with the event's position, so a process that already holds that
--   position skips the read the notification would cost. An empty payload still means "read".

CREATE OR REPLACE FUNCTION "assignment_events_position"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(42420001);
    NEW."position" := nextval('"assignment_event_position_seq"');
    PERFORM pg_notify('assignment_events', NEW."position"::text);
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION "create_session"(request jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    i jsonb := request->'intake';
    ev jsonb := request->'event';
    v_customer uuid := (request->>'customerId')::uuid;
    v_key text := request->>'idempotencyKey';
    v_now timestamptz := (request->>'now')::timestamptz;
    v_workshop_id uuid := (i->>'workshopId')::uuid;
    v_workshop jsonb := 'null'::jsonb;
    v_allow_another boolean := (request->>'allowAnotherOpen')::boolean;
    v_existing sessions%ROWTYPE;
    v_position bigint;
    v_event jsonb;
BEGIN
    IF NOT v_allow_another THEN
        PERFORM pg_advisory_xact_lock(42420002, hashtext(v_customer::text));
    END IF;

    SELECT * INTO v_existing FROM sessions WHERE customer_id = v_customer AND idempotency_key = v_key;
    IF NOT FOUND THEN
        IF v_workshop_id IS NOT NULL THEN
            SELECT jsonb_build_object('id', id, 'name', name) INTO v_workshop
              FROM workshops WHERE id = v_workshop_id;
            IF NOT FOUND THEN
                RETURN jsonb_build_object('outcome', 'unknown_workshop');
            END IF;
        END IF;

        IF NOT v_allow_another AND EXISTS (
            SELECT 1 FROM sessions
             WHERE customer_id = v_customer
               AND status::text IN (SELECT jsonb_array_elements_text(request->'openStatuses'))) THEN
            -- The open request may be this key's own booking, committed since the lookup above by a
            -- call that took no lock (allowAnotherOpen): then this call is a retry of it.
            SELECT * INTO v_existing FROM sessions WHERE customer_id = v_customer AND idempotency_key = v_key;
            IF NOT FOUND THEN
                RETURN jsonb_build_object('outcome', 'open_request_exists');
            END IF;
        ELSE
            INSERT INTO sessions (id, customer_id, type, workshop_id, plan, customer_name, vehicle_year,
                                  vehicle_make, vehicle_model, concern, urgent, callback_phone, status,
                                  idempotency_key, created_at, updated_at)
            VALUES ((request->>'sessionId')::uuid, v_customer, (i->>'sessionType')::session_type, v_workshop_id,
                    (i->>'plan')::plan, i->>'customerName', (i->>'vehicleYear')::integer, i->>'vehicleMake',
                    i->>'vehicleModel', i->>'concern', (i->>'urgent')::boolean, i->>'callbackPhone',
                    (request->>'sessionStatus')::session_status, v_key, v_now, v_now)
            ON CONFLICT (customer_id, idempotency_key) DO NOTHING;

            IF FOUND THEN
                INSERT INTO session_assignments (id, session_id, status, urgent, queued_at, created_at, updated_at)
                VALUES ((request->>'assignmentId')::uuid, (request->>'sessionId')::uuid,
                        (request->>'status')::assignment_status, (i->>'urgent')::boolean,
                        (request->>'queuedAt')::timestamptz, v_now, v_now);

                -- The card in the event names the workshop, which only this statement looked up.
                INSERT INTO assignment_events (assignment_id, session_id, type, from_status, to_status,
                                               actor_kind, actor_id, reason, request_id, data, created_at)
                VALUES ((request->>'assignmentId')::uuid, (request->>'sessionId')::uuid, ev->>'type', NULL,
                        (request->>'status')::assignment_status, ev->>'actorKind', (ev->>'actorId')::uuid,
                        NULL, ev->>'requestId', jsonb_set(ev->'data', '{card,workshop}', v_workshop),
                        clock_timestamp())
                RETURNING "position", to_jsonb(assignment_events.*) INTO v_position, v_event;

                RETURN jsonb_build_object('outcome', 'created', 'position', v_position::text,
                                          'workshop', v_workshop, 'event', v_event);
            END IF;

            -- Another booking under this key committed after the lookup above (one that took no
            -- lock: allowAnotherOpen); the insert waited for it, and a fresh snapshot sees it now.
            SELECT * INTO v_existing FROM sessions WHERE customer_id = v_customer AND idempotency_key = v_key;
        END IF;
    END IF;

    -- The same intake again is a retry of that booking; another intake under the key is refused.
    -- The same fields as `sameIntake` in create-session.ts (left for calls the rate limit refused).
    IF v_existing.customer_name = i->>'customerName'
       AND v_existing.vehicle_year = (i->>'vehicleYear')::integer
       AND v_existing.vehicle_make = i->>'vehicleMake'
       AND v_existing.vehicle_model = i->>'vehicleModel'
       AND v_existing.concern = i->>'concern'
       AND v_existing.type::text = i->>'sessionType'
       AND v_existing.workshop_id IS NOT DISTINCT FROM v_workshop_id
       AND v_existing.plan::text = i->>'plan'
       AND v_existing.urgent = (i->>'urgent')::boolean
       AND v_existing.callback_phone IS NOT DISTINCT FROM i->>'callbackPhone' THEN
        RETURN jsonb_build_object('outcome', 'existing', 'sessionId', v_existing.id);
    END IF;
    RETURN jsonb_build_object('outcome', 'key_reused');
END;
$$;

CREATE OR REPLACE FUNCTION "apply_assignment_change"(change jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    s jsonb := change->'set';
    taker jsonb := change->'taker';
    ev jsonb := change->'event';
    w jsonb := change->'waiver';
    c jsonb := change->'completion';
    v_answered uuid := (change->>'answeredOfferOf')::uuid;
    v_now timestamptz := (change->>'now')::timestamptz;
    v_session uuid;
    v_position bigint;
    v_event jsonb;
    v_availability availability;
    v_capacity integer;
    v_virtual integer;
    v_in_person integer;
BEGIN
    -- A decline of an offer made to this mechanic takes their row first, as an accept's capacity
    -- check does below: both lock the mechanic's row before the assignment's (no lock-order cycle).
    IF v_answered IS NOT NULL AND (taker IS NULL OR jsonb_typeof(taker) <> 'object') THEN
        PERFORM 1 FROM mechanics WHERE user_id = v_answered FOR UPDATE;
    END IF;

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

    -- Answering an offer (either way) ends the mechanic's run of missed offers (decideMissedOffer).
    IF v_answered IS NOT NULL THEN
        UPDATE mechanics SET missed_offers = 0 WHERE user_id = v_answered AND missed_offers <> 0;
    END IF;

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
    RETURNING "position", to_jsonb(assignment_events.*) INTO v_position, v_event;

    RETURN jsonb_build_object('outcome', 'ok', 'position', v_position::text, 'event', v_event);
END;
$$;
