import { describe, expect, it } from 'vitest';
import { callPeerOf, callSignalSchema, iceServerSchema, isCallMember, MAX_SDP_CHARS } from '../src/call.ts';
import { ASSIGNMENT_STATUSES, SESSION_TYPES } from '../src/statuses.ts';
import { canView, type Viewer, type VisibilityFacts } from '../src/visibility.ts';
import { ADMIN, CUSTOMER, MECHANIC, OTHER_CUSTOMER, OTHER_MECHANIC } from './fixtures.ts';

const VIEWERS: Record<string, Viewer> = {
  customer: { role: 'customer', userId: CUSTOMER },
  otherCustomer: { role: 'customer', userId: OTHER_CUSTOMER },
  mechanic: { role: 'mechanic', userId: MECHANIC, kind: 'virtual_only', workshopId: null },
  otherMechanic: { role: 'mechanic', userId: OTHER_MECHANIC, kind: 'workshop', workshopId: null },
  admin: { role: 'admin', userId: ADMIN },
};

const facts = (
  status: VisibilityFacts['status'],
  sessionType: VisibilityFacts['sessionType'],
): VisibilityFacts => ({
  status,
  customerId: CUSTOMER,
  mechanicId: status === 'queued' || status === 'pending_waiver' ? null : MECHANIC,
  sessionType,
  workshopId: null,
});

describe('call membership', () => {
  const cases = ASSIGNMENT_STATUSES.flatMap((status) =>
    SESSION_TYPES.flatMap((type) => Object.keys(VIEWERS).map((viewer) => ({ status, type, viewer }))),
  );
  it(`${cases.length} cases: only the customer and the assigned mechanic of an accepted video session, each the other's peer`, () => {
    for (const { status, type, viewer } of cases) {
      const a = facts(status, type);
      const v = VIEWERS[viewer] as Viewer;
      const expected =
        status === 'accepted' && type === 'video' && (viewer === 'customer' || viewer === 'mechanic');
      expect(isCallMember(v, a), `${viewer} ${status} ${type}`).toBe(expected);
      // Membership never reaches past what the viewer may see.
      if (expected) expect(canView(v, a)).toBe(true);
      expect(callPeerOf(v, a)).toBe(expected ? (viewer === 'customer' ? MECHANIC : CUSTOMER) : null);
    }
  });
});

describe('call signal shapes', () => {
  it('takes real-looking offers and candidates and refuses what is not one', () => {
    const offer = {
      kind: 'description',
      payload: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' },
    };
    expect(callSignalSchema.safeParse(offer).success).toBe(true);
    const sdp = `v=0\r\n${'a'.repeat(MAX_SDP_CHARS)}`;
    expect(callSignalSchema.safeParse({ kind: 'description', payload: { type: 'offer', sdp } }).success).toBe(
      false,
    );
    const candidate = {
      kind: 'candidate',
      payload: { candidate: '', sdpMid: null, sdpMLineIndex: null, usernameFragment: null },
    };
    expect(callSignalSchema.safeParse(candidate).success).toBe(true);
    expect(callSignalSchema.safeParse({ kind: 'join', payload: {} }).success).toBe(false);
    expect(callSignalSchema.safeParse({ kind: 'leave', payload: { reason: 'dropped' } }).success).toBe(false);
  });

  it('ICE servers are stun:/turn: URLs only', () => {
    expect(iceServerSchema.safeParse({ urls: ['stun:a.example:3478', 'turns:b.example:5349'] }).success).toBe(
      true,
    );
    expect(iceServerSchema.safeParse({ urls: 'https://a.example' }).success).toBe(false);
    expect(iceServerSchema.safeParse({ urls: [] }).success).toBe(false);
  });
});
