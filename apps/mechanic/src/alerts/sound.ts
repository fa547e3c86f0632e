/**
 * A short two-tone beep through Web Audio. Browsers block audio until the user has clicked, so the
 * AudioContext is created by the mechanic's explicit "Turn sound on" click, or, after a reload of a
 * dashboard whose sound was on, created at once and possibly left suspended until a click.
 */
export class Beeper {
  private context: AudioContext | null = null;

  /** Call from a click handler. */
  async enable(): Promise<void> {
    this.context ??= new AudioContext();
    if (this.context.state === 'suspended') await this.context.resume();
    this.beep();
  }

  /**
   * Re-creates the context without a click (after a reload). Resolves whether it can play: false
   * when the browser's autoplay policy keeps it suspended until the user interacts.
   */
  async restore(): Promise<boolean> {
    if (typeof AudioContext === 'undefined') return false;
    this.context ??= new AudioContext();
    if (this.context.state === 'running') return true;
    // resume() without a user gesture stays pending (or rejects) under the autoplay policy.
    const resumed = await Promise.race([
      this.context.resume().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 300)),
    ]);
    return resumed && (this.context.state as AudioContextState) === 'running';
  }

  disable(): void {
    void this.context?.close();
    this.context = null;
  }

  get enabled(): boolean {
    return this.context !== null;
  }

  get playing(): boolean {
    return this.context?.state === 'running';
  }

  /** Plays the beep; false when the browser keeps audio muted (or sound is off). */
  beep(): boolean {
    const context = this.context;
    if (context?.state !== 'running') return false;
    const start = context.currentTime;
    for (const [offset, frequency] of [
      [0, 880],
      [0.22, 660],
    ] as const) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.18);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.2);
    }
    return true;
  }
}

const SOUND_KEY = 'dispatch.mechanic.sound';

/** The mechanic's sound choice, kept across reloads (per browser). */
export const soundPreference = {
  get(): boolean {
    try {
      return localStorage.getItem(SOUND_KEY) === 'on';
    } catch {
      return false;
    }
  },
  set(on: boolean): void {
    try {
      localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
    } catch {
      // Private mode without storage: the choice lasts for this page only.
    }
  },
};
