import type { Availability, SessionType } from '../statuses.ts';
import { isEligible, type MechanicViewer, type VisibilityFacts } from '../visibility.ts';
import { type CapacityRefusalCode, capacityVerdict, type MechanicLoad } from './capacity.ts';

export const REASSIGN_REFUSAL_CODES = [
  'not_eligible',
  'mechanic_unavailable',
  'holds_another_offer',
  'same_mechanic',
] as const;
export type ReassignRefusalCode = (typeof REASSIGN_REFUSAL_CODES)[number] | CapacityRefusalCode;

export interface ReassignTarget extends Pick<MechanicViewer, 'userId' | 'kind' | 'workshopId'> {
  presence: Availability;
  load: MechanicLoad;
  virtualCapacity: number;
  hasOpenOffer: boolean;
}

export type ReassignVerdict = { ok: true } | { ok: false; code: ReassignRefusalCode; message: string };

/**
 * Whether an admin may hand a request to this mechanic: they must be able to take it (eligible),
 * available (away and offline mechanics get no offers), free to answer (no other open offer) and under capacity.
 */
export function reassignVerdict(
  target: ReassignTarget,
  request: Pick<VisibilityFacts, 'sessionType' | 'workshopId' | 'mechanicId'> & { sessionType: SessionType },
): ReassignVerdict {
  const refuse = (code: ReassignRefusalCode, message: string): ReassignVerdict => ({
    ok: false,
    code,
    message,
  });
  if (request.mechanicId === target.userId)
    return refuse('same_mechanic', 'This mechanic already has this request.');
  if (!isEligible(target, request)) {
    return refuse('not_eligible', 'This mechanic cannot take this kind of request (skills or workshop).');
  }
  if (target.presence !== 'available') {
    return refuse(
      'mechanic_unavailable',
      `This mechanic is ${target.presence}: away and offline mechanics get no offers.`,
    );
  }
  if (target.hasOpenOffer) return refuse('holds_another_offer', 'This mechanic is answering another offer.');
  const capacity = capacityVerdict(target.load, target.virtualCapacity, request.sessionType);
  return capacity.ok
    ? { ok: true }
    : refuse(capacity.code, `This mechanic is at capacity: ${capacity.message}`);
}
