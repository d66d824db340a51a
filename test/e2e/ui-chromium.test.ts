// The status page in a real browser (Debian's headless Chromium over the DevTools protocol): after
// its script ran, it shows the known routes with their splits, every object's state with the reason
// when not Ready, live rates, rejected documents (a name that is markup stays text); after the
// configuration file changes, the page follows: a new version, what changed, the new route.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { type Browser, findChromium, launchChromium, type Page } from './ui-chromium-cdp.ts';

const chromium = findChromium();
const skip = chromium ? false : 'chromium not installed (Debian package `chromium`; .ci/run installs it)';

// Object names are DNS names (validation rejects markup), but a file name can be anything but `/`.
const EVIL = '<img src=x onerror="window.pwned=1"><svg onload="window.pwned=2"><script>window.pwned=3<';

const text = (selector: string): string => `(document.querySelector(${JSON.stringify(selector)}) || {}).textContent || ''`;

describe('status page in headless Chromium', { skip }, () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let v1: Upstream;
  let v2: Upstream;
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    v1 = await startUpstream('v1');
    v2 = await startUpstream('v2');
    cfg = await ConfigDir.create();
    await cfg.write('apps.yaml', [
      ...backend('v1', [{ ip: '127.0.0.1', port: v1.port }]),
      ...backend('v2', [{ ip: '127.0.0.1', port: v2.port }]),
      ingress('shop', [{ hosts: ['shop.example.com'], paths: [{ splits: [{ service: 'v1', percent: 90 }, { service: 'v2', percent: 10 }] }] }]),
      ingress('broken', [{ hosts: ['broken.example.com'], paths: [{ splits: [{ service: 'nope' }] }] }]),
    ]);
    await cfg.write(`${EVIL}.yaml`, '# a rejected document in a file whose name is markup\napiVersion: networking.internal.knative.dev/v1alpha1\nkind: Ingress\nmetadata:\n  name: bad\n  namespace: default\nspec:\n  rules:\n  - hosts: []\n');
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    browser = await launchChromium(chromium!);
    page = await browser.open();
    await page.navigate(`http://${sluice.addresses.admin}/ui`);
  });
  after(async () => {
    await browser?.close();
    await sluice?.stop();
    await v1?.close();
    await v2?.close();
    await cfg?.cleanup();
  });

  it('shows the known routes with their splits once its script ran', async () => {
    await page.waitFor(`document.querySelector('tr[data-route="default/shop"]')`, 20_000, 'the shop route');
    const splits = await page.evaluate<string[]>(`[...document.querySelectorAll('tr.split[data-of="default/shop"]')].map((r) => r.cells[0].textContent + ' ' + r.cells[1].textContent)`);
    assert.deepEqual(splits, ['default/v1:80 90%', 'default/v2:80 10%']);
    assert.equal(await page.evaluate(text('#version')), await page.evaluate(`document.body.dataset.loaded`));
  });

  it('shows each object with its state, and the reason when not Ready', async () => {
    await page.waitFor(`document.querySelector('tr[data-object="Ingress default/broken"]')`);
    assert.equal(await page.evaluate(`document.querySelector('tr[data-object="Ingress default/shop"]').dataset.state`), 'Ready');
    assert.equal(await page.evaluate(`document.querySelector('tr[data-object="Ingress default/broken"]').dataset.state`), 'NotReady');
    assert.match(await page.evaluate<string>(text('tr[data-object="Ingress default/broken"] .reason')), /ServiceNotFound/);
  });

  it('lists the rejected document with file, line and field, its markup name as text', async () => {
    const row = await page.waitFor<string>(`[...document.querySelectorAll('#rejected tr.rejected')].map((r) => r.textContent).join('\\n')`, 15_000, 'a rejected document');
    assert.ok(row.includes(`${EVIL}.yaml:`), row);
    assert.match(row, /Ingress default\/bad/);
    assert.match(row, /spec\.rules\[0\]\.hosts/);
    assert.equal(await page.evaluate(`document.querySelectorAll('img, main svg:not(.spark), main script').length`), 0, 'no element made from configuration');
    assert.equal(await page.evaluate(`typeof window.pwned`), 'undefined');
  });

  it('updates the live request rate as traffic flows', async () => {
    let stop = false;
    const sender = (async () => {
      for (let i = 0; i < 400 && !stop; i++) await get(sluice.addresses.http!, 'shop.example.com');
    })();
    try {
      await page.waitFor(`Number(document.querySelector('tr[data-route="default/shop"]').cells[2].textContent) > 0`, 20_000, 'a request rate above 0');
      await page.waitFor(`Number(document.querySelector('tr.split[data-split="default/v1:80"]').cells[2].textContent) > 0`, 20_000, 'a split rate above 0');
      const points = await page.evaluate<number>(`document.querySelector('tr[data-route="default/shop"] polyline.rps').getAttribute('points').split(' ').length`);
      assert.ok(points >= 2, `the chart has ${points} points`);
    } finally {
      stop = true;
      await sender;
    }
  });

  it('follows a change of the configuration file: a new version, what changed, the new route', async () => {
    const before = Number(await page.evaluate(text('#version')));
    await cfg.write('apps.yaml', [
      ...backend('v1', [{ ip: '127.0.0.1', port: v1.port }]),
      ...backend('v2', [{ ip: '127.0.0.1', port: v2.port }]),
      ingress('shop', [{ hosts: ['shop.example.com'], paths: [{ splits: [{ service: 'v1', percent: 50 }, { service: 'v2', percent: 50 }] }] }]),
      ingress('cart', [{ hosts: ['cart.example.com'], paths: [{ splits: [{ service: 'v2' }] }] }]),
    ]);
    await page.waitFor(`document.querySelector('tr[data-route="default/cart"]')`, 20_000, 'the new cart route');
    assert.ok(Number(await page.evaluate(text('#version'))) > before);
    const splits = await page.evaluate<string[]>(`[...document.querySelectorAll('tr.split[data-of="default/shop"]')].map((r) => r.cells[1].textContent)`);
    assert.deepEqual(splits, ['50%', '50%']);
    await page.waitFor(`!document.querySelector('tr[data-object="Ingress default/broken"]')`, 10_000, 'the removed ingress gone');
    const latest = await page.evaluate<string>(text('#versions tr.version'));
    assert.match(latest, /routes added: default\/cart/);
    assert.match(latest, /routes changed: default\/shop/);
  });
});
