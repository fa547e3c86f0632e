import { describe, expect, it } from 'vitest';
import { ASSIGNMENT_STATUSES, roomAccess, sniffPhotoType, type Viewer } from '../src/index.ts';

const customer: Viewer = { role: 'customer', userId: 'c1' };
const otherCustomer: Viewer = { role: 'customer', userId: 'c2' };
const mechanic: Viewer = { role: 'mechanic', userId: 'm1', kind: 'virtual_only', workshopId: null };
const otherMechanic: Viewer = { role: 'mechanic', userId: 'm2', kind: 'virtual_only', workshopId: null };
const admin: Viewer = { role: 'admin', userId: 'a1' };

describe('roomAccess', () => {
  it.each(ASSIGNMENT_STATUSES)(
    '%s: only its customer and mechanic, writable only while accepted',
    (status) => {
      const facts = { status, customerId: 'c1', mechanicId: 'm1' };
      const hasRoom = status === 'accepted' || status === 'completed' || status === 'cancelled';
      const member = !hasRoom ? null : status === 'accepted' ? 'write' : 'read';
      expect(roomAccess(customer, facts)).toBe(member);
      expect(roomAccess(mechanic, facts)).toBe(member);
      expect(roomAccess(admin, facts)).toBe(hasRoom ? 'read' : null);
      expect(roomAccess(otherCustomer, facts)).toBeNull();
      expect(roomAccess(otherMechanic, facts)).toBeNull();
    },
  );

  it('a session without a mechanic has no room, whatever its status', () => {
    for (const status of ASSIGNMENT_STATUSES) {
      expect(roomAccess(customer, { status, customerId: 'c1', mechanicId: null })).toBeNull();
    }
  });
});

describe('sniffPhotoType', () => {
  it('knows JPEG, PNG and WebP by their first bytes, and nothing else', () => {
    expect(sniffPhotoType(new Uint8Array([0xff, 0xd8, 0xff, 0xdb]))).toBe('image/jpeg');
    expect(sniffPhotoType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(
      'image/png',
    );
    const webp = new TextEncoder().encode('RIFF\u0000\u0000\u0000\u0000WEBPVP8 ');
    expect(sniffPhotoType(webp)).toBe('image/webp');
    for (const other of ['GIF89a', '<svg>', 'RIFF0000WAVE', '%PDF-1.7', '']) {
      expect(sniffPhotoType(new TextEncoder().encode(other))).toBeNull();
    }
    expect(sniffPhotoType(new Uint8Array([0x89, 0x50, 0x4e]))).toBeNull();
  });
});
