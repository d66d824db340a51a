// kubectl's plain table: upper-case headers, columns padded to their widest cell and separated by
// three spaces, no borders, no trailing spaces. A name or message from a config file never reaches
// the terminal with a control character (an escape sequence, a newline) in it.

/** Text fit for one line of a terminal: control characters shown as spaces. */
export function clean(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
  return value.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cleaned = rows.map((r) => r.map(clean));
  const widths = headers.map((h, i) => Math.max(h.length, ...cleaned.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  return `${[line(headers), ...cleaned.map(line)].join('\n')}\n`;
}

/** A list as kubectl prints one in a cell: the first `max`, then `+ N more...`. */
export function listCell(items: readonly string[], max = 3): string {
  if (items.length === 0) return '<none>';
  const shown = items.slice(0, max).join(',');
  return items.length > max ? `${shown} + ${items.length - max} more...` : shown;
}
