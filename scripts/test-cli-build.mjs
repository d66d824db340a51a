// Used by run-tests.mjs: compiles src/ once, before the tests start, into a temp dir laid out as the
// package is (dir/dist/cli/main.js, with package.json, node_modules, proto/ and examples/ linked
// beside dist/ for the paths the code finds from import.meta.url), so that the `sluice` children the
// tests start run JavaScript instead of each compiling the sources through tsx again.
// Each file is transformed on its own by the esbuild that tsx ships (the transform tsx applies when
// it loads a file), so the module graph, and which modules load lazily, are the sources'; relative
// `.ts` import specifiers become `.js` (the same length, so the source maps stay exact).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** What the compiled code reaches outside dist/ (src/version.ts, src/k8s/client.ts, src/cli/demo.ts, src/policies/ext-authz-grpc.ts). */
const LINKED = ['package.json', 'node_modules', 'proto', 'examples'];
/** `from "./x.ts"`, `import "./x.ts"`, `import("./x.ts")` as esbuild prints them. */
const RELATIVE_TS = /(\b(?:from|import)\s*\(?\s*)"(\.{1,2}\/[^"\n]*)\.ts"/g;

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/**
 * Compiles src/ into a new temp dir and returns { dir, main } (main: the CLI's entry), or throws.
 * The caller removes dir.
 */
export async function buildTestCli() {
  const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'))('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-test-cli-'));
  try {
    const src = join(root, 'src');
    const out = join(dir, 'dist');
    const files = walk(src);
    await esbuild.build({
      entryPoints: files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts')),
      outdir: out,
      outbase: src,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node}`,
      sourcemap: true,
      logLevel: 'error',
    });
    for (const file of walk(out).filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(file, 'utf8');
      const js = code.replace(RELATIVE_TS, '$1"$2.js"');
      if (js !== code) writeFileSync(file, js);
    }
    // The worker boot script and any other file the code loads at run time.
    for (const file of files.filter((f) => !/\.(c|m)?ts$/.test(f))) {
      const to = join(out, relative(src, file));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(file, to);
    }
    for (const name of LINKED) symlinkSync(join(root, name), join(dir, name));
    return { dir, main: join(out, 'cli', 'main.js') };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
