import { useEffect, useRef, useState } from 'react';

/**
 * A native <dialog> shown as a modal while mounted: focus moves to the first element matching
 * `initialFocus` inside it, and it closes when unmounted. Returns the ref to put on the <dialog>.
 */
export function useModal(initialFocus: string) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (!element.open) element.showModal();
    element.querySelector<HTMLElement>(initialFocus)?.focus();
    return () => element.close();
  }, [initialFocus]);
  return dialog;
}

/** The button that opens a dialog: whether it is open, and closing it hands focus back to the button. */
export function useDialogOpener() {
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  return {
    open,
    opener,
    show: () => setOpen(true),
    /** Closes it; `returnFocus: false` when something else takes the focus. */
    close: (returnFocus = true) => {
      setOpen(false);
      if (returnFocus) requestAnimationFrame(() => opener.current?.focus());
    },
  };
}
