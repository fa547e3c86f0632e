// The IPC handlers every benchmark child answers the same way: a forced GC and a CPU-time window.

let cpuMark = process.cpuUsage();
let wallMark = performance.now();

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
};
