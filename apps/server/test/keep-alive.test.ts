import type { TestDatabase } from '@dispatch/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningServer, startServer } from '../src/server.ts';
import { freshDatabase, logIn, testEnv, waitFor } from './harness.ts';

/**
 * Dead connections are found by tRPC's PING/PONG protocol, run by the server for all sockets from
 * one timer (ws/keep-alive.ts): a client that stays silent is sent "PING"; one that answers stays,
 * one that does not is ended; and a client that keeps talking is never pinged.
 */

const PING_MS = 600;
const PONG_WAIT_MS = 400;
const TICK_MS = 50;

let database: TestDatabase;
let server: RunningServer;
let cookie: string;

beforeAll(async () => {
  database = await freshDatabase();
  server = await startServer({
    env: testEnv(),
    databaseUrl: database.url,
    log: pino({ level: 'silent' }),
    keepAlive: { pingMs: PING_MS, pongWaitMs: PONG_WAIT_MS, tickMs: TICK_MS },
  });
  cookie = (await logIn(server, 'virtual@demo.test')).cookie;
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

/** A raw socket that records when each PING came and when it closed; answers PING if told to. */
async function socket(answer: boolean) {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/trpc`, { headers: { cookie } });
  const opened = Date.now();
  const pings: number[] = [];
  let closedAt: number | null = null;
  ws.on('message', (raw) => {
    if (String(raw) !== 'PING') return;
    pings.push(Date.now() - opened);
    if (answer) ws.send('PONG');
  });
  ws.on('close', () => {
    closedAt = Date.now() - opened;
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, pings, closedAt: () => closedAt };
}

describe('WebSocket keep-alive', () => {
  it('pings a silent client, keeps it while it answers, and ends one that does not', async () => {
    const answering = await socket(true);
    const silent = await socket(false);
    await waitFor(() => silent.closedAt() !== null, 5000);

    // The silent one got its PING after PING_MS of silence and was ended PONG_WAIT_MS later.
    expect(silent.pings).toHaveLength(1);
    expect(silent.pings[0]).toBeGreaterThanOrEqual(PING_MS);
    expect(silent.closedAt()).toBeGreaterThanOrEqual(PING_MS + PONG_WAIT_MS);
    expect(silent.closedAt()).toBeLessThan(PING_MS + PONG_WAIT_MS + 1500);

    // The answering one was pinged too, and is still open after several rounds.
    await new Promise((resolve) => setTimeout(resolve, 2 * (PING_MS + PONG_WAIT_MS)));
    expect(answering.pings.length).toBeGreaterThanOrEqual(2);
    expect(answering.closedAt()).toBeNull();
    expect(answering.ws.readyState).toBe(WebSocket.OPEN);
    answering.ws.close();
  });

  it('does not ping a client that keeps talking', async () => {
    const talking = await socket(false);
    const chatter = setInterval(() => talking.ws.send('PING'), PING_MS / 3);
    await new Promise((resolve) => setTimeout(resolve, 3 * PING_MS));
    clearInterval(chatter);
    expect(talking.pings).toEqual([]);
    expect(talking.closedAt()).toBeNull();
    talking.ws.close();
  });
});
