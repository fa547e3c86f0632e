// pnpm explain <session id> [<mechanic email>]: "who could see this request?" in the terminal, from
// the same read model and domain rule as the admin board (admin.whoCouldSee), with what each
// mechanic's connections received and did. Connects like `pnpm db:audit` (DATABASE_URL, or the
// embedded database). Exit status: 0 answered, 1 no such session or mechanic, 2 usage or failure.
import { whoCouldSee } from '@dispatch/api';
import { createDb, formatTable, resolveDatabase } from '@dispatch/db';
import { describeSight, SESSION_TYPE_LABELS } from '@dispatch/domain';
import { z } from 'zod';
import { loadEnv } from '../src/env.ts';

const USAGE = 'Usage: pnpm explain <session id> [<mechanic email>]';
const args = process.argv.slice(2).filter((arg) => arg !== '--');
const [sessionId, email, ...extra] = args;
if (!sessionId || extra.length > 0 || !z.uuid().safeParse(sessionId).success) {
  console.error(sessionId && extra.length === 0 ? `Not a session id: ${sessionId}. ${USAGE}` : USAGE);
  process.exit(2);
}

/** 2026-12-01 14:02:01.234 in this terminal's time zone. */
function localTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

const env = loadEnv();
const database = await resolveDatabase(env);
const db = createDb(database.url);
let exitCode = 0;
try {
  const answer = await whoCouldSee(db, sessionId, env.DISPATCH_MODE, new Date(), email);
  if (!answer) {
    console.error(`No session ${sessionId}.`);
    exitCode = 1;
  } else if (email && answer.verdicts.length === 0) {
    console.error(`No mechanic with the email ${email}.`);
    exitCode = 1;
  } else {
    const { card, verdicts } = answer;
    console.log(
      `Session ${card.sessionId}: ${SESSION_TYPE_LABELS[card.sessionType]}${card.urgent ? ' (urgent)' : ''}` +
        `${card.workshop ? ` at ${card.workshop.name}` : ''}, ${card.status}, ${env.DISPATCH_MODE} dispatch.`,
    );
    console.log(
      `${verdicts.filter((v) => v.visible).length} of ${verdicts.length} mechanics may see it; ` +
        `${verdicts.filter((v) => v.alertable).length} would be alerted now.`,
    );
    const rows = verdicts.map((v) => [
      v.displayName,
      v.email,
      v.visible ? 'yes' : 'no',
      String(v.connections),
      v.code,
      describeSight(v, localTime, card.sessionType),
    ]);
    console.log(formatTable([['mechanic', 'email', 'may see', 'connections', 'verdict', 'why'], ...rows]));
    if (email) {
      for (const v of verdicts) {
        console.log(v.receipts.length === 0 ? 'No receipts for this mechanic.' : 'Receipts, oldest first:');
        for (const r of v.receipts)
          console.log(`  ${localTime(r.at)}  ${r.channel}${r.process ? ` on ${r.process}` : ''}`);
      }
    }
  }
} catch (error) {
  console.error('Explain failed:', error instanceof Error ? error.message : error);
  exitCode = 2;
} finally {
  await db.$disconnect();
  await database.stop();
}
process.exit(exitCode);
