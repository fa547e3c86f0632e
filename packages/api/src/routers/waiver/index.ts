import { router } from '../../trpc.ts';
import { current } from './current.ts';
import { sign } from './sign.ts';

export const waiverRouter = router({ current, sign });
