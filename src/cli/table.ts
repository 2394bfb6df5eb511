// Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned.

export interface Column {
  title: string;
  align?: 'left' | 'right';
  /** Cut cells longer than this (with …). */
  maxWidth?: number;
}

export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], indent = '  '): string {
  const cells = rows.map((row) => row.map((cell, i) => clip(oneLine(cell), columns[i]?.maxWidth)));
  const widths = columns.map((column, i) => Math.max(column.title.length, ...cells.map((row) => width(row[i] ?? ''))));
  const line = (row: readonly string[]) =>
    indent + row.map((cell, i) => {
      const last = i === row.length - 1;
      const pad = widths[i]! - width(cell);
      if (columns[i]?.align === 'right') return ' '.repeat(Math.max(0, pad)) + cell;
      return last ? cell : cell + ' '.repeat(Math.max(0, pad));
    }).join('  ');
  return [line(columns.map((c) => c.title)), ...cells.map(line)].join('\n');
}

/** Control characters from a hostile file must not drive the terminal. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}

function clip(text: string, maxWidth: number | undefined): string {
  if (maxWidth === undefined || text.length <= maxWidth) return text;
  return `${text.slice(0, Math.max(1, maxWidth - 1))}…`;
}

function width(text: string): number {
  return [...text].length;
}

/** Width of the notes under a table (the tables' own lines are as wide as their cells). */
export const NOTE_WIDTH = 110;

/** `text` broken at spaces into lines of at most `maxWidth` characters (a longer word stands alone), each after `indent`. */
export function wrapText(text: string, maxWidth: number, indent = ''): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && width(line) + 1 + width(word) > maxWidth - width(indent)) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines.join('\n');
}
