// Writes a new migration: the SQL between what the existing migrations build and schema.prisma.
// The engine replays prisma/migrations into a temporary shadow database on the given server
// (created and dropped here), describes it, and diffs that against the datamodel, just like
// `prisma migrate dev --create-only`.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readMigrations } from './migrations-dir.ts';
import { migrationsDir, schemaPath } from './paths.ts';
import { noFilters, openSchemaEngine, withPanic } from './schema-engine.ts';

export interface CreateMigrationOptions {
  dir?: string;
  now?: Date;
}

/** The migration SQL, or null when the schema matches the migrations. */
export async function diffMigrationsToSchema(
  url: string,
  dir: string = migrationsDir,
): Promise<string | null> {
  const migrationsList = await readMigrations(dir);
  const { engine, close } = await openSchemaEngine(url);
  try {
    const result = await engine.diff({
      from: { tag: 'migrations', ...migrationsList },
      to: {
        tag: 'schemaDatamodel',
        files: [{ path: schemaPath, content: await readFile(schemaPath, 'utf8') }],
      },
      script: true,
      exitCode: true, // 2 when there is a difference
      filters: noFilters,
    });
    return result.exitCode === 2 ? (result.stdout ?? '') : null;
  } catch (error) {
    throw withPanic(error);
  } finally {
    await close();
  }
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

// Folder names sort by time; a new one never sorts before an existing one.
function nextPrefix(existing: string[], now: Date): string {
  const latest = existing
    .map((folder) => folder.slice(0, 14))
    .sort()
    .at(-1);
  const candidate = timestamp(now);
  if (!latest || candidate > latest) return candidate;
  const latestTime = Date.parse(
    latest.replace(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  return Number.isNaN(latestTime) ? candidate : timestamp(new Date(latestTime + 1000));
}

/** Returns the new folder's path, or null when nothing changed. */
export async function createMigration(
  url: string,
  name: string,
  { dir = migrationsDir, now = new Date() }: CreateMigrationOptions = {},
): Promise<string | null> {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!slug) throw new Error('Give the migration a name, e.g. `pnpm db:migration:new add_vehicle_vin`');
  const sql = await diffMigrationsToSchema(url, dir);
  if (sql === null) return null;
  const existing = (await readMigrations(dir)).migrationDirectories.map((migration) => migration.path);
  const folder = path.join(dir, `${nextPrefix(existing, now)}_${slug}`);
  await mkdir(folder);
  await writeFile(path.join(folder, 'migration.sql'), sql.endsWith('\n') ? sql : `${sql}\n`);
  return folder;
}
