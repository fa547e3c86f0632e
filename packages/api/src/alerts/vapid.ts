import type { Db } from '@dispatch/db';
import webpush from 'web-push';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

const KEY_ID = 'vapid';
/** A push service needs a contact; `mailto:` or `https:`. Apple refuses localhost subjects. */
export const DEFAULT_VAPID_SUBJECT = 'mailto:dispatch@example.com';

const cache = new WeakMap<Db, Promise<VapidKeys>>();

/**
 * The server's VAPID key pair: generated once, at the first start, and kept in the database so
 * every process signs with the same key (a browser's subscription is bound to one public key).
 * Concurrent first starts race on the row's primary key; every process reads the one that won.
 */
export function vapidKeys(db: Db, subject = DEFAULT_VAPID_SUBJECT): Promise<VapidKeys> {
  let keys = cache.get(db);
  if (!keys) {
    keys = load(db, subject);
    keys.catch(() => cache.delete(db));
    cache.set(db, keys);
  }
  return keys;
}

async function load(db: Db, subject: string): Promise<VapidKeys> {
  const existing = await db.pushKey.findUnique({ where: { id: KEY_ID } });
  if (existing)
    return { publicKey: existing.publicKey, privateKey: existing.privateKey, subject: existing.subject };
  const generated = webpush.generateVAPIDKeys();
  await db.pushKey.createMany({
    data: [{ id: KEY_ID, publicKey: generated.publicKey, privateKey: generated.privateKey, subject }],
    skipDuplicates: true,
  });
  const row = await db.pushKey.findUniqueOrThrow({ where: { id: KEY_ID } });
  return { publicKey: row.publicKey, privateKey: row.privateKey, subject: row.subject };
}
