import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_EMBEDDED_PG_PORT, DEFAULT_PGDATA_DIR } from '@dispatch/db';
import {
  DEFAULT_RECEIPT_RETENTION_DAYS,
  DISPATCH_MODES,
  iceServerSchema,
  STRANDED_AFTER_MS,
} from '@dispatch/domain';
import { z } from 'zod';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A comma-separated list, each item checked by `item`. */
const list = (item: z.ZodType<string, string>) =>
  z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

/**
 * ICE_SERVERS: a JSON array of RTCIceServer objects (`[{"urls":"stun:stun.example.org:3478"},
 * {"urls":["turn:turn.example.org:3478?transport=udp"],"username":"u","credential":"p"}]`).
 * Unset: none, which is all two browsers on one machine or one LAN need. Nothing public is assumed.
 */
const iceServers = z
  .string()
  .default('[]')
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'ICE_SERVERS must be a JSON array of ICE servers' });
      return z.NEVER;
    }
  })
  .pipe(z.array(iceServerSchema, 'ICE_SERVERS must be a JSON array of ICE servers').max(10));

/** Every setting of the server process, validated once at start-up. Documented in the README. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Unset: start (or attach to) the embedded PostgreSQL in PGDATA_DIR on EMBEDDED_PG_PORT. */
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  PGDATA_DIR: z.string().min(1).default(DEFAULT_PGDATA_DIR),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(DEFAULT_EMBEDDED_PG_PORT),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** pino JSON log file; `-` writes the JSON log to stdout instead (containers). */
  LOG_FILE: z
    .string()
    .min(1)
    .default(path.join(repoRoot, '.data', 'logs', 'server.log')),
  DISPATCH_MODE: z.enum(DISPATCH_MODES).default('broadcast'),
  OFFER_TIMEOUT_SECONDS: seconds(30),
  /** Consecutive unanswered targeted offers before a mechanic is set Away (0 turns it off). */
  MISSED_OFFER_LIMIT: z.coerce.number().int().min(0).max(20).default(2),
  QUEUE_TIMEOUT_SECONDS: seconds(15 * 60),
  /** An accepted session whose mechanic has had no connection this long goes back to the queue. */
  STRANDED_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 60 * 60)
    .default(STRANDED_AFTER_MS / 1000),
  RATE_LIMIT_LOGIN_PER_MINUTE: z.coerce.number().int().positive().default(10),
  RATE_LIMIT_SIGNUP_PER_10_MINUTES: z.coerce.number().int().positive().default(20),
  RATE_LIMIT_BOOKINGS_PER_MINUTE: z.coerce.number().int().positive().default(20),
  /** Chat messages and photos one person may send per minute, across all their rooms. */
  RATE_LIMIT_ROOM_MESSAGES_PER_MINUTE: z.coerce.number().int().positive().default(30),
  /** Video-call signals (offers, answers, ICE candidates) per user per minute. */
  RATE_LIMIT_CALL_SIGNALS_PER_MINUTE: z.coerce.number().int().positive().default(300),
  ICE_SERVERS: iceServers,
  /** Names this process in metrics and logs; defaults to the host name and pid. */
  PROCESS_NAME: z.string().min(1).max(100).optional(),
  /** Server processes on the one port (node:cluster); `auto` = one per core. */
  SERVER_PROCESSES: z
    .union([z.literal('auto'), z.coerce.number().int().min(1).max(64)])
    .default(1)
    .transform((value) => (value === 'auto' ? availableParallelism() : value)),
  READY_MAX_LAG_SECONDS: z.coerce.number().positive().default(10),
  /** Days delivery receipts ("who could see this?") are kept; 0 records none. */
  RECEIPT_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(DEFAULT_RECEIPT_RETENTION_DAYS),
  /** The VAPID subject push services may contact about this sender (mailto: or https:). */
  PUSH_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:\/\/)/, 'PUSH_SUBJECT must start with mailto: or https://')
    .optional(),
  /** Serve /metrics on this separate port (bound to METRICS_HOST) instead of the main one. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** When set, /metrics on the main port answers only `Authorization: Bearer <token>`. */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN needs at least 16 characters').optional(),
  /** Peers (IP addresses, comma-separated) whose X-Request-Id and X-Forwarded-Proto are believed. */
  TRUSTED_PROXIES: list(z.union([z.ipv4(), z.ipv6()], 'TRUSTED_PROXIES must be IP addresses')),
  /** Connections to the database; calls doing database work at once are limited to this too. */
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Calls allowed to wait for a database slot, and for how long, before SERVICE_UNAVAILABLE. */
  ADMISSION_QUEUE: z.coerce.number().int().min(0).default(200),
  ADMISSION_MAX_WAIT_MS: z.coerce.number().int().positive().default(2000),
  /** Bounds on the app's own database sessions (see RELIABILITY.md, "A stalled writer"). */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  DB_LOCK_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** A subscription pauses while its socket holds more than this; one that does not drain in time is closed (4008). */
  SLOW_CONSUMER_HIGH_WATER_BYTES: z.coerce.number().int().min(16_384).default(1_048_576),
  SLOW_CONSUMER_STALL_MS: z.coerce.number().int().positive().default(10_000),
  SEED_DEMO_DATA: z.stringbool().default(true),
  SERVE_APPS: z.stringbool().default(true),
  /** Extra origins (comma-separated) allowed to send cookie-authenticated requests, e.g. Vite dev servers. */
  ALLOWED_ORIGINS: list(z.url('ALLOWED_ORIGINS must be a comma-separated list of URLs')),
});
export type Env = z.output<typeof envSchema>;

/** Parses the environment or throws one single-line error naming every bad variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  // An empty value means unset, so `DATABASE_URL= pnpm start` uses the embedded database.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(
    `invalid configuration: ${problems.join('; ')}. Fix: correct or unset ${
      problems.length > 1 ? 'these variables' : 'that variable'
    } (README, "Configuration")`,
  );
}
