import { router } from '../../trpc.ts';
import { accept } from './accept.ts';
import { complete } from './complete.ts';
import { decline } from './decline.ts';

export const assignmentRouter = router({ accept, decline, complete });
