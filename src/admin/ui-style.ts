// The status page's stylesheet (inline: the page loads nothing from anywhere else).
export const UI_STYLE = `
:root { --fg: #1d232a; --muted: #66707a; --line: #e3e7eb; --ok: #1a7f37; --bad: #c62828; --warn: #b26a00; --accent: #2563eb; --bg: #f7f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 16px; padding: 14px 24px; background: #fff; border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0; }
header .meta { color: var(--muted); }
#live.down { color: var(--bad); }
main { padding: 8px 24px 32px; display: grid; gap: 20px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
section h2 { font-size: 15px; margin: 0 0 8px; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 5px 8px; border-top: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); border-top: none; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.split td:first-child { padding-left: 28px; color: var(--muted); }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; }
.badge.Ready { background: var(--ok); }
.badge.NotReady { background: var(--bad); }
.badge.Warning { background: var(--warn); }
.badge.Unknown { background: var(--muted); }
.reason { color: var(--bad); }
.muted { color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
svg.spark { display: block; }
svg.spark .rps { fill: none; stroke: var(--accent); stroke-width: 1.5; }
svg.spark .err { fill: none; stroke: var(--bad); stroke-width: 1.5; }
svg.spark .base { stroke: var(--line); }
details summary { cursor: pointer; color: var(--muted); font-size: 12px; }
ul.changes { margin: 0; padding-left: 18px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
`;
