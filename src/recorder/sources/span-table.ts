// Per-span state kept between a begin and an end hook without allocating: a span's id picks a
// slot in preallocated arrays (start time, a string, the string's id in the ring, a number). Spans are numbered by a
// counter, so a slot is reused only after SLOTS newer spans began; if a span outlives that
// (more than SLOTS in flight at once), its end finds another id in the slot and is written
// without a duration rather than with a wrong one.

const SLOTS = 4096; // power of two; 4096 × (4 + 8 + 4 + 4 + 8) bytes ≈ 112 KiB per table
const MASK = SLOTS - 1;

export class SpanTable {
  private nextId = 1;
  /** `tag` is OR-ed into every id, to keep two tables' ids apart in one category (bit 30 at most). */
  constructor(private readonly tag = 0) {}

  private readonly ids = new Int32Array(SLOTS);
  private readonly startUs = new Float64Array(SLOTS);
  private readonly numbers = new Int32Array(SLOTS);
  private readonly stringIds = new Uint32Array(SLOTS);
  private readonly texts: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);

  /**
   * Starts a span; returns its id (never 0). `stringId` is `text`'s id in the ring's string
   * table, so the end record can name the same entry instead of storing the text again.
   */
  begin(startUs: number, text: string | undefined, value: number, stringId = 0): number {
    const id = this.nextId | this.tag;
    this.nextId = this.nextId >= 0x3fffffff ? 1 : this.nextId + 1;
    const slot = id & MASK;
    this.ids[slot] = id;
    this.startUs[slot] = startUs;
    this.texts[slot] = text;
    this.numbers[slot] = value;
    this.stringIds[slot] = stringId;
    return id;
  }

  /** True while the slot still belongs to `id`. */
  has(id: number): boolean {
    return id !== 0 && this.ids[id & MASK] === id;
  }

  startOf(id: number): number {
    return this.has(id) ? (this.startUs[id & MASK] ?? 0) : -1;
  }

  textOf(id: number): string | undefined {
    return this.has(id) ? this.texts[id & MASK] : undefined;
  }

  numberOf(id: number): number {
    return this.has(id) ? (this.numbers[id & MASK] ?? 0) : 0;
  }

  stringIdOf(id: number): number {
    return this.has(id) ? (this.stringIds[id & MASK] ?? 0) : 0;
  }

  setNumber(id: number, value: number): void {
    if (this.has(id)) this.numbers[id & MASK] = value;
  }

  setStringId(id: number, stringId: number): void {
    if (this.has(id)) this.stringIds[id & MASK] = stringId;
  }

  /** Ends a span: frees its slot (drops the string reference). */
  end(id: number): void {
    if (!this.has(id)) return;
    const slot = id & MASK;
    this.ids[slot] = 0;
    this.texts[slot] = undefined;
  }
}
