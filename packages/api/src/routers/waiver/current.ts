import { currentWaiver } from '../../queries/waiver-text.ts';
import { publicProcedure } from '../../trpc.ts';

export const current = publicProcedure.query(() => currentWaiver);
