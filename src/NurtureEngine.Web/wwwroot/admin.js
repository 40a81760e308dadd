// Small progressive enhancements for the admin; every page works without them.
(() => {
  document.documentElement.classList.add('js');

  // Navigation: folded behind "Menu" on narrow screens.
  const toggle = document.getElementById('nav-toggle');
  const nav = document.getElementById('site-nav');
  if (toggle && nav) {
    const narrow = window.matchMedia('(max-width: 900px)');
    const sync = () => { toggle.hidden = !narrow.matches; };
    sync();
    narrow.addEventListener('change', sync);
    toggle.addEventListener('click', () => {
      const open = nav.classList.toggle('open');
      toggle.setAttribute('aria-expanded', String(open));
    });
  }
  // The Admin group closes when you click elsewhere (a dropdown on wide screens).
  document.addEventListener('click', e => {
    document.querySelectorAll('details.nav-group[open]').forEach(d => { if (!d.contains(e.target)) d.open = false; });
  });

  // "Select all" boxes: <input type=checkbox data-select-all="name"> ticks every box of that name.
  document.querySelectorAll('input[data-select-all]').forEach(all => {
    all.hidden = false;
    const boxes = () => document.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`);
    all.addEventListener('change', () => boxes().forEach(b => { b.checked = all.checked; }));
  });

  // Fields that belong to one choice: data-when="selectId:value value2" shows only while that select
  // holds one of the values (without script every field shows, each labelled).
  // Exposed for parts of a page replaced after load (the sequence builder's step list).
  const bindChoices = root => {
    const switches = new Set([...root.querySelectorAll('[data-when]')].map(e => e.dataset.when.split(':')[0]));
    switches.forEach(id => {
      const select = document.getElementById(id);
      if (!select) return;
      const sync = () => document.querySelectorAll(`[data-when^="${id}:"]`).forEach(e => {
        e.hidden = !e.dataset.when.slice(id.length + 1).split(' ').includes(select.value);
      });
      sync();
      select.addEventListener('change', sync);
    });
  };
  bindChoices(document);
  window.NurtureAdmin = { bindChoices };
})();
