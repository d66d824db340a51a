// `GET /ui`: the status page, one self-contained document (inline CSS and script, no external
// asset). It holds no configuration: its script fetches `/ui/data` and writes every name with
// textContent, so nothing from configuration is ever parsed as markup. The Content-Security-Policy
// allows exactly the inline script and style by hash, and connections back to this endpoint only.
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { UI_SCRIPT } from './ui-script.ts';
import { UI_STYLE } from './ui-style.ts';

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sluice status</title>
<style>${UI_STYLE}</style>
</head>
<body>
<header><h1>Sluice</h1><span class="meta">configuration version <b id="version">-</b></span><span class="meta" id="live">connecting…</span></header>
<main>
<section><h2>Routes</h2><table id="routes"><thead><tr><th>route / split</th><th>share</th><th class="num">req/s</th><th class="num">5xx/s</th><th class="num">p50</th><th class="num">p99</th><th>last minute</th></tr></thead><tbody></tbody></table></section>
<section><h2>Objects</h2><table id="objects"><thead><tr><th>kind</th><th>namespace/name</th><th>state</th><th>reason</th></tr></thead><tbody></tbody></table></section>
<section><h2>Rejected documents</h2><table id="rejected"><thead><tr><th>file</th><th>object</th><th>errors</th></tr></thead><tbody></tbody></table></section>
<section><h2>Configuration versions</h2><table id="versions"><thead><tr><th>version</th><th>served at</th><th>what changed</th></tr></thead><tbody></tbody></table></section>
</main>
<script>${UI_SCRIPT}</script>
</body>
</html>
`;

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-length': String(Buffer.byteLength(PAGE)),
  'content-security-policy': `default-src 'none'; script-src ${sha256(UI_SCRIPT)}; style-src ${sha256(UI_STYLE)}; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function sendUiPage(res: http.ServerResponse): void {
  res.writeHead(200, HEADERS);
  res.end(res.req.method === 'HEAD' ? undefined : PAGE);
}
