// Live member count for the segment builder: the same POST as the "Count members" button, as JSON.
(() => {
  const form = document.getElementById('segment-form');
  const filter = document.getElementById('filter');
  const out = document.getElementById('member-count');
  if (!form || !filter || !out) return;
  let timer;
  filter.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const body = new FormData(form);
      const url = document.getElementById('count').getAttribute('formaction');
      const response = await fetch(url, { method: 'POST', body, headers: { Accept: 'application/json' } });
      if (!response.ok) return;
      const result = await response.json();
      const errors = Object.entries(result.errors || {});
      out.textContent = errors.length ? errors.map(([k, v]) => `${k}: ${v}`).join('; ')
        : `${result.members} member${result.members === 1 ? '' : 's'}`;
    }, 400);
  });
})();
