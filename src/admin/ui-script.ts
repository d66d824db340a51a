// The status page's script (inline, sent as it is): polls `/ui/data` every second and redraws the
// tables, keeping a minute of request and error rates per route and split for the small charts.
// Every value from the configuration goes into the page through textContent or an attribute set
// with setAttribute, never as markup. Plain ES2020, no backquotes (this is a template literal).
export const UI_SCRIPT = `
'use strict';
(function () {
  var POLL_MS = 1000;
  var POINTS = 60;
  var SVG = 'http://www.w3.org/2000/svg';
  /** key -> { rps: number[], err: number[] } */
  var history = new Map();
  /** the keys drawn in this redraw: the others (removed routes) are forgotten after it */
  var seen = new Set();

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, String(attrs[k]));
    (children || []).forEach(function (c) { e.append(c instanceof Node ? c : document.createTextNode(String(c))); });
    return e;
  }
  function td(text, cls) { return el('td', cls ? { class: cls } : null, [text]); }
  function empty(cols, text) { return el('tr', null, [el('td', { colspan: cols, class: 'empty' }, [text])]); }
  function fill(id, rows) { document.querySelector('#' + id + ' tbody').replaceChildren.apply(document.querySelector('#' + id + ' tbody'), rows); }

  function rate(n) { return n === 0 ? '0' : n < 10 ? n.toFixed(2) : n.toFixed(0); }
  function ms(s) { return s === null || s === undefined ? '–' : s < 1 ? (s * 1000).toFixed(s < 0.01 ? 2 : 0) + ' ms' : s.toFixed(2) + ' s'; }

  function remember(key, r) {
    seen.add(key);
    var h = history.get(key);
    if (!h) { h = { rps: [], err: [], seen: 0 }; history.set(key, h); }
    h.rps.push(r.rps); h.err.push(r.errorsPerSecond);
    if (h.rps.length > POINTS) { h.rps.shift(); h.err.shift(); }
    return h;
  }

  function spark(h) {
    var w = 120, ht = 24;
    var max = Math.max(1, Math.max.apply(null, h.rps.concat(h.err)));
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('width', w); svg.setAttribute('height', ht);
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + ht);
    var base = document.createElementNS(SVG, 'line');
    base.setAttribute('class', 'base'); base.setAttribute('x1', 0); base.setAttribute('x2', w); base.setAttribute('y1', ht - 0.5); base.setAttribute('y2', ht - 0.5);
    svg.append(base);
    [['rps', h.rps], ['err', h.err]].forEach(function (s) {
      var pts = s[1].map(function (v, i) { return ((POINTS - s[1].length + i) * w / (POINTS - 1)).toFixed(1) + ',' + (ht - 1 - (v / max) * (ht - 3)).toFixed(1); });
      var line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('class', s[0]); line.setAttribute('points', pts.join(' '));
      svg.append(line);
    });
    return svg;
  }

  function rateCells(r, key) {
    return [td(rate(r.rps), 'num'), td(rate(r.errorsPerSecond), 'num'), td(ms(r.p50), 'num'), td(ms(r.p99), 'num'), el('td', null, [spark(remember(key, r))])];
  }

  function routes(list) {
    if (list.length === 0) return fill('routes', [empty(7, 'no routes served')]);
    var rows = [];
    list.forEach(function (r) {
      rows.push(el('tr', { class: 'route', 'data-route': r.name }, [td(r.name), td('')].concat(rateCells(r, 'r:' + r.name))));
      r.splits.forEach(function (s) {
        rows.push(el('tr', { class: 'split', 'data-split': s.cluster, 'data-of': r.name }, [td(s.cluster), td(s.percents.map(function (p) { return p + '%'; }).join(' · '))].concat(rateCells(s, 's:' + r.name + ':' + s.cluster))));
      });
    });
    fill('routes', rows);
  }

  function objects(list) {
    if (list.length === 0) return fill('objects', [empty(4, 'no objects')]);
    fill('objects', list.map(function (o) {
      var id = o.kind + ' ' + (o.namespace ? o.namespace + '/' : '') + o.name;
      var conds = el('details', null, [el('summary', null, [o.conditions.length + ' conditions'])].concat(o.conditions.map(function (c) {
        return el('div', null, [el('code', null, [(c.scope ? c.scope + ' ' : '') + c.type + '=' + c.status]), ' ', c.reason || '', c.message ? ': ' + c.message : '']);
      })));
      return el('tr', { class: 'object', 'data-object': id, 'data-state': o.state }, [
        td(o.kind), el('td', null, [(o.namespace ? o.namespace + '/' : '') + o.name, el('div', { class: 'muted' }, [o.group])]),
        el('td', null, [el('span', { class: 'badge ' + o.state }, [o.state])]),
        el('td', null, [el('div', { class: 'reason' }, [o.reason || '']), o.conditions.length ? conds : '']),
      ]);
    }));
  }

  function rejected(list) {
    if (list.length === 0) return fill('rejected', [empty(3, 'none')]);
    fill('rejected', list.map(function (r) {
      var where = r.file + (r.line ? ':' + r.line : '') + (r.doc !== undefined ? ' (document ' + (r.doc + 1) + ')' : '');
      var what = (r.kind || 'document') + ' ' + (r.namespace ? r.namespace + '/' : '') + (r.name || '');
      return el('tr', { class: 'rejected' }, [td(where), td(what), el('td', null, (r.errors || []).map(function (e) {
        return el('div', null, [el('code', null, [e.path || '']), ' ', e.message || '', e.line ? ' (line ' + e.line + ')' : '']);
      }))]);
    }));
  }

  function changes(c) {
    var items = [];
    [['routes', c.routes], ['clusters', c.clusters]].forEach(function (pair) {
      var n = pair[1], counts = n.counts || [n.added.length, n.removed.length, n.changed.length];
      [['added', '+', 0], ['removed', '−', 1], ['changed', '~', 2]].forEach(function (k) {
        var names = n[k[0]];
        if (counts[k[2]] === 0) return;
        var more = counts[k[2]] - names.length;
        items.push(el('li', { 'data-change': pair[0] + ' ' + k[0] }, [k[1] + counts[k[2]] + ' ' + pair[0] + ' ' + k[0] + ': ' + names.join(', ') + (more > 0 ? ' and ' + more + ' more' : '')]));
      });
    });
    return items.length ? el('ul', { class: 'changes' }, items) : el('span', { class: 'muted' }, ['no route or cluster changed']);
  }

  function versions(list) {
    if (list.length === 0) return fill('versions', [empty(3, 'no configuration served yet')]);
    fill('versions', list.map(function (v) {
      return el('tr', { class: 'version', 'data-version': v.version }, [td(String(v.version)), td(new Date(v.at).toLocaleTimeString()), el('td', null, [changes(v.changes)])]);
    }));
  }

  var live = document.getElementById('live');
  function poll() {
    fetch('ui/data', { cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (d) {
        document.getElementById('version').textContent = String(d.version);
        seen.clear();
        routes(d.routes); objects(d.objects); rejected(d.rejected); versions(d.versions);
        history.forEach(function (_h, key) { if (!seen.has(key)) history.delete(key); });
        live.textContent = 'updated ' + new Date(d.at).toLocaleTimeString();
        live.className = 'meta';
        document.body.setAttribute('data-loaded', String(d.version));
      })
      .catch(function (e) { live.textContent = 'cannot reach the gateway (' + e.message + ')'; live.className = 'meta down'; })
      .finally(function () { setTimeout(poll, POLL_MS); });
  }
  poll();
})();
`;
