import { router } from '../../trpc.ts';
import { mine } from './mine.ts';
import { publicStats } from './public.ts';

export const statsRouter = router({ public: publicStats, mine });
