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
}

const NOTICE_MS = 12_000;
const MAX_NOTICES = 4;

/** `key` dedupes: a notice whose key is already on screen is not shown twice (stream and mutation both saw it). */
type Push = (text: string, tone?: NoticeTone, key?: string) => void;

const NoticesContext = createContext<Push | null>(null);

/**
 * Short-lived notices ("New request", "Taken by another mechanic") in one polite live region, so
 * screen-reader users hear what sighted users see appear.
 */
export function NoticesProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());

  const push = useCallback<Push>((text, tone = 'info', key) => {
    const id = nextId.current++;
    setNotices((current) =>
      key && current.some((notice) => notice.key === key)
        ? current
        : [...current, { id, key: key ?? null, text, tone }].slice(-MAX_NOTICES),
    );
    const timer = setTimeout(() => {
      timers.current.delete(timer);
      setNotices((current) => current.filter((notice) => notice.id !== id));
    }, NOTICE_MS);
    timers.current.add(timer);
  }, []);

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending) clearTimeout(timer);
    };
  }, []);

  const dismiss = (id: number) => setNotices((current) => current.filter((notice) => notice.id !== id));
  const value = useMemo(() => push, [push]);
  return (
    <NoticesContext.Provider value={value}>
      {children}
      <div className="notices" role="status" aria-live="polite" aria-label="Notices">
        {notices.map((notice) => (
          <p key={notice.id} className={`notice notice--${notice.tone}`}>
            <span>{notice.text}</span>
            <button type="button" className="notice__close" onClick={() => dismiss(notice.id)}>
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
  const push = useContext(NoticesContext);
  if (!push) throw new Error('useNotice needs a NoticesProvider');
  return push;
}
