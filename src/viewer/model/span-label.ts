// What a span says on the timeline: its name — and for an event-loop block whose stack is
// known (the watchdog's probe, in its args), where the thread was: `Blocked in busyWaitMs`, or
// `Blocked at server.js:41` for an anonymous function. The timeline answers "blocked where?"
// before anyone clicks. Blocks are few; each label is worked out once, the first time the
// block is wide enough to carry one.
import { programFrame, shortFrameLocation } from '../../format/stack';
import { EventNames } from '../../format/trace-event';
import type { EventFields } from './event-fields';
import { framesOf } from './summaries';

export class SpanLabels {
  private readonly blocks = new Map<number, string>();

  constructor(private readonly fields: EventFields) {}

  /** The label of event `index` (a span's event). */
  label(index: number): string {
    const name = this.fields.name(index);
    if (name !== EventNames.loopBlock) return name;
    let label = this.blocks.get(index);
    if (label === undefined) {
      const frame = programFrame(framesOf(this.fields.event(index).args));
      label = !frame ? name : frame.functionName ? `Blocked in ${frame.functionName}` : `Blocked at ${shortFrameLocation(frame) || '(anonymous)'}`;
      this.blocks.set(index, label);
    }
    return label;
  }
}
