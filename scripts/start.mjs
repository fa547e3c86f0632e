// `pnpm start`: builds both SPAs with turbo (its output shown only when the build fails), then runs
// the server in the foreground. The server prints the banner, or one line when it cannot start.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const turbo = fileURLToPath(new URL('../node_modules/.bin/turbo', import.meta.url));

process.stdout.write('Building the customer and mechanic apps…\n');
const build = spawnSync(
  turbo,
  ['run', 'build', '--filter=@dispatch/customer', '--filter=@dispatch/mechanic', '--output-logs=errors-only'],
  { cwd: root, encoding: 'utf8' },
);
if (build.status !== 0) {
  process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
  const why = build.error?.message ?? `exit ${build.status}`;
  process.stderr.write(`Cannot start: building the apps failed (${why}). Fix: the build errors above\n`);
  process.exit(1);
}

const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  cwd: fileURLToPath(new URL('../apps/server/', import.meta.url)),
  stdio: 'inherit',
});
// Ctrl+C reaches the server directly (same process group); a signal sent to this process only is
// passed on. The server stops once however many it gets.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
