import type { DbTransaction as Db } from '@dispatch/db';
import type { Actor, DispatchMode, Viewer, WaiverSignature } from '@dispatch/domain';
import type { AssignmentRow } from '../queries/rows.ts';
import { currentWaiver } from '../queries/waiver-text.ts';
import { type ActResult, actOnAssignment } from './act-on-assignment.ts';
import { CommandError } from './errors.ts';

export interface SignWaiverRequest {
  row: AssignmentRow;
  signature: WaiverSignature;
  actor: Actor;
  viewer: Viewer;
  mode: DispatchMode;
  /** Where the signature came from, kept with it. */
  meta: { ip: string; userAgent: string; requestId: string | null };
  now: Date;
}

/**
 * Stores the signature (version, text hash, typed name, consent, time, IP, user agent) and moves the
 * request to the queue in one statement. Signing again is a no-op that answers with the session.
 */
export function signWaiver(db: Db, request: SignWaiverRequest): Promise<ActResult> {
  const { signature } = request;
  if (signature.waiverVersion !== currentWaiver.version) {
    throw new CommandError(
      'refused',
      'The waiver text has changed since you opened it. Please read the new version and sign again.',
      { refusal: 'waiver_changed' },
    );
  }
  return actOnAssignment(db, {
    row: request.row,
    event: { type: 'sign_waiver' },
    actor: request.actor,
    viewer: request.viewer,
    mode: request.mode,
    requestId: request.meta.requestId,
    now: request.now,
    waiver: {
      signerName: signature.signerName,
      consent: signature.consent,
      waiverVersion: currentWaiver.version,
      textSha256: currentWaiver.sha256,
      ipAddress: request.meta.ip,
      userAgent: request.meta.userAgent,
    },
  });
}
