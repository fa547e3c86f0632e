import {
  CLIENT_RECEIPT_CHANNELS,
  isEligible,
  MAX_RECEIPT_AGE_MS,
  MAX_RECEIPTS_PER_REPORT,
} from '@dispatch/domain';
import { z } from 'zod';
import { mechanicProcedure } from '../../trpc.ts';

const receiptItem = z.strictObject({
  sessionId: z.uuid('Unknown session'),
  /** The card version shown or alerted about, when the page knows it. */
  version: z.number().int().min(0).max(1_000_000).nullish(),
  channel: z.enum(CLIENT_RECEIPT_CHANNELS),
  /** How long ago it happened, by the browser's own clock: no clock skew reaches the receipt. */
  ageMs: z.number().int().min(0).max(MAX_RECEIPT_AGE_MS),
});

const reportInput = z.strictObject({
  items: z.array(receiptItem).min(1).max(MAX_RECEIPTS_PER_REPORT),
});

/**
 * What a dashboard (or its service worker) did with the requests it received: on screen, announced
 * in the page, a desktop notification, a beep, a push shown or clicked. Batched by the page about
 * once a second; recorded off the request path like every receipt. Receipts for requests this
 * mechanic could never see (another workshop, an in-person visit for a virtual-only mechanic) or
 * that do not exist are ignored.
 */
export const report = mechanicProcedure.input(reportInput).mutation(async ({ ctx, input }) => {
  const viewer = ctx.user.viewer;
  if (viewer.role !== 'mechanic') return { recorded: 0 };
  const ids = [...new Set(input.items.map((item) => item.sessionId))];
  const sessions = await ctx.db.helpSession.findMany({
    where: { id: { in: ids } },
    select: { id: true, type: true, workshopId: true },
  });
  const eligible = new Set(
    sessions
      .filter((s) => isEligible(viewer, { sessionType: s.type, workshopId: s.workshopId }))
      .map((s) => s.id),
  );
  const now = ctx.now().getTime();
  let recorded = 0;
  for (const item of input.items) {
    if (!eligible.has(item.sessionId)) continue;
    ctx.receipts?.record({
      sessionId: item.sessionId,
      mechanicId: viewer.userId,
      channel: item.channel,
      position: null,
      version: item.version ?? null,
      process: null,
      at: new Date(now - item.ageMs),
    });
    recorded += 1;
  }
  return { recorded };
});
