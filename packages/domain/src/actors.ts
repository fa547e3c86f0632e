/** Who or what caused a transition; recorded on every event. */
export type Actor =
  | { kind: 'customer'; userId: string }
  | { kind: 'mechanic'; userId: string }
  | { kind: 'admin'; userId: string }
  | { kind: 'dispatcher' }
  | { kind: 'timer' }
  | { kind: 'system' };

export type ActorKind = Actor['kind'];

export const ACTOR_KINDS = [
  'customer',
  'mechanic',
  'admin',
  'dispatcher',
  'timer',
  'system',
] as const satisfies readonly ActorKind[];

export function actorId(actor: Actor): string | null {
  return 'userId' in actor ? actor.userId : null;
}
