// Environment of this package's own scripts (db:migrate, db:seed, db:migration:new, generate) and
// test helpers. Library code never reads it: the server validates its own environment
// (apps/server/src/env.ts) and passes the settings to resolveDatabase().
import { z } from 'zod';
import { DEFAULT_EMBEDDED_PG_PORT, DEFAULT_PGDATA_DIR } from './embedded.ts';

const schema = z.object({
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  PGDATA_DIR: z.string().min(1).default(DEFAULT_PGDATA_DIR),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(DEFAULT_EMBEDDED_PG_PORT),
});

export type Env = z.infer<typeof schema>;

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Treat empty strings as unset so `DATABASE_URL= pnpm …` behaves like no variable.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment variables:\n${problems.join('\n')}`);
  }
  return result.data;
}

export const env: Env = parseEnv(process.env);

/** Environment for a child process: ours plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}
