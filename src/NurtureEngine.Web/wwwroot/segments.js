// Segment page: the visual filter builder (conditions.js) over the JSON textarea, and a live
// member count. Errors from the server are shown at the condition they name.
(() => {
  const form = document.getElementById('segment-form');
  const filter = document.getElementById('filter');
  const out = document.getElementById('member-count');
  const root = document.getElementById('filter-builder');
  if (!form || !filter || !out) return;

  let builder = null;
  if (root) {
    builder = window.ConditionBuilder.mount(root, filter, {
      base: 'filter', options: JSON.parse(root.dataset.options || '{}'), errors: JSON.parse(root.dataset.errors || '{}'),
    });
    if (builder) {
      // The JSON view stays as the person left it (power users keep it open), closed at first.
      const details = document.getElementById('filter-json');
      details.open = sessionStorage.getItem('segment-json-open') === '1';
      details.addEventListener('toggle', () => sessionStorage.setItem('segment-json-open', details.open ? '1' : '0'));
      document.querySelectorAll('[data-server-error]').forEach(e => e.remove()); // shown at their conditions instead
    }
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
      if (builder) builder.setErrors(result.errors || {});
    }, 400);
  });
})();
