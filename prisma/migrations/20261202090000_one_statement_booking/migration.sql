-- Hand-written. A booking as one statement, one round trip (issue #17 item 1): the idempotency
-- check, the per-customer open-request lock and check, the workshop check and the three inserts,
-- which packages/api/src/commands/create-session.ts used to send as five to seven statements
-- (key lookup, workshop lookup, BEGIN, lock, insert CTE, COMMIT).
--
-- `request` is built by createSession (the domain has already decided the first state):
--   { sessionId, assignmentId, customerId, intake: {customerName, vehicleYear, vehicleMake,
--     vehicleModel, concern, sessionType, workshopId, plan, urgent, callbackPhone},
--     idempotencyKey, allowAnotherOpen, openStatuses: [session_status...], status, sessionStatus,
--     queuedAt, now, event: {type, actorKind, actorId, requestId, data} }
-- and the answer says what happened; only 'created' has written anything:
--   {outcome: 'created', position, workshop: {id, name} | null}
--   {outcome: 'existing', sessionId}   the same key and intake again: a retry of that booking
--   {outcome: 'key_reused'}            the same key with another intake: refused, never merged
--   {outcome: 'unknown_workshop'}
--   {outcome: 'open_request_exists'}   only when allowAnotherOpen is false
--
-- Why one customer's bookings cannot both pass the open-request check: without allowAnotherOpen
-- the function first takes the two-key advisory lock (42420002, hashtext(customer id)); its space
-- is apart from the event-order lock's one-key 42420001. A VOLATILE plpgsql function takes a fresh
-- snapshot for each statement under READ COMMITTED, and a commit is visible to new snapshots before
-- its locks are released, so every check after the lock sees the bookings the previous holder
-- committed (packages/api/test/write-path.test.ts and open-request-race.test.ts race them). The
-- event row is inserted last, so the event-order lock its trigger takes is held only from there to
-- the commit.
CREATE FUNCTION "create_session"(request jsonb) RETURNS jsonb
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
                RETURNING "position" INTO v_position;

                RETURN jsonb_build_object('outcome', 'created', 'position', v_position::text,
                                          'workshop', v_workshop);
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
