// A test reporter run beside TAP by run-tests.mjs: at the end of the run it prints every failed test
// again, with its file and the first lines of its error, so that the tail of a long log (all a CI
// excerpt may show) says what failed. Todo tests and suites failing only through their subtests are left out.
const MAX_ERROR_LINES = 12;

export default async function* failureSummary(source) {
  const failed = [];
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    const { name, file, details, todo, skip } = event.data;
    if (todo || skip) continue;
    const error = details?.error;
    if (error?.failureType === 'subtestsFailed') continue;
    failed.push({ name, file, error });
  }
  if (failed.length === 0) return;
  const lines = [`\n# ${failed.length} failed test${failed.length === 1 ? '' : 's'}:`];
  for (const { name, file, error } of failed) {
    lines.push(`# ✖ ${name}${file ? `  (${relative(file)})` : ''}`);
    const text = describe(error)
      .split('\n')
      .filter((l) => !/^\s+at .*(node:internal|node:async_hooks)/.test(l));
    for (const l of text.slice(0, MAX_ERROR_LINES)) lines.push(`#     ${l}`);
  }
  yield `${lines.join('\n')}\n`;
}

function describe(error) {
  if (!error) return '(no error given)';
  // The runner wraps a test's own error in a failure with `cause`.
  const own = error.cause ?? error;
  if (own instanceof Error) return own.stack ?? `${own.name}: ${own.message}`;
  return String(own);
}

function relative(file) {
  const cwd = `${process.cwd()}/`;
  const path = file.startsWith('file://') ? new URL(file).pathname : file;
  return path.startsWith(cwd) ? path.slice(cwd.length) : path;
}
