import { createHash } from 'node:crypto';
import { CURRENT_WAIVER } from '@dispatch/domain';

/** The current waiver with the SHA-256 of its exact text, stored with every signature. */
export const currentWaiver = {
  ...CURRENT_WAIVER,
  sha256: createHash('sha256').update(CURRENT_WAIVER.text, 'utf8').digest('hex'),
};
