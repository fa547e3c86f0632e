import { callMemberProcedure } from './member.ts';

/**
 * What a member's browser needs to open the call: the STUN/TURN servers from configuration
 * (ICE_SERVERS; none by default, enough on one machine or LAN). Members only, since TURN
 * credentials are secrets worth keeping from strangers.
 */
export const config = callMemberProcedure.query(({ ctx }) => ({
  iceServers: (ctx.config.iceServers ?? []).map((server) => ({ ...server })),
}));
