// Validation of Gloo Edge documents: every field Sluice serves must have its type (a string where
// Gloo's proto has one, a list of objects for `routes`, ...), so the translator can trust shapes.
// Fields Sluice does not serve are not errors (known-fields-gloo.ts: the translator warns), and
// what a value means (a path, a regex, a reference) is the translator's to check and report in the
// object's Gloo status, as Gloo's own validation does.
import { type Check, describe, field, index, isObject, type Json } from './check.ts';
import { GLOO_SHAPES, type Shape } from './known-fields-gloo.ts';

export function checkGloo(c: Check, doc: Json, kind: string): void {
  c.object(doc.spec, 'spec', true);
  const shape = GLOO_SHAPES.get(kind);
  if (shape !== undefined && isObject(doc.spec)) walk(c, doc.spec, (shape.fields.spec as Shape), 'spec');
}

function walk(c: Check, value: unknown, shape: Shape, path: string): void {
  if (value === undefined || shape === 'free') return;
  // The API server prunes nulls of typed fields; a file has no such step, so a null is an error.
  if (value === null) {
    c.fail(path, `must be ${shape === 'string' || shape === 'boolean' || shape === 'integer' || shape === 'number' ? `a ${shape}` : typeof shape === 'string' || shape.type === 'object' ? 'an object' : 'a list'}, got null`);
    return;
  }
  switch (shape) {
    case 'string':
      c.string(value, path);
      return;
    case 'boolean':
      c.boolean(value, path);
      return;
    case 'integer':
      c.integer(value, path);
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) c.fail(path, `must be a number, got ${describe(value)}`);
      return;
    case 'strings': {
      const items = c.array(value, path);
      items?.forEach((s, i) => {
        if (typeof s !== 'string') c.fail(index(path, i), `must be a string, got ${describe(s)}`);
      });
      return;
    }
    case 'stringMap':
      c.stringMap(value, path);
      return;
  }
  if (shape.type === 'list') {
    c.array(value, path)?.forEach((item, i) => {
      if (item === undefined) c.fail(index(path, i), 'must not be empty');
      else walk(c, item, shape.item, index(path, i));
    });
    return;
  }
  const o = c.object(value, path);
  if (o === undefined) return;
  for (const [key, child] of Object.entries(o)) {
    const known = shape.values ?? (Object.hasOwn(shape.fields, key) ? shape.fields[key] : undefined);
    if (known !== undefined) walk(c, child, known, field(path, key));
  }
}
