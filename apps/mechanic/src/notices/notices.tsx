import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';

type NoticeTone = 'info' | 'new' | 'warning' | 'error' | 'success';

interface Notice {
  id: number;
  key: string | null;
  text: string;
  tone: NoticeTone;
  sticky: boolean;
  subject: string | null;
  onDismiss: (() => void) | null;
}

const NOTICE_MS = 12_000;
const MAX_NOTICES = 4;

interface NoticeOptions {
  /** Stays until dismissed (news the mechanic must not miss), instead of going after a few seconds. */
  sticky?: boolean;
  /** Called when the person dismisses it (not when it times out). */
  onDismiss?: () => void;
  /**
   * What it is about (a request's id): it replaces the short-lived notices on screen about the
   * same thing, so "You accepted" does not linger beside "Completed" or "Customer cancelled".
   */
  subject?: string;
}

/** `key` dedupes: a notice whose key is already on screen is not shown twice (stream and mutation both saw it). */
type Push = (text: string, tone?: NoticeTone, key?: string, options?: NoticeOptions) => void;
/** Takes keyed notices off the screen once what they announced is no longer true. */
type Withdraw = (keys: Iterable<string>) => void;

const NoticesContext = createContext<{ push: Push; withdraw: Withdraw } | null>(null);

/**
 * Short-lived notices ("New request", "Taken by another mechanic") in one polite live region, so
 * screen-reader users hear what sighted users see appear.
 */
export function NoticesProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());

  const push = useCallback<Push>((text, tone = 'info', key, options = {}) => {
    const id = nextId.current++;
    const sticky = options.sticky ?? false;
    const subject = options.subject ?? null;
    const notice: Notice = {
      id,
      key: key ?? null,
      text,
      tone,
      sticky,
      subject,
      onDismiss: options.onDismiss ?? null,
    };
    setNotices((current) => {
      if (key && current.some((n) => n.key === key)) return current;
      const kept = subject ? current.filter((n) => n.sticky || n.subject !== subject) : current;
      // Over the limit, the oldest short-lived notice goes first; sticky ones wait to be dismissed.
      const next = [...kept, notice];
      while (next.length > MAX_NOTICES) {
        const drop = next.findIndex((n) => !n.sticky);
        next.splice(drop === -1 ? 0 : drop, 1);
      }
      return next;
    });
    if (sticky) return;
    const timer = setTimeout(() => {
      timers.current.delete(timer);
      setNotices((current) => current.filter((notice) => notice.id !== id));
    }, NOTICE_MS);
    timers.current.add(timer);
  }, []);

  // The page keeps as much room free at its end as the notices take (body's padding in
  // styles.css), so whatever they cover can be scrolled clear of them.
  const region = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = region.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const root = document.documentElement;
    const observer = new ResizeObserver(() => {
      const height = element.offsetHeight;
      // The region's own offset from the bottom edge (1rem) only counts while it shows something.
      root.style.setProperty('--notices-height', height > 0 ? `calc(${height}px + 1rem)` : '0px');
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      root.style.removeProperty('--notices-height');
    };
  }, []);

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending) clearTimeout(timer);
    };
  }, []);

  const withdraw = useCallback<Withdraw>((keys) => {
    const gone = new Set(keys);
    if (gone.size === 0) return;
    setNotices((current) =>
      current.some((n) => n.key !== null && gone.has(n.key))
        ? current.filter((n) => n.key === null || !gone.has(n.key))
        : current,
    );
  }, []);

  const dismiss = (notice: Notice) => {
    notice.onDismiss?.();
    setNotices((current) => current.filter((n) => n.id !== notice.id));
  };
  const value = useMemo(() => ({ push, withdraw }), [push, withdraw]);
  return (
    <NoticesContext.Provider value={value}>
      {children}
      <div ref={region} className="notices" role="status" aria-live="polite" aria-label="Notices">
        {notices.map((notice) => (
          <p
            key={notice.id}
            className={`notice notice--${notice.tone}${notice.sticky ? ' notice--sticky' : ''}`}
            data-notice-key={notice.key ?? undefined}
          >
            <span>{notice.text}</span>
            <button type="button" className="notice__close" onClick={() => dismiss(notice)}>
              <span aria-hidden="true">×</span>
              <span className="visually-hidden">Dismiss</span>
            </button>
          </p>
        ))}
      </div>
    </NoticesContext.Provider>
  );
}

export function useNotice(): Push {
  return useNotices().push;
}

export function useWithdrawNotice(): Withdraw {
  return useNotices().withdraw;
}

function useNotices() {
  const notices = useContext(NoticesContext);
  if (!notices) throw new Error('notices need a NoticesProvider');
  return notices;
}
