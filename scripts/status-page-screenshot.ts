// Makes docs/status-page.png: runs `sluice demo` (listeners on free ports), sends it some traffic,
// and photographs /ui in headless Chromium once the charts have a few seconds of data.
//   node --import tsx scripts/status-page-screenshot.ts [out.png]
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { findChromium, launchChromium } from '../test/e2e/ui-chromium-cdp.ts';
import { agent, get } from '../test/support/http.ts';

const out = process.argv[2] ?? fileURLToPath(new URL('../docs/status-page.png', import.meta.url));
const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const chromium = findChromium();
if (!chromium) throw new Error('chromium not found (Debian package `chromium`)');

const demo = spawn(process.execPath, ['--import', 'tsx', main, 'demo', '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
let text = '';
demo.stdout.on('data', (d: Buffer) => (text += d));
const until = Date.now() + 60_000;
while (!text.includes('Ctrl-C')) {
  if (Date.now() > until || demo.exitCode !== null) throw new Error(`the demo did not start:\n${text}`);
  await new Promise((r) => setTimeout(r, 100));
}
const ui = /^Status page: (\S+)$/m.exec(text)![1]!;
const plain = /curl -H 'Host: hello\.example\.com' http:\/\/([\d.:]+)\//.exec(text)![1]!;
const gw = /curl -H 'Host: store\.example\.com' http:\/\/([\d.:]+)\//.exec(text)![1]!;

let sending = true;
// fetch() cannot set Host: undici's request (test/support/http.ts) can.
const send = async (addr: string, host: string, path = '/'): Promise<void> => {
  while (sending) {
    await get(addr, host, path).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
  }
};
const senders = [send(plain, 'hello.example.com'), send(plain, 'hello.example.com'), send(gw, 'store.example.com'), send(plain, 'petstore.example.com', '/all-pets'), send(plain, 'monolith.example.com', '/legacy')];

const browser = await launchChromium(chromium);
try {
  const page = await browser.open(1280, 1000);
  await page.navigate(ui);
  // About twenty seconds of points in the charts.
  await page.waitFor(`(document.querySelector('tr.route polyline.rps')?.getAttribute('points') ?? '').split(' ').length >= 20`, 60_000, 'charts with data');
  const height = await page.evaluate<number>('document.documentElement.scrollHeight');
  const tall = await browser.open(1280, Math.min(height + 20, 2400));
  await tall.navigate(ui);
  await tall.waitFor(`(document.querySelector('tr.route polyline.rps')?.getAttribute('points') ?? '').split(' ').length >= 20`, 60_000, 'charts with data');
  await writeFile(out, await tall.screenshot());
  console.log(`wrote ${out}`);
} finally {
  sending = false;
  await Promise.all(senders);
  await browser.close();
  demo.kill('SIGINT');
  await agent.close();
}
