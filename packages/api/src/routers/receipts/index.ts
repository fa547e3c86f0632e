import { router } from '../../trpc.ts';
import { report } from './report.ts';

export const receiptsRouter = router({ report });
