import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASSIGNMENT_STATUSES, DISPATCH_MODES, SESSION_TYPES } from '../src/statuses.ts';
import {
  canView,
  namesUser,
  removalReason,
  type Viewer,
  type VisibilityFacts,
  visibilityClassOf,
} from '../src/visibility.ts';

const users = ['u1', 'u2', 'u3'] as const;
const workshops = [null, 'w1', 'w2'] as const;

const viewer: fc.Arbitrary<Viewer> = fc.oneof(
  fc.record({ role: fc.constant('admin' as const), userId: fc.constantFrom(...users) }),
  fc.record({ role: fc.constant('customer' as const), userId: fc.constantFrom(...users) }),
  fc.record({
    role: fc.constant('mechanic' as const),
    userId: fc.constantFrom(...users),
    kind: fc.constantFrom('virtual_only' as const, 'workshop' as const),
    workshopId: fc.constantFrom(...workshops),
  }),
);

const facts: fc.Arbitrary<VisibilityFacts> = fc.record({
  status: fc.constantFrom(...ASSIGNMENT_STATUSES),
  customerId: fc.constantFrom(...users),
  mechanicId: fc.constantFrom(null, ...users),
  sessionType: fc.constantFrom(...SESSION_TYPES),
  workshopId: fc.constantFrom(...workshops),
});

describe('visibility classes', () => {
  it('a member sees what its stand-in sees of any change that does not name it', () => {
    fc.assert(
      fc.property(
        viewer,
        fc.option(facts, { nil: null }),
        facts,
        fc.constantFrom(...DISPATCH_MODES),
        (member, before, after, mode) => {
          fc.pre(!namesUser(member.userId, before, after));
          const { standIn } = visibilityClassOf(member);
          expect(canView(standIn, after, mode)).toBe(canView(member, after, mode));
          expect(removalReason(standIn, before, after, mode)).toBe(
            removalReason(member, before, after, mode),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('viewers share a class exactly when only their ids differ', () => {
    fc.assert(
      fc.property(viewer, viewer, (a, b) => {
        const same = visibilityClassOf(a).key === visibilityClassOf(b).key;
        const { userId: _a, ...restA } = a;
        const { userId: _b, ...restB } = b;
        const alike =
          a.role === 'customer'
            ? a.userId === b.userId && b.role === 'customer'
            : JSON.stringify(restA) === JSON.stringify(restB);
        expect(same).toBe(alike);
      }),
    );
  });

  it('a change names the mechanic and customer before and after it', () => {
    const before: VisibilityFacts = {
      status: 'accepted',
      customerId: 'u1',
      mechanicId: 'u2',
      sessionType: 'video',
      workshopId: null,
    };
    const after: VisibilityFacts = { ...before, status: 'queued', mechanicId: null };
    expect(namesUser('u1', before, after)).toBe(true);
    expect(namesUser('u2', before, after)).toBe(true);
    expect(namesUser('u2', null, after)).toBe(false);
    expect(namesUser('u3', before, after)).toBe(false);
  });
});
