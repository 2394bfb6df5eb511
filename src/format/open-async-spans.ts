// The async spans (`b` … `e`) still open while a trace is read in order, as Chrome pairs them:
// by process, category and id, the latest begin of an id ending first. Shared by the host's
// span layout (event-summary-spans.ts) and the page's own pairing (src/viewer/model/model.ts).
//
// Most async spans end before the next of their kind begins (a request, then the next on the
// connection). Those never touch a Map: the latest span begun waits in a slot, and goes to
// the Map only when another begins while it is still open. A Map that goes from one entry to
// none at every end is reallocated by V8 each time: that was a fifth of the host's layout
// time for a million requests.

/** One open span as its number, more (the same id begun again before it ended) as a stack. */
type Open = number | number[];

const NONE = -1;

class OpenIds {
  /** The latest span begun, while open (NONE when empty): the first to end of its id. */
  slotSpan = NONE;
  slotId: unknown = undefined;
  readonly spans = new Map<unknown, Open>();
}

/** Map keys compare like this (SameValueZero). */
function sameKey(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

export class OpenAsyncSpans {
  private readonly byProcess = new Map<number, Map<string, OpenIds>>();
  // The last (pid, category) looked up: consecutive async events mostly share both.
  private lastPid = Number.NaN;
  private lastCategory = '';
  private last: OpenIds | undefined;

  /** Span `span` begins with id `id` of `category` in process `pid`. */
  open(pid: number, category: string, id: unknown, span: number): void {
    const ids = this.idsOf(pid, category, true)!;
    // The span in the slot is still open: it joins the others, in begin order.
    if (ids.slotSpan !== NONE) pushOpen(ids.spans, ids.slotId, ids.slotSpan);
    ids.slotSpan = span;
    ids.slotId = id;
  }

  /** The span an end of `id` closes (the latest begun), or undefined when none is open. */
  close(pid: number, category: string, id: unknown): number | undefined {
    const ids = this.idsOf(pid, category, false);
    if (ids === undefined) return undefined;
    if (ids.slotSpan !== NONE && sameKey(ids.slotId, id)) {
      const span = ids.slotSpan;
      ids.slotSpan = NONE;
      ids.slotId = undefined;
      return span;
    }
    const open = ids.spans.get(id);
    if (open === undefined) return undefined;
    if (typeof open === 'number') {
      ids.spans.delete(id);
      return open;
    }
    const span = open.pop();
    if (open.length === 0) ids.spans.delete(id);
    return span;
  }

  /** Calls `end` for every span still open. */
  forEachOpen(end: (span: number) => void): void {
    for (const byCategory of this.byProcess.values()) {
      for (const ids of byCategory.values()) {
        if (ids.slotSpan !== NONE) end(ids.slotSpan);
        for (const open of ids.spans.values()) {
          if (typeof open === 'number') end(open);
          else for (const span of open) end(span);
        }
      }
    }
  }

  private idsOf(pid: number, category: string, create: boolean): OpenIds | undefined {
    if (this.last !== undefined && pid === this.lastPid && category === this.lastCategory) return this.last;
    let byCategory = this.byProcess.get(pid);
    if (!byCategory) {
      if (!create) return undefined;
      this.byProcess.set(pid, (byCategory = new Map()));
    }
    let ids = byCategory.get(category);
    if (!ids) {
      if (!create) return undefined;
      byCategory.set(category, (ids = new OpenIds()));
    }
    this.lastPid = pid;
    this.lastCategory = category;
    this.last = ids;
    return ids;
  }
}

function pushOpen(spans: Map<unknown, Open>, id: unknown, span: number): void {
  const open = spans.get(id);
  if (open === undefined) spans.set(id, span);
  else if (typeof open === 'number') spans.set(id, [open, span]);
  else open.push(span);
}
