// `pnpm generate`: runs `prisma generate` offline into src/generated (git-ignored).
// Prisma's CLI first tries to download the native schema engine, which generate never uses;
// PRISMA_SCHEMA_ENGINE_BINARY pointing at any existing file stops that.
// `--if-stale` skips the run when the schema and the prisma version are unchanged.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { childEnv } from '../src/env.ts';
import { schemaPath } from '../src/paths.ts';

const require = createRequire(import.meta.url);
const prismaCli = require.resolve('prisma/build/index.js');
const prismaVersion = (require('prisma/package.json') as { version: string }).version;
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const stampPath = fileURLToPath(new URL('../src/generated/.stamp', import.meta.url));
const clientPath = fileURLToPath(new URL('../src/generated/prisma/client.ts', import.meta.url));

const stamp = createHash('sha256')
  .update(prismaVersion)
  .update(readFileSync(schemaPath))
  .update(readFileSync(fileURLToPath(import.meta.url)))
  .digest('hex');

const upToDate = existsSync(clientPath) && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stamp;
if (!(process.argv.includes('--if-stale') && upToDate)) {
  const result = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', schemaPath], {
    cwd: packageDir,
    stdio: 'inherit',
    env: childEnv({
      PRISMA_SCHEMA_ENGINE_BINARY: require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'),
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    }),
  });
  if (result.status !== 0) {
    console.error(`prisma generate failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
  writeFileSync(stampPath, stamp);
}
