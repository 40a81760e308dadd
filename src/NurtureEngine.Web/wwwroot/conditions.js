// The visual condition builder, shared by segment filters, sequence exit conditions and branch
// conditions: groups of all / any / none, each condition type with only its own fields. It edits
// the JSON in a textarea (the "advanced" view of the same thing, and the editor without script),
// and shows the server's errors at the condition they name (paths as the validator writes them).
window.ConditionBuilder = (() => {
  const TYPES = [
    ['in_stage', 'is in stage'], ['stage_entered', 'entered stage'], ['has_tag', 'has tag'], ['score_at_least', 'has a score of at least'],
    ['opened', 'opened an email'], ['clicked', 'clicked in an email'], ['replied', 'replied to an email'], ['event', 'did an event'],
    ['attribute', 'has a field'], ['in_segment', 'is in segment'],
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
    const m = /^P(\d+)D$/.exec(value || '');
    if (m) return `${m[1]} day${m[1] === '1' ? '' : 's'}`;
    const h = /^PT(\d+)H$/.exec(value || '');
    if (h) return `${h[1]} hour${h[1] === '1' ? '' : 's'}`;
    const n = /^PT(\d+)M$/.exec(value || '');
    if (n) return `${n[1]} minute${n[1] === '1' ? '' : 's'}`;
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

  const el = (tag, props = {}, ...children) => {
    const e = document.createElement(tag);
    Object.entries(props).forEach(([k, v]) => { if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v); });
    children.flat().forEach(c => e.append(c));
    return e;
  };
  const select = (choices, value, label, onchange) => {
    const s = el('select', { 'aria-label': label, onchange: () => onchange(s.value) });
    choices.forEach(([v, text]) => { const o = el('option', { value: v }, text); if (v === (value ?? '')) o.selected = true; s.append(o); });
    return s;
  };
  const input = (value, label, onchange, type = 'text') => {
    const i = el('input', { type, 'aria-label': label, value: value ?? '', oninput: () => onchange(i.value) });
    return i;
  };

  /**
   * Mounts a builder in root for the JSON in textarea.
   * settings.base: the validator's path of the condition ("filter", "steps[2].if"), or of the list ("exitWhen").
   * settings.list: the textarea holds a list of conditions (any of them), numbered from settings.offset.
   * settings.options: { stages: [{key,name}], segments: [{key,name}], steps: [ids] } for the pickers.
   */
  const mount = (root, textarea, settings) => {
    const { base, list = false, offset = 0 } = settings;
    let options = settings.options || {};
    let errors = settings.errors || {};
    let tree;

    const read = () => {
      const text = textarea.value.trim();
      const parsed = text ? JSON.parse(text) : (list ? [] : null);
      if (list) return { group: 'any', fixed: true, items: (Array.isArray(parsed) ? parsed : [parsed]).map(toTree) };
      const t = toTree(parsed);
      return t.group ? t : { group: 'all', items: [t] };
    };
    // A lone condition in an "all" group is stored as the condition alone.
    const single = n => n === tree && !list && n.group === 'all' && n.items.length === 1;
    const pathOf = (parent, parentPath, index) =>
      parent === tree && list ? `${base}[${offset + index}]`
        : single(parent) ? parentPath : parent.group === 'none' ? `${parentPath}.condition.of[${index}]` : `${parentPath}.of[${index}]`;
    const errorsAt = path => Object.entries(errors)
      .filter(([k]) => k === path || (k.startsWith(path + '.') && !/\.(of|condition)\b/.test(k.slice(path.length))))
      .map(([k, v]) => el('p', { class: 'field-error error', 'data-field': k }, `${k === path ? '' : k.slice(path.length + 1) + ': '}${v}`));

    const fields = c => {
      const set = key => v => { c[key] = v; changed(); };
      const stagePicker = () => select([['', 'choose a stage'], ...(options.stages || []).map(s => [s.key, s.name])], c.stage, 'stage', set('stage'));
      const within = () => [el('span', {}, 'within'), input(words(c.within), 'within (e.g. 7 days)', v => { c.within = iso(v); changed(); })];
      const ofStep = () => options.steps
        ? [el('span', {}, 'of'), select([['', 'any email'], ...options.steps.map(s => [s, s]), ...(c.step && !options.steps.includes(c.step) ? [[c.step, `(missing step ${c.step})`]] : [])],
          c.step, 'of step', v => { c.step = v; changed(); })]
        : [];
      switch (c.type) {
        case 'in_stage': return [stagePicker()];
        case 'stage_entered': return [stagePicker(), ...within()];
        case 'has_tag': return [input(c.tag, 'tag', set('tag'))];
        case 'score_at_least': return [input(c.score, 'score', v => { c.score = v === '' ? undefined : +v; changed(); }, 'number')];
        case 'opened': case 'clicked': case 'replied': return [...ofStep(), ...within()];
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

    const blank = () => ({ type: 'has_tag', tag: '' });
    const renderNode = (n, path, onRemove) => {
      if (n.group) {
        const box = el('div', { class: 'cond-group', 'data-path': path });
        const head = n.fixed
          ? el('div', { class: 'row' }, el('span', {}, settings.listLabel || 'Any of these'))
          : el('div', { class: 'row' }, el('span', {}, 'Match'), select(GROUPS, n.group, 'match', v => { n.group = v; changed(true); }), el('span', {}, 'these conditions'));
        if (onRemove) head.append(el('button', { type: 'button', class: 'small danger', title: 'Remove group', onclick: onRemove }, '✕'));
        box.append(head, ...errorsAt(path));
        n.items.forEach((child, i) => box.append(renderNode(child, pathOf(n, path, i), () => { n.items.splice(i, 1); changed(true); })));
        box.append(el('div', { class: 'row' },
          el('button', { type: 'button', class: 'small secondary', onclick: () => { n.items.push(blank()); changed(true); } }, '+ condition'),
          el('button', { type: 'button', class: 'small secondary', onclick: () => { n.items.push({ group: 'any', items: [blank()] }); changed(true); } }, '+ group')));
        return box;
      }
      const row = el('div', { class: 'cond row', 'data-path': path, 'data-type': n.type },
        select(TYPES.some(([t]) => t === n.type) ? TYPES : [[n.type, n.type], ...TYPES], n.type, 'condition type', v => {
          Object.keys(n).forEach(k => delete n[k]);
          n.type = v;
          changed(true);
        }),
        ...fields(n),
        el('button', { type: 'button', class: 'small danger', title: 'Remove condition', onclick: onRemove }, '✕'));
      return el('div', {}, row, ...errorsAt(path));
    };

    const render = () => root.replaceChildren(renderNode(tree, base, null));
    const changed = rerender => {
      const json = list ? tree.items.map(toJson) : single(tree) ? toJson(tree.items[0]) : toJson(tree);
      textarea.value = list && json.length === 0 ? '' : JSON.stringify(json, null, 2);
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
      if (rerender) render();
    };

    try { tree = read(); } catch { return null; } // the JSON does not parse: the advanced view stays the editor, its error shown
    root.hidden = false;
    render();
    // Edits in the JSON view rebuild the visual one when they parse.
    textarea.addEventListener('change', () => { try { tree = read(); render(); } catch { /* keep the last good tree */ } });

    const walk = (n, f) => { if (n.group) n.items.forEach(c => walk(c, f)); else f(n); };
    return {
      base,
      /** Errors as { path: message }; those under this builder's base are shown at their condition. */
      setErrors(all) {
        errors = all;
        // In place, so the field being typed in keeps its focus.
        root.querySelectorAll('.field-error').forEach(e => e.remove());
        root.querySelectorAll('[data-path]').forEach(node => {
          const found = errorsAt(node.dataset.path);
          if (node.classList.contains('cond')) node.parentElement.append(...found);
          else node.insertBefore(el('span'), node.children[1] || null).replaceWith(...found);
        });
      },
      /** Steps were added, moved or removed: the step pickers offer the steps there are now. */
      setSteps(steps) {
        options = { ...options, steps };
        render();
      },
      /** A step was renamed: conditions on its email follow the new id. */
      renameStep(from, to, steps) {
        options = { ...options, steps };
        let hit = false;
        walk(tree, c => { if (c.step === from) { c.step = to; hit = true; } });
        if (hit) changed(true); else render();
      },
    };
  };

  return { mount };
})();
