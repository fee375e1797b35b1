/**
 * PIN entry for osdp-event: key presses collected per reader until '#', a maximum number of
 * digits, or a pause longer than the time-out; '*' clears the entry. One result per entry.
 */
export interface PinResult {
  /** The PD the entry belongs to (its address). */
  address: number;
  pin: string;
  /** False when the entry ended by time-out rather than '#' or the length. */
  complete: boolean;
}

interface Entry {
  digits: string;
  timer: NodeJS.Timeout | undefined;
}

export class PinCollector {
  private readonly entries = new Map<number, Entry>();

  constructor(
    private readonly maxLength: number,
    private readonly timeoutMs: number,
    private readonly onPin: (result: PinResult) => void,
  ) {}

  /** Feeds the keys of one keypad event ('0'-'9', '*', '#'). */
  keys(address: number, keys: string): void {
    for (const key of keys) this.key(address, key);
  }

  private key(address: number, key: string): void {
    let entry = this.entries.get(address);
    if (!entry) {
      entry = { digits: '', timer: undefined };
      this.entries.set(address, entry);
    }
    if (key === '#') return this.finish(address, true);
    if (key === '*') {
      entry.digits = '';
    } else if (/^[0-9]$/.test(key)) {
      entry.digits += key;
      if (entry.digits.length >= this.maxLength) return this.finish(address, true);
    }
    this.arm(address, entry);
  }

  private arm(address: number, entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.finish(address, false), this.timeoutMs);
  }

  private finish(address: number, complete: boolean): void {
    const entry = this.entries.get(address);
    this.entries.delete(address);
    if (entry?.timer) clearTimeout(entry.timer);
    const digits = entry?.digits ?? '';
    // A lone '#' or a time-out with nothing typed is not an entry.
    if (digits === '') return;
    this.onPin({ address, pin: digits, complete });
  }

  close(): void {
    for (const entry of this.entries.values()) if (entry.timer) clearTimeout(entry.timer);
    this.entries.clear();
  }
}
