import type { SessionType } from './statuses.ts';

/** How each session type is named to people, in both apps. */
export const SESSION_TYPE_LABELS: Record<SessionType, string> = {
  video: 'Video call',
  chat: 'Chat',
  diagnostic: 'Diagnostic',
  in_person: 'In person',
};
