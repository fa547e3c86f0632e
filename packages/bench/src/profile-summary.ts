// Summarises a V8 .cpuprofile (node --cpu-prof): top functions by self time, and by package.
// Usage: tsx src/profile-summary.ts <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export function summariseProfile(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const where = frame.url
      .replace(/^file:\/\//, '')
      .replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '');
    const short = where.replace(/^\/work\/main\//, '');
    const key = `${frame.functionName || '(anonymous)'} ${short ? `${short}:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const pkg = frame.url
      ? (/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1] ??
        (frame.url.startsWith('node:') ? 'node:*' : short.split('/').slice(0, 2).join('/')))
      : frame.functionName;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
  const lines = [`${file}: ${(total / 1e6).toFixed(2)} s sampled`, '', 'self time by package:'];
  for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`${pct(v)}  ${k}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`${pct(v)}  ${k}`);
  // Inclusive time of the project's own functions (packages/*, apps/*): where the time is spent from.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame || !/\/work\/main\/(packages|apps)\/(?!bench)/.test(frame.url)) continue;
      const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^file:\/\/\/work\/main\//, '')}:${frame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  lines.push('', `top ${top} project functions by inclusive time:`);
  for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`${pct(v)}  ${k}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
  console.log(summariseProfile(file, Number(process.argv[3] ?? 25)));
}
