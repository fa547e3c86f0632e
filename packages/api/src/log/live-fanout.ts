import {
  type DispatchMode,
  namesUser,
  type Position,
  type QueueEvent,
  type Viewer,
  visibilityClassOf,
} from '@dispatch/domain';
import { counterFor, type Metrics } from '../observability/metrics.ts';
import type { EventHub } from './hub.ts';
import { projectForStaff } from './projection.ts';
import type { StoredEvent } from './stored-event.ts';
import { type LiveTransport, observeFirstDelivery } from './stream.ts';
import { dataFrameTail } from './trpc-frame.ts';
import { textFrame } from './web-socket-frame.ts';

/** What the fan-out needs of a queue subscription besides its socket. */
export interface LiveSubscriber {
  readonly viewer: Viewer;
  /** Called for every event written to its socket (delivery receipts); must not block or throw. */
  onDelivered(event: StoredEvent, payload: QueueEvent): void;
}

export interface StaffFanOutOptions {
  hub: EventHub;
  mode: DispatchMode;
  metrics: Metrics;
  now: () => number;
  /** Above this many buffered bytes a member goes back to its pull loop, which waits or closes it. */
  highWaterBytes: number;
}

/** What a group's members report back to the fan-out that owns them. */
interface Owner {
  readonly hub: EventHub;
  /** The events-delivered counter, by role. */
  readonly delivered: Metrics['eventsDelivered'];
  left(group: VisibilityGroup): void;
}

interface VisibilityGroup {
  readonly key: string;
  readonly standIn: Viewer;
  readonly members: Set<Member>;
  readonly owner: Owner;
}

/**
 * A staff subscription at the head of the log, written to by the fan-out directly. Every idle
 * subscriber holds one, so it is one object with its methods on the prototype (no closures of
 * its own), and it is its own abort listener (Node 20's EventTarget still wraps an object listener
 * in one small function, about 100 B, measured with probe-memory.ts).
 */
class Member {
  readonly subscriber: LiveSubscriber;
  readonly transport: LiveTransport;
  /** The start of every frame of this subscription: tRPC's `{"id":…,` as it sent it. */
  readonly frameHead: string;
  readonly since: Position;
  readonly group: VisibilityGroup;
  readonly delivered: { inc(): void };
  readonly #signal: AbortSignal | undefined;
  readonly #resume: (position: Position) => void;

  constructor(
    subscriber: LiveSubscriber,
    transport: LiveTransport,
    frameHead: string,
    since: Position,
    group: VisibilityGroup,
    signal: AbortSignal | undefined,
    resume: (position: Position) => void,
  ) {
    this.subscriber = subscriber;
    this.transport = transport;
    this.frameHead = frameHead;
    this.since = since;
    this.group = group;
    this.delivered = counterFor(group.owner.delivered, subscriber.viewer.role);
    this.#signal = signal;
    this.#resume = resume;
  }

  /** The subscription was stopped: it leaves at the head (EventListener's method). */
  handleEvent(): void {
    this.leave(this.group.owner.hub.head);
  }

  /** Hands the subscription back to its pull loop from this position (it fell behind or ended). */
  leave(position: Position): void {
    if (!this.group.members.delete(this)) return;
    this.#signal?.removeEventListener('abort', this);
    this.group.owner.left(this.group);
    this.#resume(later(position, this.since));
  }
}

/**
 * The live path of `queue.onChange`: once a subscription has caught up with the log, each new
 * event is projected once per visibility class (not once per subscriber), serialised and framed
 * once per class, and the same bytes are written to every member's socket. tRPC keeps the
 * handshake, errors, resync and replay (the pull loop in stream.ts); a member that falls behind
 * (a full socket) or ends goes back to that loop at the position it reached, so nothing is lost,
 * repeated or reordered: this path only ever writes the event that follows what the socket got.
 */
export class StaffFanOut {
  readonly #options: StaffFanOutOptions;
  readonly #groups = new Map<string, VisibilityGroup>();
  readonly #owner: Owner;
  #size = 0;
  #stopped = false;

