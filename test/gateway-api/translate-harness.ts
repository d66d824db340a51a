// A FileMerge, Store and TranslateCache translating together, as the pipeline runs them, with what
// each translate re-did (routes translated, attached, virtual hosts built); every result is
// checked against a translation of the same set from scratch.
import assert from 'node:assert/strict';
import { FileMerge } from '../../src/sources/merge.ts';
import { parseConfigText } from '../../src/sources/yaml-docs.ts';
import { Store } from '../../src/store/store.ts';
import { TranslateCache } from '../../src/translate/cache.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';
import type { TranslateResult } from '../../src/snapshot/types.ts';
import { plainCopy, served } from './from-scratch.ts';

export const harnessOptions = { ...defaultTranslateOptions, gatewayAddress: '127.0.0.1' };

export function harness() {
  const merge = new FileMerge();
  const store = new Store();
  const cache = new TranslateCache();
  const translated: string[] = [];
  const attached: string[] = [];
  const built: string[] = [];
  cache.onTranslate = (key) => translated.push(key);
  cache.onCompose = (what) => (what.startsWith('attach ') ? attached : built).push(what.replace(/^(attach|vhost) /, ''));
  const file = (path: string, text: string): void => merge.set(path, parseConfigText(text, path));
  const run = (): TranslateResult => {
    translated.length = attached.length = built.length = 0;
    const set = store.update(merge.state());
    const result = translate(set, harnessOptions, cache);
    assert.deepEqual(served(result), served(translate(plainCopy(set), harnessOptions, new TranslateCache())), 'incremental translation = translation from scratch');
    return result;
  };
  return { merge, cache, file, run, translated, attached, built };
}
