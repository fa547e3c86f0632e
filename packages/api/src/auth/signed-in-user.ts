import type { Viewer } from '@dispatch/domain';

/** Who a request or socket acts for, while their auth session lasts. */
export interface SignedInUser {
  id: string;
  email: string;
  displayName: string;
  viewer: Viewer;
  /** sha256 of the cookie token: the auth_sessions row id. */
  authSessionId: string;
  /** When the auth session ends; a socket opened with it is closed then. */
  expiresAt: Date;
}
