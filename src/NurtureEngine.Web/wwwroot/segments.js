// Segment builder: a visual editor for the filter (groups of all / any / none, each condition type
// with only its own fields), kept in step with the JSON textarea (the "advanced" view of the same
// filter), and a live member count. Errors from the server are shown at the condition they name.
(() => {
  const form = document.getElementById('segment-form');
  const filter = document.getElementById('filter');
  const out = document.getElementById('member-count');
  const root = document.getElementById('filter-builder');
  if (!form || !filter || !out) return;

  const options = root ? JSON.parse(root.dataset.options || '{}') : {};
  const TYPES = [
    ['in_stage', 'are in stage'], ['stage_entered', 'entered stage'], ['has_tag', 'have tag'], ['score_at_least', 'have a score of at least'],
    ['opened', 'opened an email'], ['clicked', 'clicked in an email'], ['replied', 'replied to an email'], ['event', 'did an event'],
    ['attribute', 'have a field'], ['in_segment', 'are in segment'],
  ];
  const GROUPS = [['all', 'all of'], ['any', 'any of'], ['none', 'none of']];
  const OPS = [['equals', 'equal to'], ['in', 'one of (comma-separated)'], ['gte', 'at least'], ['lte', 'at most']];

  // Words to ISO 8601 for "within": "7 days" → P7D, "2 hours" → PT2H (anything else is passed on for the server to name).
  const iso = text => {
    const t = (text || '').trim();
    if (!t || /^p/i.test(t)) return t.toUpperCase();
    const m = t.match(/^(\d+)\s*(weeks?|w|days?|d|hours?|h|minutes?|mins?|m)$/i);
    if (!m) return t;
    const n = +m[1], u = m[2][0].toLowerCase();
    return u === 'w' ? `P${n * 7}D` : u === 'd' ? `P${n}D` : u === 'h' ? `PT${n}H` : `PT${n}M`;
  };
  const words = value => {
    const m = /^P(\d+)D$/.exec(value || '') || null;
    if (m) return `${m[1]} day${m[1] === '1' ? '' : 's'}`;
    const h = /^PT(\d+)H$/.exec(value || '');
    if (h) return `${h[1]} hour${h[1] === '1' ? '' : 's'}`;
    return value || '';
  };
  const literal = text => {
    const t = text.trim();
    if (t === 'true' || t === 'false') return t === 'true';
    return t !== '' && !isNaN(+t) ? +t : t;
  };

  // The tree the builder edits: { group: 'all'|'any'|'none', items: [...] } or a condition object.
  const toTree = c => {
    if (!c || typeof c !== 'object') return { group: 'all', items: [] };
    if (c.type === 'all' || c.type === 'any') return { group: c.type, items: (c.of || []).map(toTree) };
    if (c.type === 'not') {
      const inner = c.condition || {};
      return inner.type === 'any' ? { group: 'none', items: (inner.of || []).map(toTree) } : { group: 'none', items: [toTree(inner)] };
    }
    return { ...c };
  };
  const toJson = n => {
    if (!n.group) {
      const c = { ...n };
      Object.keys(c).forEach(k => { if (c[k] === '' || c[k] === null || c[k] === undefined) delete c[k]; });
      return c;
    }
    const of = n.items.map(toJson);
    return n.group === 'none' ? { type: 'not', condition: { type: 'any', of } } : { type: n.group, of };
  };
  // The server's path of each node, as SequenceValidator names them ("filter.of[1].stage").
  const single = n => n === tree && n.group === 'all' && n.items.length === 1; // stored as the condition alone
  const pathOf = (parent, parentPath, index) =>
    single(parent) ? parentPath : parent.group === 'none' ? `${parentPath}.condition.of[${index}]` : `${parentPath}.of[${index}]`;

  let tree;
  let errors = root ? JSON.parse(root.dataset.errors || '{}') : {};

  const el = (tag, props = {}, ...children) => {
    const e = document.createElement(tag);
    Object.entries(props).forEach(([k, v]) => { if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v); });
    children.flat().forEach(c => e.append(c));
    return e;
  };
  const select = (choices, value, label, onchange) => {
    const s = el('select', { 'aria-label': label, onchange: () => onchange(s.value) });
    choices.forEach(([v, text]) => { const o = el('option', { value: v }, text); if (v === value) o.selected = true; s.append(o); });
    return s;
  };
  const input = (value, label, onchange, type = 'text') => {
    const i = el('input', { type, 'aria-label': label, value: value ?? '', oninput: () => onchange(i.value) });
    return i;
  };
  const errorsAt = path => Object.entries(errors)
    .filter(([k]) => k === path || (k.startsWith(path + '.') && !/\.(of|condition)/.test(k.slice(path.length))))
    .map(([k, v]) => el('p', { class: 'field-error error', 'data-field': k }, `${k === path ? '' : k.slice(path.length + 1) + ': '}${v}`));

  const fields = (c, path) => {
    const set = key => v => { c[key] = v; changed(); };
    const stagePicker = () => select([['', 'choose a stage'], ...(options.stages || []).map(s => [s.key, s.name])], c.stage, 'stage', set('stage'));
    const within = () => [el('span', {}, 'within'), input(words(c.within), 'within (e.g. 7 days)', v => { c.within = iso(v); changed(); })];
    switch (c.type) {
      case 'in_stage': return [stagePicker()];
      case 'stage_entered': return [stagePicker(), ...within()];
      case 'has_tag': return [input(c.tag, 'tag', set('tag'))];
      case 'score_at_least': return [input(c.score, 'score', v => { c.score = v === '' ? undefined : +v; changed(); }, 'number')];
      case 'opened': case 'clicked': case 'replied': return within();
      case 'event': return [input(c.event, 'event name', set('event')), ...within()];
      case 'in_segment': return [select([['', 'choose a segment'], ...(options.segments || []).map(s => [s.key, s.name])], c.segment, 'segment', set('segment'))];
      case 'attribute': {
        const op = 'in' in c ? 'in' : 'gte' in c ? 'gte' : 'lte' in c ? 'lte' : 'equals';
        const current = op === 'in' ? (c.in || []).join(', ') : c[op] ?? '';
        const value = input(current, 'value', v => { setValue(op, v); });
        const setValue = (o, v) => {
          delete c.equals; delete c.in; delete c.gte; delete c.lte;
          c[o] = o === 'in' ? v.split(',').map(literal).filter(x => x !== '') : literal(v);
          changed();
        };
        return [input(c.key, 'field name', set('key')), select(OPS, op, 'comparison', o => setValue(o, value.value)), value];
      }
      default: return [el('span', { class: 'muted' }, `(${c.type}: edit as JSON)`)];
    }
  };

  const renderNode = (n, path, onRemove) => {
    if (n.group) {
      const box = el('div', { class: 'cond-group', 'data-path': path });
      const head = el('div', { class: 'row' },
        el('span', {}, 'Match'), select(GROUPS, n.group, 'match', v => { n.group = v; changed(true); }), el('span', {}, 'these conditions'));
      if (onRemove) head.append(el('button', { type: 'button', class: 'small danger', title: 'Remove group', onclick: onRemove }, '✕'));
      box.append(head, ...errorsAt(path));
      n.items.forEach((child, i) => box.append(renderNode(child, pathOf(n, path, i), () => { n.items.splice(i, 1); changed(true); })));
      box.append(el('div', { class: 'row' },
        el('button', { type: 'button', class: 'small secondary', onclick: () => { n.items.push({ type: 'has_tag', tag: '' }); changed(true); } }, '+ condition'),
        el('button', { type: 'button', class: 'small secondary', onclick: () => { n.items.push({ group: 'any', items: [{ type: 'has_tag', tag: '' }] }); changed(true); } }, '+ group')));
      return box;
    }
    const row = el('div', { class: 'cond row', 'data-path': path, 'data-type': n.type },
      select(TYPES.some(([t]) => t === n.type) ? TYPES : [[n.type, n.type], ...TYPES], n.type, 'condition type', v => {
        Object.keys(n).forEach(k => delete n[k]);
        n.type = v;
        changed(true);
      }),
      ...fields(n, path),
      el('button', { type: 'button', class: 'small danger', title: 'Remove condition', onclick: onRemove }, '✕'));
    return el('div', {}, row, ...errorsAt(path));
  };

  const render = () => {
    root.replaceChildren(renderNode(tree, 'filter', null));
  };
  const changed = rerender => {
    filter.value = JSON.stringify(single(tree) ? toJson(tree.items[0]) : toJson(tree), null, 2);
    filter.dispatchEvent(new Event('input', { bubbles: true }));
    if (rerender) render();
  };

  if (root) {
    try {
      tree = toTree(JSON.parse(filter.value || '{}'));
      if (!tree.group) tree = { group: 'all', items: [tree] };
      root.hidden = false;
      // The JSON view stays as the person left it (power users keep it open), closed at first.
      const details = document.getElementById('filter-json');
      details.open = sessionStorage.getItem('segment-json-open') === '1';
      details.addEventListener('toggle', () => sessionStorage.setItem('segment-json-open', details.open ? '1' : '0'));
      document.querySelectorAll('[data-server-error]').forEach(e => e.remove()); // shown at their conditions instead
      render();
    } catch { /* the JSON does not parse: the advanced view stays the editor, its error shown */ }
    // Edits in the JSON view rebuild the visual one when they parse.
    filter.addEventListener('change', () => {
      try { tree = toTree(JSON.parse(filter.value)); if (!tree.group) tree = { group: 'all', items: [tree] }; root.hidden = false; render(); } catch { /* keep the last good tree */ }
    });
  }

  // Live member count: the same POST as the "Count members" button, as JSON.
  let timer;
  filter.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const body = new FormData(form);
      const url = document.getElementById('count').getAttribute('formaction');
      const response = await fetch(url, { method: 'POST', body, headers: { Accept: 'application/json' } });
      if (!response.ok) return;
      const result = await response.json();
      const list = Object.entries(result.errors || {});
      out.textContent = list.length ? list.map(([k, v]) => `${k === 'filter' ? 'Filter' : k}: ${v}`).join('; ')
        : `${result.members} member${result.members === 1 ? '' : 's'}`;
      if (root && !root.hidden) {
        errors = result.errors || {};
        root.querySelectorAll('.field-error').forEach(e => e.remove());
        root.querySelectorAll('[data-path]').forEach(node => {
          const target = node.classList.contains('cond') ? node.parentElement : node;
          errorsAt(node.dataset.path).forEach(p => (node.classList.contains('cond') ? target.append(p) : node.insertBefore(p, node.children[1] || null)));
        });
      }
    }, 400);
  });
})();
