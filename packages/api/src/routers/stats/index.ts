import { router } from '../../trpc.ts';
import { mine } from './mine.ts';
import { publicStats } from './public.ts';
import { waiting } from './waiting.ts';

export const statsRouter = router({ public: publicStats, mine, waiting });
