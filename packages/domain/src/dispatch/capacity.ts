import { isVirtual, type SessionType } from '../statuses.ts';

/** A mechanic's live (accepted) sessions by kind; open offers are not load. */
export interface MechanicLoad {
  virtual: number;
  inPerson: number;
}

/** Live virtual sessions a mechanic takes at once unless an admin sets otherwise. */
export const DEFAULT_VIRTUAL_CAPACITY = 1;

// capacityAllows() in ../capacity.ts is this rule's yes/no, for the accept statement's mirror.
/** The bounds an admin may set a mechanic's virtual capacity to (0 = takes no virtual sessions). */
export const MIN_VIRTUAL_CAPACITY = 0;
export const MAX_VIRTUAL_CAPACITY = 5;

/** 'capacity' stands for the mechanic's own virtual capacity. */
export type CapacityLimit = number | 'capacity';

/**
 * The capacity rule as data. A mechanic may take a session of a kind only while their current
 * in-person count is below `inPersonBelow` and their virtual count below `virtualBelow`:
 * an in-person visit blocks everything, and needs a mechanic with nothing else live.
 * The accept transaction's SQL is derived from this table (see `capacitySql`).
 */
export const CAPACITY_RULE = {
  virtual: { inPersonBelow: 1, virtualBelow: 'capacity' },
  in_person: { inPersonBelow: 1, virtualBelow: 1 },
} as const satisfies Record<
  'virtual' | 'in_person',
  { inPersonBelow: CapacityLimit; virtualBelow: CapacityLimit }
>;

export const CAPACITY_REFUSAL_CODES = [
  'in_person_in_progress',
  'finish_live_sessions_first',
  'at_capacity',
] as const;
export type CapacityRefusalCode = (typeof CAPACITY_REFUSAL_CODES)[number];

export type CapacityVerdict = { ok: true } | { ok: false; code: CapacityRefusalCode; message: string };

export const CAPACITY_MESSAGES = {
  in_person_in_progress: 'You are on an in-person visit; finish it before taking another request.',
  finish_live_sessions_first:
    'An in-person visit needs your full attention; finish your live sessions first.',
  at_capacity: 'You are at your limit of live sessions; finish one before taking another.',
} as const satisfies Record<CapacityRefusalCode, string>;

function limitOf(limit: CapacityLimit, capacity: number): number {
  return limit === 'capacity' ? capacity : limit;
}

/** Whether a mechanic with this load and virtual capacity may take one more session of this type. */
export function capacityVerdict(
  load: MechanicLoad,
  capacity: number,
  sessionType: SessionType,
): CapacityVerdict {
  const rule = CAPACITY_RULE[isVirtual(sessionType) ? 'virtual' : 'in_person'];
  const refuse = (code: CapacityRefusalCode): CapacityVerdict => ({
    ok: false,
    code,
    message: CAPACITY_MESSAGES[code],
  });
  if (load.inPerson >= limitOf(rule.inPersonBelow, capacity)) return refuse('in_person_in_progress');
  if (load.virtual >= limitOf(rule.virtualBelow, capacity)) {
    return refuse(isVirtual(sessionType) ? 'at_capacity' : 'finish_live_sessions_first');
  }
  return { ok: true };
}

/** The load after taking one more session of this type. */
export function addLoad(load: MechanicLoad, sessionType: SessionType, delta = 1): MechanicLoad {
  return isVirtual(sessionType)
    ? { ...load, virtual: load.virtual + delta }
    : { ...load, inPerson: load.inPerson + delta };
}

/** Whether the load is within the rule: what no interleaving of accepts may ever break. */
export function withinCapacity(load: MechanicLoad, capacity: number): boolean {
  if (load.inPerson > 1 || load.virtual < 0 || load.inPerson < 0) return false;
  if (load.inPerson === 1) return load.virtual === 0;
  return load.virtual <= Math.max(capacity, 0);
}

/**
 * The rule as a SQL boolean for one session type, over the given column expressions, e.g.
 * `capacitySql('video', { inPerson: 'm.active_in_person', virtual: 'm.active_virtual',
 * capacity: 'm.virtual_capacity' })` = `(m.active_in_person < 1 AND m.active_virtual < m.virtual_capacity)`.
 */
export function capacitySql(
  sessionType: SessionType,
  columns: { inPerson: string; virtual: string; capacity: string },
): string {
  const rule = CAPACITY_RULE[isVirtual(sessionType) ? 'virtual' : 'in_person'];
  const sql = (limit: CapacityLimit) => (limit === 'capacity' ? columns.capacity : String(limit));
  return `(${columns.inPerson} < ${sql(rule.inPersonBelow)} AND ${columns.virtual} < ${sql(rule.virtualBelow)})`;
}

/**
 * Whether a mechanic should be offered or alerted about a request of this type: available (not away,
 * not offline) and under capacity. Queue cards stay visible either way, with Accept disabled.
 */
export function mayAlert(
  mechanic: { presence: 'available' | 'away' | 'offline'; load: MechanicLoad; virtualCapacity: number },
  sessionType: SessionType,
): boolean {
  return acceptVerdict({ ...mechanic, availability: mechanic.presence }, sessionType).ok;
}

/** Why an Away (or offline) mechanic's accept is refused, whatever their load. */
export const NOT_AVAILABLE_REFUSAL = {
  code: 'not_available',
  message: 'You are set to away. Go available to accept requests.',
} as const;

export type AcceptVerdict =
  | CapacityVerdict
  | { ok: false; code: typeof NOT_AVAILABLE_REFUSAL.code; message: string };

/**
 * Whether this mechanic's accept of a session of `sessionType` can pass now, and why not: their
 * availability first, then the capacity rule. The accept statement decides the same under a lock
 * on the mechanic's row; the dashboard shows this verdict on the cards before anyone clicks.
 */
export function acceptVerdict(
  mechanic: { availability: 'available' | 'away' | 'offline'; load: MechanicLoad; virtualCapacity: number },
  sessionType: SessionType,
): AcceptVerdict {
  if (mechanic.availability !== 'available') return { ok: false, ...NOT_AVAILABLE_REFUSAL };
  return capacityVerdict(mechanic.load, mechanic.virtualCapacity, sessionType);
}
