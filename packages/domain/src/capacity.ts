import { isVirtual, type SessionType } from './statuses.ts';

/** A mechanic's live (accepted) sessions by kind. */
export interface MechanicLoad {
  virtual: number;
  inPerson: number;
}

/** Live virtual sessions a mechanic takes at once unless an admin sets otherwise. */
export const DEFAULT_VIRTUAL_CAPACITY = 1;

/**
 * Whether a mechanic with this load may take one more session of `type`: an in-person visit blocks
 * everything (and needs a free mechanic), virtual sessions count up to `virtualCapacity`.
 * The accept statement (apply_assignment_change in the migrations) enforces the same rule under a
 * lock on the mechanic's row; a test proves the two agree.
 */
export function capacityAllows(load: MechanicLoad, virtualCapacity: number, type: SessionType): boolean {
  if (load.inPerson > 0) return false;
  return isVirtual(type) ? load.virtual < virtualCapacity : load.virtual === 0;
}
