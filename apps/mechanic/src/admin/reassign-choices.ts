import { isEligible, type ReassignRefusalCode, reassignVerdict } from '@dispatch/domain';
import type { AdminMechanic, AssignmentCard } from '../api-types.ts';

export interface ReassignChoice {
  mechanicId: string;
  /** "Sam Okafor — available, 0 of 1 virtual" or "Hannah Kim — away". */
  label: string;
  /** Why an offer to them would be refused now (away, offline, busy, full); null: it can be made. */
  blocked: string | null;
}

/** Short words for the select; '' means "their presence says it" (away, offline). */
const BLOCKED_TEXT: Record<ReassignRefusalCode, string> = {
  mechanic_unavailable: '',
  not_eligible: 'cannot take it',
  same_mechanic: 'has it now',
  holds_another_offer: 'answering another offer',
  at_capacity: 'at capacity',
  in_person_in_progress: 'on an in-person visit',
  finish_live_sessions_first: 'has live sessions',
};

/**
 * Who an admin can offer this request to: only mechanics who could take this kind of request at
 * all (the domain's isEligible: not virtual-only for an in-person visit, the right workshop), never
 * the one who has it now; each with their live presence and load, and, where the server's
 * reassign rule (reassignVerdict) would refuse now, why (such entries are shown but not choosable).
 */
export function reassignChoices(card: AssignmentCard, mechanics: readonly AdminMechanic[]): ReassignChoice[] {
  const request = {
    sessionType: card.sessionType,
    workshopId: card.workshop?.id ?? null,
    mechanicId: card.mechanic?.id ?? null,
  };
  return mechanics
    .filter((m) => m.mechanicId !== request.mechanicId)
    .filter((m) => isEligible({ kind: m.kind, workshopId: m.workshopId }, request))
    .map((m) => {
      const verdict = reassignVerdict({ ...m, userId: m.mechanicId }, request);
      const load = `${m.load.virtual} of ${m.virtualCapacity} virtual${m.load.inPerson > 0 ? ', on a visit' : ''}`;
      const blocked = verdict.ok ? null : BLOCKED_TEXT[verdict.code] || m.presence;
      return {
        mechanicId: m.mechanicId,
        label: `${m.displayName} — ${m.presence}, ${load}${blocked && blocked !== m.presence ? ` (${blocked})` : ''}`,
        blocked,
      };
    })
    .sort((a, b) => Number(a.blocked !== null) - Number(b.blocked !== null));
}
