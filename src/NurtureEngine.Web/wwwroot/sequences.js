// Sequence builder: visual condition builders for the exit list and each branch (conditions.js),
// step renames followed by every picker that points at the step, the draft kept on the server as
// you type, and each refused field shown at the field, without publishing (the same POST as the
// "Save draft" button, answered as JSON).
(() => {
  const form = document.getElementById('builder');
  const status = document.getElementById('draft-status');
  if (!form || !status) return;
  const options = JSON.parse(form.dataset.options || '{}');
  const stepIds = () => [...form.querySelectorAll('input.step-id')].map(i => i.value.trim());

  // One builder per condition: the exit list, and each branch's "if".
  const builders = [];
  const mountAll = errors => form.querySelectorAll('.cond-builder').forEach(root => {
    const area = root.closest('.condition');
    const textarea = area.querySelector('textarea');
    const builder = window.ConditionBuilder.mount(root, textarea, {
      base: root.dataset.base, list: 'list' in root.dataset, options, errors, listLabel: 'Any of these',
    });
    if (!builder) { area.querySelector('details').open = true; return; } // JSON that does not parse: the advanced view is the editor
    builders.push(builder);
    area.querySelectorAll('.field-error').forEach(e => e.remove()); // shown at their conditions instead
  });
  mountAll(JSON.parse(form.dataset.errors || '{}'));
  const ownedByBuilder = path => builders.some(b => path === b.base || path.startsWith(b.base + '.') || path.startsWith(b.base + '['));

  // A renamed step takes its references along: branch and goto targets, and conditions on its email.
  form.querySelectorAll('input.step-id').forEach(input => {
    let current = input.value.trim();
    input.addEventListener('change', () => {
      const renamed = input.value.trim();
      if (!renamed || renamed === current) return;
      form.querySelectorAll('select.step-target').forEach(select => {
        [...select.options].forEach(o => { if (o.value === current) { o.value = renamed; o.textContent = renamed; } });
      });
      // Followed here, so the server has nothing left to follow for this step (it does so for posts without script).
      input.closest('.step').querySelector('input[name$=".OriginalId"]').value = renamed;
      options.steps = stepIds();
      builders.forEach(b => b.renameStep(current, renamed, options.steps));
      current = renamed;
    });
  });

  // A/B weights: the running total beside them.
  form.querySelectorAll('fieldset.variants').forEach(set => {
    const total = set.querySelector('.variant-total');
    set.addEventListener('input', () => {
      const sum = [...set.querySelectorAll('input[type=number]')].reduce((n, i) => n + (+i.value || 0), 0);
      total.textContent = `Total: ${sum}%` + (sum === 100 ? '' : ' (must be 100)');
    });
  });

  const show = errors => {
    form.querySelectorAll('.field-error').forEach(e => { if (!e.closest('.cond-builder')) e.remove(); });
    const byPath = {};
    for (const e of errors) byPath[e.path] = byPath[e.path] ? `${byPath[e.path]}; ${e.message}` : e.message;
    builders.forEach(b => b.setErrors(byPath));
    for (const e of errors) {
      if (ownedByBuilder(e.path)) continue;
      const input = e.inputId && document.getElementById(e.inputId);
      if (!input) continue;
      const p = document.createElement('p');
      p.className = 'field-error';
      p.dataset.live = '';
      p.dataset.field = e.path;
      p.textContent = `${e.label}: ${e.message}`;
      input.insertAdjacentElement('afterend', p);
    }
  };

  // A click on a box of the flow diagram opens that step's editor, ready to type in.
  // (delegated: the diagram comes after this script in the page)
  document.addEventListener('click', e => {
    const a = e.target.closest && e.target.closest('a.flow-step');
    if (!a) return;
    const step = document.querySelector(a.getAttribute('href'));
    if (!step) return;
    form.querySelectorAll('.step.focused').forEach(s => s.classList.remove('focused'));
    step.classList.add('focused');
    setTimeout(() => step.querySelector('input:not([type=hidden]), select')?.focus(), 0);
  });

  let timer;
  let pending = Promise.resolve();
  const save = async () => {
    const url = location.pathname + '?handler=Draft';
    const response = await fetch(url, { method: 'POST', body: new FormData(form), headers: { Accept: 'application/json' } });
    if (!response.ok) { status.textContent = 'Could not save the draft.'; return; }
    const result = await response.json();
    show(result.errors || []);
    const n = (result.errors || []).length;
    status.textContent = n === 0 ? 'Draft saved.' : `Draft saved; ${n} field${n === 1 ? '' : 's'} to fix before publishing.`;
  };

  const schedule = () => {
    clearTimeout(timer);
    status.textContent = 'Saving…';
    timer = setTimeout(() => { pending = pending.then(save); }, 500);
  };
  form.addEventListener('submit', () => { clearTimeout(timer); form.removeEventListener('input', schedule); form.removeEventListener('change', schedule); });
  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);
})();
