import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../src/actors.ts';
import { isTerminal, SESSION_TYPES, sessionStatusFor } from '../src/statuses.ts';
import { type AssignmentEvent, type AssignmentState, transition } from '../src/transitions.ts';
import { canTake, canView, removalReason, type Viewer, type VisibilityFacts } from '../src/visibility.ts';
import { ADMIN, actors, CUSTOMER, MECHANIC, NOW, OTHER_MECHANIC } from './fixtures.ts';

const anyActor: fc.Arbitrary<Actor> = fc.constantFrom(...Object.values(actors));
const mechanicId = fc.constantFrom(MECHANIC, OTHER_MECHANIC);
const offsetSeconds = fc.integer({ min: -60, max: 60 });

const anyEvent: fc.Arbitrary<AssignmentEvent> = fc.oneof(
  fc.constant({ type: 'sign_waiver' } as const),
  fc.record({
    type: fc.constant('offer' as const),
    mechanicId,
    expiresAt: offsetSeconds.map((s) => new Date(NOW.getTime() + 30_000 + s * 1000)),
  }),
  fc.constant({ type: 'decline' } as const),
  fc.constant({ type: 'expire' } as const),
  fc.constant({ type: 'requeue' } as const),
  fc.constant({ type: 'accept' } as const),
  fc.record({
    type: fc.constant('cancel' as const),
    reason: fc.constantFrom('no mechanic available', 'changed mind', ''),
  }),
  fc.constant({ type: 'complete' } as const),
);

/** A step: an event, who causes it, and how many seconds after the start it happens. */
const step = fc.record({ event: anyEvent, actor: anyActor, at: fc.integer({ min: 0, max: 120 }) });

/** Applies steps as the server does: assignment and session move together or not at all. */
function run(plan: 'free' | 'paid', steps: { event: AssignmentEvent; actor: Actor; at: number }[]) {
  const created = transition(null, { type: 'create', plan }, actors.customer, NOW);
  if (!created.ok) throw new Error('create refused');
  let state: AssignmentState = created.state;
  let session = sessionStatusFor(state.status);
  const history: AssignmentState[] = [state];
  for (const { event, actor, at } of steps) {
    const result = transition(state, event, actor, new Date(NOW.getTime() + at * 1000));
    if (result.ok) {
      state = result.state;
      session = sessionStatusFor(state.status);
    }
    history.push(state);
    expect(session).toBe(sessionStatusFor(state.status));
  }
  return history;
}

describe('random event sequences', () => {
  it('never leave a terminal state', () => {
    fc.assert(
      fc.property(fc.constantFrom('free', 'paid'), fc.array(step, { maxLength: 40 }), (plan, steps) => {
        const history = run(plan, steps);
        const firstTerminal = history.findIndex((s) => isTerminal(s.status));
        if (firstTerminal === -1) return;
        for (const later of history.slice(firstTerminal)) expect(later).toEqual(history[firstTerminal]);
      }),
      { numRuns: 2000 },
    );
  });

  it('keep session and assignment consistent and the offer fields coherent', () => {
    fc.assert(
      fc.property(fc.constantFrom('free', 'paid'), fc.array(step, { maxLength: 40 }), (plan, steps) => {
        for (const state of run(plan, steps)) {
          const session = sessionStatusFor(state.status);
          expect(isTerminal(state.status)).toBe(session === 'completed' || session === 'cancelled');
          if (state.status === 'offered') {
            expect(state.mechanicId).not.toBeNull();
            expect(state.offerExpiresAt).not.toBeNull();
          } else {
            expect(state.offerExpiresAt).toBeNull();
          }
          if (state.status === 'accepted' || state.status === 'completed')
            expect(state.mechanicId).not.toBeNull();
          if (state.status === 'queued' || state.status === 'pending_waiver')
            expect(state.mechanicId).toBeNull();
          if (state.mechanicId && state.status === 'offered')
            expect(state.declinedBy).not.toContain(state.mechanicId);
          expect(state.customerId).toBe(CUSTOMER);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a paid session never waits for a waiver', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        for (const state of run('paid', steps)) expect(state.status).not.toBe('pending_waiver');
      }),
    );
  });
});

const viewer: fc.Arbitrary<Viewer> = fc.oneof(
  fc.constant<Viewer>({ role: 'customer', userId: CUSTOMER }),
  fc.constant<Viewer>({ role: 'admin', userId: ADMIN }),
  fc.record({
    role: fc.constant('mechanic' as const),
    userId: mechanicId,
    kind: fc.constantFrom('virtual_only' as const, 'workshop' as const),
    workshopId: fc.constantFrom(null, 'w-a', 'w-b'),
  }),
);
const facts: fc.Arbitrary<VisibilityFacts> = fc.record({
  status: fc.constantFrom(
    'pending_waiver',
    'queued',
    'offered',
    'declined',
    'expired',
    'accepted',
    'cancelled',
    'completed',
  ) as fc.Arbitrary<VisibilityFacts['status']>,
  customerId: fc.constantFrom(CUSTOMER, 'someone-else'),
  mechanicId: fc.constantFrom(null, MECHANIC, OTHER_MECHANIC),
  sessionType: fc.constantFrom(...SESSION_TYPES),
  workshopId: fc.constantFrom(null, 'w-a', 'w-b'),
});

describe('visibility properties', () => {
  it('an offered or accepted request is visible to at most its own mechanic', () => {
    fc.assert(
      fc.property(viewer, facts, fc.constantFrom('broadcast' as const, 'targeted' as const), (v, a, mode) => {
        if (
          v.role === 'mechanic' &&
          (a.status === 'offered' || a.status === 'accepted') &&
          canView(v, a, mode)
        ) {
          expect(a.mechanicId).toBe(v.userId);
        }
      }),
    );
  });

  it('what a viewer can take it can see, and a removal is sent exactly when sight is lost', () => {
    fc.assert(
      fc.property(viewer, facts, facts, (v, before, after) => {
        if (canTake(v, after)) expect(canView(v, after)).toBe(true);
        const lost = canView(v, before) && !canView(v, after);
        expect(removalReason(v, before, after) !== null).toBe(lost);
      }),
    );
  });

  it('a virtual-only mechanic never sees an in-person request', () => {
    fc.assert(
      fc.property(facts, mechanicId, (a, id) => {
        const v: Viewer = { role: 'mechanic', userId: id, kind: 'virtual_only', workshopId: null };
        if (a.sessionType === 'in_person') expect(canView(v, a)).toBe(false);
      }),
    );
  });
});