  constructor(options: StaffFanOutOptions) {
    this.#options = options;
    // One per fan-out, shared by every group and member.
    this.#owner = {
      hub: options.hub,
      delivered: options.metrics.eventsDelivered,
      left: (group) => {
        this.#size -= 1;
        options.metrics.liveSubscribers.dec();
        if (group.members.size === 0 && this.#groups.get(group.key) === group) this.#groups.delete(group.key);
      },
    };
    options.hub.onEvents((events) => this.#deliver(events));
  }

  /** Subscriptions served here right now. */
  get size(): number {
    return this.#size;
  }

  /**
   * Serves the subscription until it falls behind, its signal aborts or the fan-out stops, and
   * resolves with the position to resume pulling from; null when it is not exactly at the head.
   */
  serve(
    subscriber: LiveSubscriber,
    transport: LiveTransport,
    frameHead: string,
    position: Position,
    signal: AbortSignal | undefined,
  ): Promise<Position> | null {
    // Exactly at the head: a position this process has not read up to yet (a client resuming here
    // from a process that read further) waits in the pull loop, or it would get those events again.
    if (this.#stopped || signal?.aborted || position !== this.#options.hub.head) return null;
    const { key, standIn } = visibilityClassOf(subscriber.viewer);
    let group = this.#groups.get(key);
    if (!group) {
      group = { key, standIn, members: new Set(), owner: this.#owner };
      this.#groups.set(key, group);
    }
    const members = group.members;
    return new Promise<Position>((resolve) => {
      const member = new Member(subscriber, transport, frameHead, position, group, signal, resolve);
      signal?.addEventListener('abort', member, { once: true });
      members.add(member);
      this.#size += 1;
      this.#options.metrics.liveSubscribers.inc();
    });
  }

  /** Hands every member back to its pull loop (which then sees the hub stopped). */
  stop(): void {
    this.#stopped = true;
    for (const group of [...this.#groups.values()]) {
      for (const member of [...group.members]) member.leave(this.#options.hub.head);
    }
  }

  #deliver(events: readonly StoredEvent[]): void {
    if (this.#size === 0) return;
    const { mode, highWaterBytes, metrics, now } = this.#options;
    let reached: Position | null = null;
    for (const event of events) {
      const before = reached ?? event.position - 1n;
      let deliveries = 0;
      if (event.upsert) {
        for (const group of this.#groups.values()) {
          let classTail: string | undefined;
          let classPayload: QueueEvent | null | undefined;
          const byHead = new Map<string, Buffer>();
          // Leaving deletes the member being visited, which a Set's iteration allows.
          for (const member of group.members) {
            const { transport } = member;
            if (!transport.isOpen()) continue;
            let payload: QueueEvent | null;
            let frame: Buffer | null;
            const viewer = member.subscriber.viewer;
            if (namesUser(viewer.userId, event.data.before, event.data.after)) {
              payload = projectForStaff(viewer, event, mode);
              frame = payload && textFrame(member.frameHead + dataFrameTail(event.cursor, payload));
            } else {
              if (classPayload === undefined) classPayload = projectForStaff(group.standIn, event, mode);
              payload = classPayload;
              if (payload === null) continue;
              // Clients of one build number their subscriptions alike: most members share a head.
              frame = byHead.get(member.frameHead) ?? null;
              if (!frame) {
                classTail ??= dataFrameTail(event.cursor, payload);
                frame = textFrame(member.frameHead + classTail);
                byHead.set(member.frameHead, frame);
              }
            }
            if (payload === null || frame === null) continue;
            if (transport.bufferedBytes() > highWaterBytes) {
              member.leave(before);
              continue;
            }
            transport.writeFrame(frame);
            deliveries += 1;
            member.delivered.inc();
            member.subscriber.onDelivered(event, payload);
          }
        }
      }
      if (deliveries > 0) observeFirstDelivery(metrics, event, now);
      reached = event.position;
    }
  }
}

/** The later of two positions (bigints, which Math.max does not take). */
function later(a: Position, b: Position): Position {
  return a > b ? a : b;
}
