import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const appDist = (name: string) => fileURLToPath(new URL(`../../../${name}/dist`, import.meta.url));

/** The two SPAs as built by Vite: the mechanic dashboard under /mechanic, the booking app at /. */
export function createStaticApps(): { handle: Handler; missing: string[] } {
  const apps = [
    { prefix: '/mechanic', dir: appDist('mechanic') },
    { prefix: '', dir: appDist('customer') },
  ];
  const missing = apps.filter((app) => !existsSync(app.dir)).map((app) => app.dir);
  const served = apps
    .filter((app) => existsSync(app.dir))
    .map((app) => ({ ...app, serve: sirv(app.dir, { single: true, etag: true, gzip: false }) }));

  const handle: Handler = (req, res, next) => {
    const url = req.url ?? '/';
    const app = served.find((a) => a.prefix === '' || url === a.prefix || url.startsWith(`${a.prefix}/`));
    if (!app) return next();
    if (app.prefix && url === app.prefix) {
      res.writeHead(308, { location: `${app.prefix}/` }).end();
      return;
    }
    req.url = url.slice(app.prefix.length) || '/';
    app.serve(req, res, () => {
      req.url = url;
      next();
    });
  };
  return { handle, missing };
}
