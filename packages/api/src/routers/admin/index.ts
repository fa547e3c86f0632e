import { router } from '../../trpc.ts';
import { trail } from './trail.ts';

export const adminRouter = router({ trail });
