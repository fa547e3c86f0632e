// The IPC handlers every benchmark child answers the same way: a forced GC, a CPU-time window and
// a CPU profile of a window (node:inspector), for probes that profile one phase only.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

let cpuMark = process.cpuUsage();
let wallMark = performance.now();
let profiler: Session | null = null;

export const processHandlers = {
  /** Runs a full GC three times (needs --expose-gc); false when GC is not exposed. */
  gc: async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let i = 0; i < 3; i++) {
      gc?.();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return Boolean(gc);
  },
  /** Starts a CPU-time window. */
  cpuMark: () => {
    cpuMark = process.cpuUsage();
    wallMark = performance.now();
    return true;
  },
  /** CPU used since cpuMark; `cores` is that as a fraction of one core. */
  cpuSince: () => {
    const used = process.cpuUsage(cpuMark);
    const wall = performance.now() - wallMark;
    return {
      userMs: used.user / 1000,
      systemMs: used.system / 1000,
      wallMs: wall,
      cores: (used.user + used.system) / 1000 / wall,
    };
  },
  /** Starts a CPU profile of this process (stopped and written by profileStop). */
  profileStart: async () => {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
    await profiler.post('Profiler.start');
    return true;
  },
  /** Writes the profile since profileStart to `file` (a .cpuprofile for profile-summary.ts). */
  profileStop: async (args: { file: string }) => {
    if (!profiler) return false;
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    profiler = null;
    await writeFile(args.file, JSON.stringify(profile));
    return true;
  },
};
