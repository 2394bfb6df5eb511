// Record kinds the core writes (1–31; sources own 32–255) and their decoder.
//
//   kind          ts        dur   id       a      b   s1        s2
//   userLog       when      0     0        0      0   category  message
//   userRegion    start     dur   0        0      0   name      —
//   userTaskBegin start     0     task id  0      0   name      —
//   userTaskEnd   end       0     task id  0      0   name      —
//   processStart  when      0     0        ppid   0   —         —
//   processExit   when      0     0        code   0   —         —
import type { DecodeContext, RecordView } from './contracts';
import { EventNames } from '../format/trace-event';

export const CoreKind = {
  userLog: 1,
  userRegion: 2,
  userTaskBegin: 3,
  userTaskEnd: 4,
  processStart: 5,
  processExit: 6,
} as const;

export function decodeCoreRecord(record: RecordView, out: DecodeContext): void {
  const { pid, tid } = out;
  const ts = record.tsUs;
  switch (record.kind) {
    case CoreKind.userLog:
      out.emit({ name: record.s1 ?? 'log', cat: 'user', ph: 'i', s: 't', ts, pid, tid, args: { category: record.s1 ?? '', message: record.s2 ?? '' } });
      return;
    case CoreKind.userRegion:
      out.emit({ name: record.s1 ?? 'region', cat: 'user', ph: 'X', ts, dur: record.durUs, pid, tid });
      return;
    case CoreKind.userTaskBegin:
      out.emit({ name: record.s1 ?? 'task', cat: 'user', ph: 'b', ts, id: record.id, pid, tid });
      return;
    case CoreKind.userTaskEnd:
      out.emit({ name: record.s1 ?? 'task', cat: 'user', ph: 'e', ts, id: record.id, pid, tid });
      return;
    case CoreKind.processStart:
      out.emit({ name: EventNames.processStart, cat: 'process', ph: 'i', s: 'p', ts, pid, tid, args: { ppid: record.a } });
      return;
    case CoreKind.processExit:
      out.emit({ name: EventNames.processExit, cat: 'process', ph: 'i', s: 'p', ts, pid, tid, args: { code: record.a } });
      return;
  }
}
