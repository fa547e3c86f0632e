import { type ReactNode, useEffect, useRef } from 'react';

/**
 * The page's one h1. It takes focus when the page (step) changes, so keyboard and screen-reader
 * users start reading at the new step instead of wherever the old button was.
 */
export function PageHeading({
  children,
  focusKey,
  id,
}: {
  children: ReactNode;
  focusKey: string;
  id?: string;
}) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // Only move focus when it is not inside a form field the user is typing in.
    const active = document.activeElement;
    if (active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement) return;
    ref.current?.focus({ preventScroll: false });
  }, [focusKey]);
  return (
    <h1 ref={ref} id={id} tabIndex={-1} className="page-title">
      {children}
    </h1>
  );
}
