import type { Actor } from '@dispatch/domain';
import type { SignedInUser } from './signed-in-user.ts';

export function actorOf(user: SignedInUser): Actor {
  return { kind: user.viewer.role, userId: user.id };
}
