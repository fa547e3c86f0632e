-- Hand-written. apply_assignment_change as in 20261201151000_completion_and_contacts, plus
-- `answeredOfferOf`: a mechanic's accept or decline of an offer made to them resets their run of
-- missed offers in the same statement, where the router used to send a transaction of its own
-- after the change (BEGIN, SELECT ... FOR UPDATE, UPDATE, COMMIT: four more round trips on a
-- targeted accept). Everything else is unchanged; the event row is still written last.
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
    RETURNING "position" INTO v_position;

    RETURN jsonb_build_object('outcome', 'ok', 'position', v_position::text);
END;
$$;
