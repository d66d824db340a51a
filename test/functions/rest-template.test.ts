// The inja subset Gloo users write in transformation templates: compiled once, rendered per request.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileTemplate, TemplateSyntaxError } from '../../src/functions/rest/template-parse.ts';
import { type RenderInput, renderTemplate, TemplateRenderError } from '../../src/functions/rest/template-render.ts';

function input(over: Partial<RenderInput> = {}): RenderInput {
  return {
    variables: {},
    header: () => undefined,
    extraction: () => undefined,
    body: () => '',
    context: () => null,
    ...over,
  };
}

function render(text: string, over: Partial<RenderInput> = {}, maxBytes?: number): string {
  return renderTemplate(compileTemplate(text), input(over), maxBytes);
}

describe('template: output expressions', () => {
  it('renders a variable as is, strings unquoted and unescaped (as Gloo does)', () => {
    assert.equal(render('/pets/{{ id }}', { variables: { id: '7' } }), '/pets/7');
    assert.equal(render('{{name}}', { variables: { name: 'a "b" <c>' } }), 'a "b" <c>');
  });

  it('renders numbers, booleans, null, objects and arrays as JSON', () => {
    const variables = { n: 12, f: 1.5, t: true, z: null, o: { a: [1, 'x'] } };
    assert.equal(render('{{ n }} {{ f }} {{ t }} {{ z }} {{ o }}', { variables }), '12 1.5 true null {"a":[1,"x"]}');
  });

  it('walks nested fields with dots, arrays by index', () => {
    const variables = { pet: { category: { name: 'dogs' }, tags: [{ name: 'a' }, { name: 'b' }] } };
    assert.equal(render('{{ pet.category.name }}/{{ pet.tags.1.name }}', { variables }), 'dogs/b');
  });

  it('a variable whose own name has dots (a parameter {pet.id}) is found before walking', () => {
    assert.equal(render('{{ pet.id }}/{{ pet.name }}', { variables: { 'pet.id': '7', pet: { id: 1, name: 'n' } } }), '7/n');
  });

  it('default() gives the fallback for a missing variable and the value when present', () => {
    assert.equal(render('/pets/{{ default(id, "") }}'), '/pets/');
    assert.equal(render('{{ default(id, "none") }}', { variables: { id: 3 } }), '3');
    assert.equal(render('{{ default(a.b.c, 42) }}', { variables: { a: { b: 1 } } }), '42');
  });

  it('header(), extraction(), body() and context() read the request', () => {
    const over: Partial<RenderInput> = {
      header: (n) => (n === 'x-user' ? 'alice' : undefined),
      extraction: (n) => (n === 'id' ? '9' : undefined),
      body: () => '{"a":1}',
      context: () => ({ a: 1 }),
    };
    assert.equal(render('{{ header("X-User") }}|{{ header("x-none") }}|{{ extraction("id") }}|{{ extraction("nope") }}', over), 'alice||9|');
    assert.equal(render('{{ body() }} {{ context() }}', over), '{"a":1} {"a":1}');
  });

  it('raw_string() escapes a value for use inside a JSON string', () => {
    assert.equal(render('{"q": "{{ raw_string(q) }}"}', { variables: { q: 'say "hi"\n\\' } }), '{"q": "say \\"hi\\"\\n\\\\"}');
  });

  it('string and number literals render as themselves', () => {
    assert.equal(render('{{ "a\\"b" }}{{ 3 }}'), 'a"b3');
  });

  it('text outside tags passes unchanged, comments are dropped, trim markers eat whitespace', () => {
    assert.equal(render('a {# note #}b'), 'a b');
    assert.equal(render('a   {{- "x" -}}   b'), 'axb');
  });

  it('a missing variable without default() is an error naming it and its position', () => {
    assert.throws(
      () => render('/pets/\n  {{ id }}'),
      (err: unknown) => err instanceof TemplateRenderError && /variable "id" not found at 2:6/.test(err.message),
    );
  });

  it('stops at the output bound instead of growing without limit', () => {
    assert.throws(() => render('{{ body() }}{{ body() }}', { body: () => 'x'.repeat(600) }, 1000), /exceeds 1000 bytes/);
  });
});

describe('template: conditions', () => {
  it('if / else if / else / endif with exists()', () => {
    const t = compileTemplate('{% if exists("a") %}A{% else if exists(b.c) %}B{% else %}C{% endif %}');
    assert.equal(renderTemplate(t, input({ variables: { a: 1 } })), 'A');
    assert.equal(renderTemplate(t, input({ variables: { b: { c: 0 } } })), 'B');
    assert.equal(renderTemplate(t, input()), 'C');
  });

  it('truthiness, not, and, or, and comparisons', () => {
    const variables = { n: 0, s: 'x', list: [], kind: 'dog' };
    assert.equal(render('{% if n %}1{% else %}0{% endif %}', { variables }), '0');
    assert.equal(render('{% if not n and s %}y{% endif %}', { variables }), 'y');
    assert.equal(render('{% if list or kind == "dog" %}dog{% endif %}', { variables }), 'dog');
    assert.equal(render('{% if kind != "dog" %}cat{% else %}not cat{% endif %}', { variables }), 'not cat');
    assert.equal(render('{% if header("x") == "1" %}h{% endif %}', { header: () => '1' }), 'h');
  });

  it('nested ifs', () => {
    assert.equal(render('{% if exists("a") %}[{% if a %}t{% else %}f{% endif %}]{% endif %}', { variables: { a: false } }), '[f]');
  });

  it('raw blocks keep their text verbatim', () => {
    assert.equal(render('{% raw %}{{ id }}{% endraw %}'), '{{ id }}');
  });
});

describe('template: syntax errors name their position', () => {
  const bad: [string, RegExp][] = [
    ['{{ id ', /1:1: unterminated "\{\{"/],
    ['a\n{{ nope(x) }}', /2:4: unknown function "nope"/],
    ['{{ default(x) }}', /1:4: default\(\) takes 2 arguments, got 1/],
    ['{% if a %}x', /1:1: "\{% if %\}" has no "\{% endif %\}"/],
    ['{% endif %}', /1:1: "\{% endif %\}" without "\{% if %\}"/],
    ['{% for x in y %}{% endfor %}', /1:4: unsupported statement "for"/],
    ['{{ "abc }}', /1:4: unterminated string/],
    ['{{ a b }}', /1:6: unexpected "b"/],
    ['{{ }}', /1:4: expected an expression/],
    ['{% if a %}{% else %}{% else %}{% endif %}', /1:21: "\{% else %\}" after "\{% else %\}"/],
  ];
  for (const [text, expected] of bad) {
    it(JSON.stringify(text), () => {
      assert.throws(
        () => compileTemplate(text),
        (err: unknown) => err instanceof TemplateSyntaxError && expected.test(err.message),
      );
    });
  }
});

describe('template: cost', () => {
  it('compiles and renders a large template in linear time', () => {
    const text = '{{ default(a, "x") }}-'.repeat(20_000);
    const t0 = performance.now();
    const out = render(text, {}, 1 << 20);
    assert.equal(out.length, 40_000);
    assert.ok(performance.now() - t0 < 2000);
  });

  it('deeply nested parentheses are refused rather than overflowing the stack', () => {
    assert.throws(() => compileTemplate(`{{ ${'('.repeat(10_000)}a${')'.repeat(10_000)} }}`), TemplateSyntaxError);
  });
});
