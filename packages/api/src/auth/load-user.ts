import type { Db } from '@dispatch/db';
import type { Viewer } from '@dispatch/domain';
import type { SignedInUser } from '../context.ts';
import { hashToken } from './cookie.ts';

/** The signed-in user behind a session token, or null if the token is unknown, revoked or expired. */
export async function loadUser(db: Db, token: string | null, now: Date): Promise<SignedInUser | null> {
  if (!token) return null;
  const id = hashToken(token);
  const session = await db.authSession.findUnique({
    where: { id },
    include: { user: { include: { mechanic: true } } },
  });
  if (!session || session.revokedAt || session.expiresAt <= now) return null;
  const { user } = session;
  let viewer: Viewer;
  if (user.role === 'mechanic') {
    if (!user.mechanic) return null;
    viewer = {
      role: 'mechanic',
      userId: user.id,
      kind: user.mechanic.kind,
      workshopId: user.mechanic.workshopId,
    };
  } else {
    viewer = { role: user.role, userId: user.id };
  }
  return { id: user.id, email: user.email, displayName: user.displayName, viewer, authSessionId: id };
}
