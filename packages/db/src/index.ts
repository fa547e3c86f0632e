// Public API of @dispatch/db.
export { type CreateDbOptions, createDb, type Db, type DbTransaction } from './client.ts';
export { type DatabaseSettings, type ResolvedDatabase, resolveDatabase } from './database.ts';
export {
  DEFAULT_EMBEDDED_PG_PORT,
  DEFAULT_PGDATA_DIR,
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
  startEmbeddedPostgres,
} from './embedded.ts';
export type {
  AssignmentEvent,
  AuthSession,
  HelpSession,
  Mechanic,
  SessionAssignment,
  User,
  Waiver,
  Workshop,
} from './generated/prisma/client.ts';
export { Prisma } from './generated/prisma/client.ts';
export {
  AssignmentStatus,
  Availability,
  MechanicKind,
  Plan,
  SessionOutcome,
  SessionStatus,
  SessionType,
  UserRole,
} from './generated/prisma/enums.ts';
export { type MigrateResult, migrate } from './migrate.ts';
export { hashPassword, verifyPassword } from './password.ts';
export { type PreparedStatement, preparedStatement, queryPrepared } from './prepared.ts';
export {
  DEMO_PASSWORD,
  type DemoLogin,
  demoLoginsTable,
  type SeedResult,
  seed,
} from './seed.ts';
export { formatTable } from './text-table.ts';
