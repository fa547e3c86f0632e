// pnpm db:audit [--json] [--fix]: integrity checks over sessions, assignments and events.
// Exit status: 0 clean, 1 findings remain, 2 the audit itself failed.
import { audit, type Finding, fixFindings } from '@dispatch/api';
import { createDb, formatTable, resolveDatabase } from '@dispatch/db';
import { loadEnv } from '../src/env.ts';

const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((arg) => arg !== '--json' && arg !== '--fix');
if (unknown.length > 0) {
  console.error(`Unknown option ${unknown.join(', ')}. Usage: pnpm db:audit [--json] [--fix]`);
  process.exit(2);
}

function table(findings: readonly Finding[]): string {
  const rows = findings.map((f) => [
    f.kind,
    f.sessionId ?? '-',
    f.assignmentId ?? '-',
    f.fixable ? 'yes' : 'no',
    f.detail,
  ]);
  return formatTable([['finding', 'session', 'assignment', 'fixable', 'detail'], ...rows]);
}

const env = loadEnv();
const database = await resolveDatabase(env);
const db = createDb(database.url);
const options = { retentionDays: env.RECEIPT_RETENTION_DAYS };
let exitCode = 0;
try {
  let findings = await audit(db, options);
  let fixed = 0;
  if (args.has('--fix')) {
    fixed = await fixFindings(db, findings, new Date(), options);
    findings = await audit(db, options);
  }
  if (args.has('--json')) {
    console.log(JSON.stringify({ fixed, findings }, null, 2));
  } else {
    if (fixed > 0)
      console.log(`Fixed ${fixed} finding(s); each state fix wrote an audit_fix or expire event.`);
    console.log(findings.length === 0 ? 'No inconsistencies found.' : table(findings));
  }
  exitCode = findings.length === 0 ? 0 : 1;
} catch (error) {
  console.error('Audit failed:', error instanceof Error ? error.message : error);
  exitCode = 2;
} finally {
  await db.$disconnect();
  await database.stop();
}
process.exit(exitCode);
