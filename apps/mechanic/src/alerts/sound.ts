/**
 * A short two-tone beep through Web Audio. Browsers block audio until the user has clicked, so the
 * AudioContext is only created by the mechanic's explicit "Turn sound on" click.
 */
export class Beeper {
  private context: AudioContext | null = null;

  /** Call from a click handler. */
  async enable(): Promise<void> {
    this.context ??= new AudioContext();
    if (this.context.state === 'suspended') await this.context.resume();
    this.beep();
  }

  disable(): void {
    void this.context?.close();
    this.context = null;
  }

  get enabled(): boolean {
    return this.context !== null;
  }

  beep(): void {
    const context = this.context;
    if (!context) return;
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
  }
}
