import { roomProcedure } from './room-procedure.ts';

/** The room's header: who is in it, whether it can be written to, both sides' marks, my unread count. */
export const get = roomProcedure.query(({ ctx }) => ctx.room.state);
