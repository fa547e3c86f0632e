import { capacityVerdict, type MechanicLoad } from './dispatch/capacity.ts';
import type { SessionType } from './statuses.ts';

/**
 * Whether a mechanic with this load may take one more session of `type`: an in-person visit blocks
 * everything (and needs a free mechanic), virtual sessions count up to `virtualCapacity`. The rule
 * is written once, as data, in dispatch/capacity.ts (`capacityVerdict`, with the reason); the
 * accept statement (apply_assignment_change in the migrations) enforces the same rule under a lock
 * on the mechanic's row, and a test proves the two agree.
 */
export function capacityAllows(load: MechanicLoad, virtualCapacity: number, type: SessionType): boolean {
  return capacityVerdict(load, virtualCapacity, type).ok;
}
