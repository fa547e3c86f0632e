import { isEligible, type MechanicViewer, type VisibilityFacts } from '../visibility.ts';
import { compareRequests, type RankedRequest } from './order.ts';

export type EligibilityFacts = Pick<MechanicViewer, 'userId' | 'kind' | 'workshopId'>;
export type WaitingRequest = RankedRequest & Pick<VisibilityFacts, 'sessionType' | 'workshopId'>;

/** The mechanics (of those given) who could take this request. */
export function eligibleFor<M extends EligibilityFacts>(
  request: Pick<VisibilityFacts, 'sessionType' | 'workshopId'>,
  mechanics: readonly M[],
): M[] {
  return mechanics.filter((m) => isEligible(m, request));
}

/**
 * Whether `other` stands between `target` and its mechanics: every mechanic who could take the target
 * could take `other` too, so whoever frees up would take `other` first if it ranks ahead. A request
 * only some of them could take (a Harbor-only visit ahead of a chat) is not counted.
 */
export function competesWith(
  target: Pick<VisibilityFacts, 'sessionType' | 'workshopId'>,
  other: Pick<VisibilityFacts, 'sessionType' | 'workshopId'>,
  mechanics: readonly EligibilityFacts[],
): boolean {
  const mine = eligibleFor(target, mechanics);
  return mine.length > 0 && mine.every((m) => isEligible(m, other));
}

/**
 * 1 + the number of waiting requests ahead of `target` in queue order that the same mechanics would
 * take first. `mechanics` are the ones online and available, or every mechanic when none of those
 * could take the target (so the position still means something while nobody is online).
 */
export function honestPosition(
  target: WaitingRequest,
  waiting: readonly WaitingRequest[],
  online: readonly EligibilityFacts[],
  everyone: readonly EligibilityFacts[],
): number {
  const pool = eligibleFor(target, online).length > 0 ? online : everyone;
  let ahead = 0;
  for (const other of waiting) {
    if (other.id === target.id) continue;
    if (compareRequests(other, target) < 0 && competesWith(target, other, pool)) ahead += 1;
  }
  return ahead + 1;
}
