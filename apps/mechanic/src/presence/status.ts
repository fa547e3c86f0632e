import type { ConnectionStatus } from '@dispatch/web';
import { clockTime } from '@dispatch/web';

/** What the server knows of a mechanic: their own choice and what heartbeats say. */
export interface MechanicPresence {
  /** The stored choice; `offline` means "never chose" (new accounts start there). */
  availability: 'available' | 'away' | 'offline';
  /** As the server sees it: the choice, unless no heartbeat arrived within the presence timeout. */
  presence: 'available' | 'away' | 'offline';
  /** Why the mechanic was set to away by the system (missed offers), if they were. */
  awayReason?: string | null;
  /** When the system set them away (ISO text over the wire). */
  awaySetAt?: string | Date | null;
}

/** "Set to away after 2 missed offers at 14:02", in the mechanic's own time. */
export function awayText(mechanic: MechanicPresence): string | null {
  if (!mechanic.awayReason) return null;
  const at = mechanic.awaySetAt ? new Date(mechanic.awaySetAt) : null;
  const time = at ? ` at ${clockTime(at)}` : '';
  return `${mechanic.awayReason}${time}. Choose Available when you are back.`;
}

/**
 * One status for the header, derived from connection, choice and presence together, so the screen
 * never says "Live" beside "Seen as offline". Only `available` lets alerts through and Accept work.
 */
export type DashboardStatus =
  | { kind: 'available'; label: 'Available'; detail: string }
  | { kind: 'away'; label: 'Away'; detail: string }
  | { kind: 'connecting'; label: 'Connecting…'; detail: string }
  | { kind: 'offline'; label: 'Offline'; detail: string };

/** The radio the switch shows as chosen: never neither (a mechanic who never chose is away). */
export function chosenAvailability(mechanic: Pick<MechanicPresence, 'availability'>): 'available' | 'away' {
  return mechanic.availability === 'available' ? 'available' : 'away';
}

export function dashboardStatus(connection: ConnectionStatus, mechanic: MechanicPresence): DashboardStatus {
  if (connection === 'offline' || connection === 'reconnecting') {
    return {
      kind: 'offline',
      label: 'Offline',
      detail:
        connection === 'offline'
          ? 'This device is offline: no requests reach you until it is back.'
          : 'Connection lost, reconnecting: no requests reach you meanwhile.',
    };
  }
  if (chosenAvailability(mechanic) === 'away') {
    return {
      kind: 'away',
      label: 'Away',
      detail:
        awayText(mechanic) ??
        (mechanic.availability === 'offline'
          ? 'You have not chosen Available yet: no requests or alerts come to you.'
          : 'You are away: no requests or alerts come to you.'),
    };
  }
  // Chosen available and connected; until the server has seen this dashboard's heartbeat it is not
  // yet offering anything, so say so instead of claiming "Available".
  if (connection === 'connecting' || mechanic.presence !== 'available') {
    return {
      kind: 'connecting',
      label: 'Connecting…',
      detail: 'Connecting: requests reach you in a moment.',
    };
  }
  return { kind: 'available', label: 'Available', detail: 'Available: new requests alert you here.' };
}

/** Why a request cannot be taken now, shown on the greyed card (null: it can). */
export function blockedReason(status: DashboardStatus): string | null {
  switch (status.kind) {
    case 'available':
      return null;
    case 'away':
      return 'You are away';
    case 'connecting':
      return 'Connecting…';
    case 'offline':
      return 'You are offline';
  }
}
