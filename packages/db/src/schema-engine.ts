// Prisma's schema engine compiled to WebAssembly: migrations and diffs without the native binary.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';
import { migrationAdapter } from './migration-adapter.ts';
import { schemaPath } from './paths.ts';

type SchemaEngine = bg.SchemaEngine;

export type { MigrationList } from '@prisma/schema-engine-wasm/schema_engine_bg';

export const noFilters: bg.SchemaFilter = { externalTables: [], externalEnums: [] };

let loaded: Promise<void> | undefined;

// The engine reports Rust panics through this global before it throws.
const panics = {
  message: '',
  set_message(message: string) {
    panics.message = `RuntimeError: ${message}`;
  },
};
(globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY = panics;

// @types/node declares the WebAssembly types but not the global object; this is the part used.
const { WebAssembly: wasmApi } = globalThis as unknown as {
  WebAssembly: {
    instantiate(
      bytes: Uint8Array,
      imports: object,
    ): Promise<{ instance: { exports: Record<string, unknown> } }>;
  };
};

// The engine arms 10 s timers it never clears; unref them so they cannot hold the process open.
function unrefTimers(imports: Record<string, unknown>): Record<string, unknown> {
  const patched = { ...imports };
  for (const [name, value] of Object.entries(imports)) {
    if (!name.startsWith('__wbg_setTimeout_') || typeof value !== 'function') continue;
    patched[name] = (...args: unknown[]) => {
      const timer = value(...args) as { unref?: () => void };
      timer?.unref?.();
      return timer;
    };
  }
  return patched;
}

// The wasm module is process-global state, so it is instantiated once.
function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const glue = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(glue), 'schema_engine_bg.wasm'));
    const { instance } = await wasmApi.instantiate(bytes, { './schema_engine_bg.js': unrefTimers(bg) });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return loaded;
}

export interface OpenedEngine {
  engine: SchemaEngine;
  /** Frees the engine and closes its connections (shadow databases included). */
  close(): Promise<void>;
}

/** Opens the engine on `url` with prisma/schema.prisma as its datamodel. */
export async function openSchemaEngine(
  url: string,
  log: (message: string) => void = () => {},
): Promise<OpenedEngine> {
  await loadWasm();
  const schema = await readFile(schemaPath, 'utf8');
  const adapter = migrationAdapter(url);
  let engine: SchemaEngine;
  try {
    engine = await bg.SchemaEngine.new(
      { datamodels: [[schemaPath, schema]] },
      log,
      bindMigrationAwareSqlAdapterFactory(adapter.factory),
    );
  } catch (error) {
    await adapter.disposeAll();
    throw withPanic(error);
  }
  return {
    engine,
    close: async () => {
      engine.free();
      await adapter.disposeAll();
    },
  };
}

/** Engine errors carry a Rust panic message separately; put it into the error. */
export function withPanic(error: unknown): unknown {
  const panic = panics.message;
  panics.message = '';
  if (!panic || !(error instanceof Error)) return error;
  error.message = `${error.message}\n${panic}`;
  return error;
}
