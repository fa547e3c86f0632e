import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { adminRouter } from './routers/admin/index.ts';
import { assignmentRouter } from './routers/assignment/index.ts';
import { authRouter } from './routers/auth/index.ts';
import { callRouter } from './routers/call/index.ts';
import { mechanicRouter } from './routers/mechanic/index.ts';
import { pushRouter } from './routers/push/index.ts';
import { queueRouter } from './routers/queue/index.ts';
import { receiptsRouter } from './routers/receipts/index.ts';
import { roomRouter } from './routers/room/index.ts';
import { sessionRouter } from './routers/session/index.ts';
import { statsRouter } from './routers/stats/index.ts';
import { waiverRouter } from './routers/waiver/index.ts';
import { workshopRouter } from './routers/workshop/index.ts';
import { router } from './trpc.ts';

export const appRouter = router({
  auth: authRouter,
  session: sessionRouter,
  waiver: waiverRouter,
  queue: queueRouter,
  assignment: assignmentRouter,
  mechanic: mechanicRouter,
  admin: adminRouter,
  workshop: workshopRouter,
  stats: statsRouter,
  push: pushRouter,
  receipts: receiptsRouter,
  room: roomRouter,
  // `call` is a word tRPC reserves (Function.prototype.call).
  videoCall: callRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
