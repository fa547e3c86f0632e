import { z } from 'zod';

export const assignmentIdInput = z.object({ assignmentId: z.uuid('Unknown request') });
