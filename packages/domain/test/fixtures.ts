import type { Actor } from '../src/actors.ts';
import type { AssignmentEvent, AssignmentState, TransitionEventType } from '../src/transitions.ts';

export const CUSTOMER = '00000000-0000-4000-8000-00000000000c';
export const OTHER_CUSTOMER = '00000000-0000-4000-8000-0000000000cc';
export const MECHANIC = '00000000-0000-4000-8000-00000000000a';
export const OTHER_MECHANIC = '00000000-0000-4000-8000-0000000000aa';
export const ADMIN = '00000000-0000-4000-8000-0000000000ad';
export const NOW = new Date('2026-11-24T10:00:00Z');
export const LATER = new Date('2026-11-24T10:00:30Z');
export const AFTER_DEADLINE = new Date('2026-11-24T10:00:31Z');

export const actors = {
  customer: { kind: 'customer', userId: CUSTOMER },
  otherCustomer: { kind: 'customer', userId: OTHER_CUSTOMER },
  mechanic: { kind: 'mechanic', userId: MECHANIC },
  otherMechanic: { kind: 'mechanic', userId: OTHER_MECHANIC },
  admin: { kind: 'admin', userId: ADMIN },
  dispatcher: { kind: 'dispatcher' },
  timer: { kind: 'timer' },
  system: { kind: 'system' },
} as const satisfies Record<string, Actor>;

/** A state in the given status whose offer (if any) is to MECHANIC and still open at NOW. */
export function stateIn(status: AssignmentState['status']): AssignmentState {
  const holdsMechanic = status === 'offered' || status === 'accepted' || status === 'completed';
  return {
    status,
    customerId: CUSTOMER,
    mechanicId: holdsMechanic ? MECHANIC : null,
    offerExpiresAt: status === 'offered' ? LATER : null,
    declinedBy: [],
  };
}

/** The event of each type with the actor that may normally cause it. */
export function typicalEvent(type: TransitionEventType): { event: AssignmentEvent; actor: Actor; now: Date } {
  return { now: type === 'expire' ? AFTER_DEADLINE : NOW, ...eventAndActor(type) };
}

function eventAndActor(type: TransitionEventType): { event: AssignmentEvent; actor: Actor } {
  switch (type) {
    case 'sign_waiver':
      return { event: { type }, actor: actors.customer };
    case 'offer':
      return { event: { type, mechanicId: OTHER_MECHANIC, expiresAt: LATER }, actor: actors.dispatcher };
    case 'decline':
      return { event: { type }, actor: actors.mechanic };
    case 'expire':
      return { event: { type }, actor: actors.timer };
    case 'requeue':
      return { event: { type }, actor: actors.dispatcher };
    case 'accept':
      return { event: { type }, actor: actors.mechanic };
    case 'cancel':
      return { event: { type, reason: 'changed my mind' }, actor: actors.customer };
    case 'complete':
      return { event: { type }, actor: actors.mechanic };
  }
}
