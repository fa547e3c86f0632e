import { unreadCounts } from '../../queries/room.ts';
import { signedInProcedure } from '../../trpc.ts';

/** The caller's unread messages per room they are a member of (rooms with none are left out). */
export const unread = signedInProcedure.query(({ ctx }) => unreadCounts(ctx.db, ctx.user.viewer));
