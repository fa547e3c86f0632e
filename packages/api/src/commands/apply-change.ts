import { type DbTransaction as Db, preparedStatement, queryPrepared } from '@dispatch/db';
import type { AssignmentStatus, Completion, SessionStatus, SessionType } from '@dispatch/domain';
import { type CommittedEventJson, eventCommitted, type eventFields } from '../log/index.ts';

/** A decided state change, applied by the `apply_assignment_change` SQL function in one statement. */
export interface AssignmentChange {
  assignmentId: string;
  /** The version the decision was made on; any other means someone moved first. */
  version: number;
  now: Date;
  set: {
    status: AssignmentStatus;
    mechanicId: string | null;
    offerExpiresAt: Date | null;
    declinedBy: readonly string[];
    queuedAt?: Date;
    offeredAt?: Date;
    acceptedAt?: Date;
    expiredAt?: Date;
    completedAt?: Date;
    cancelledAt?: Date;
    cancelReason?: string;
  };
  sessionStatus: SessionStatus;
  cancelCode?: string;
  /** For an accept: whose availability and capacity to check, under a lock on their row. */
  taker?: { mechanicId: string; sessionType: SessionType };
  waiver?: {
    signerName: string;
    consent: boolean;
    waiverVersion: string;
    textSha256: string;
    ipAddress: string;
    userAgent: string;
  };
  /**
   * For a mechanic's accept or decline of an offer made to them: whose run of missed offers this
   * answer ends (reset in the same statement, migration 20261202091000_offer_answer_in_change).
   */
  answeredOfferOf?: string;
  /** For a complete: the outcome, note and findings, written onto the session with its status. */
  completion?: Completion;
  event: ReturnType<typeof eventFields>;
}

export type ChangeOutcome =
  | { outcome: 'ok'; position: string; event?: CommittedEventJson }
  | { outcome: 'conflict' }
  | { outcome: 'not_found' }
  | { outcome: 'not_available'; availability: string }
  | { outcome: 'at_capacity'; virtual: number; inPerson: number; virtualCapacity: number };

const APPLY_CHANGE = preparedStatement(
  'apply_assignment_change',
  'SELECT apply_assignment_change($1::jsonb) AS result',
);

/**
 * One round trip, one autocommit statement: no interactive transaction to time out or to stall
 * while holding locks (see the function's comment in the migrations for what it checks).
 */
export async function applyChange(db: Db, change: AssignmentChange): Promise<ChangeOutcome> {
  const rows = await queryPrepared<{ result: ChangeOutcome }>(db, APPLY_CHANGE, [JSON.stringify(change)]);
  const result = rows[0]?.result;
  if (!result) throw new Error('apply_assignment_change returned nothing');
  if (result.outcome === 'ok') eventCommitted(db, result.position, result.event);
  return result;
}
