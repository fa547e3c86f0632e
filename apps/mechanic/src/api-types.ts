import type { AssignmentCard, QueueEvent, RouterOutputs } from '@dispatch/api/client-types';

/** The server's shapes, as types only: the dashboard never imports server code. */
export type { AssignmentCard, QueueEvent };
export type Me = NonNullable<RouterOutputs['auth']['me']>;
export type QueueList = RouterOutputs['queue']['list'];
export type AdminMechanic = RouterOutputs['admin']['mechanics'][number];
export type WhoCouldSeeAnswer = RouterOutputs['admin']['whoCouldSee'];
