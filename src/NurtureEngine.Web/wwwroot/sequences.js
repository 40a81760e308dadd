// Sequence builder: keeps the draft on the server as you type and shows each refused field at the
// field, without publishing (the same POST as the "Save draft" button, answered as JSON).
(() => {
  const form = document.getElementById('builder');
  const status = document.getElementById('draft-status');
  if (!form || !status) return;
  let timer;
  let pending = Promise.resolve();

  const show = errors => {
    form.querySelectorAll('.field-error[data-live]').forEach(e => e.remove());
    form.querySelectorAll('.field-error:not([data-live])').forEach(e => e.remove());
    for (const e of errors) {
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
