// The Prisma enums and the domain's status lists must be the same sets: checked by tsc
// (expectTypeOf, in `pnpm typecheck`) and at run time.
import * as domain from '@dispatch/domain';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  AssignmentStatus,
  Availability,
  MechanicKind,
  Plan,
  SessionOutcome,
  SessionStatus,
  SessionType,
  UserRole,
} from '../src/index.ts';

const sorted = (values: Iterable<string>) => [...values].sort();

describe('Prisma enums match the domain', () => {
  it('AssignmentStatus', () => {
    expectTypeOf<AssignmentStatus>().toEqualTypeOf<domain.AssignmentStatus>();
    expect(sorted(Object.values(AssignmentStatus))).toEqual(sorted(domain.ASSIGNMENT_STATUSES));
  });

  it('SessionStatus', () => {
    expectTypeOf<SessionStatus>().toEqualTypeOf<domain.SessionStatus>();
    expect(sorted(Object.values(SessionStatus))).toEqual(sorted(domain.SESSION_STATUSES));
  });

  it('SessionType', () => {
    expectTypeOf<SessionType>().toEqualTypeOf<domain.SessionType>();
    expect(sorted(Object.values(SessionType))).toEqual(sorted(domain.SESSION_TYPES));
  });

  it('SessionOutcome', () => {
    expectTypeOf<SessionOutcome>().toEqualTypeOf<domain.SessionOutcome>();
    expect(sorted(Object.values(SessionOutcome))).toEqual(sorted(domain.SESSION_OUTCOMES));
  });

  it('Plan', () => {
    expectTypeOf<Plan>().toEqualTypeOf<domain.Plan>();
    expect(sorted(Object.values(Plan))).toEqual(sorted(domain.PLANS));
  });

  it('UserRole, MechanicKind, Availability', () => {
    expectTypeOf<UserRole>().toEqualTypeOf<domain.UserRole>();
    expectTypeOf<MechanicKind>().toEqualTypeOf<domain.MechanicKind>();
    expectTypeOf<Availability>().toEqualTypeOf<domain.Availability>();
    expect(sorted(Object.values(UserRole))).toEqual(sorted(domain.USER_ROLES));
    expect(sorted(Object.values(MechanicKind))).toEqual(sorted(domain.MECHANIC_KINDS));
    expect(sorted(Object.values(Availability))).toEqual(sorted(domain.AVAILABILITIES));
  });
});
