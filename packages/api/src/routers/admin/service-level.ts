import { serviceLevelReport } from '../../queries/service-level.ts';
import { adminProcedure } from '../../trpc.ts';

/**
 * The admin board's service level over the last hour: share of requests accepted within 30, 60 and
 * 120 s, the longest current wait, and each mechanic's offers, outcomes and acceptance rate.
 */
export const serviceLevel = adminProcedure.query(({ ctx }) => serviceLevelReport(ctx.db, ctx.now()));
