import { router } from '../../trpc.ts';
import { list } from './list.ts';
import { onChange } from './on-change.ts';

export const queueRouter = router({ list, onChange });
