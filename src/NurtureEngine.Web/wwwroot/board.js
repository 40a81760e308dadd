// Pipeline board: SortableJS (wwwroot/lib/sortablejs, vendored by the build; mouse and touch) moves a
// card between columns, and the drop submits that card's own move form (the same form the keyboard
// uses), so a drop is a real, CSRF-protected stage change. A lost stage of a deal pipeline needs a
// reason: the card goes back and its form opens at the reason field instead of submitting.
(() => {
  const board = document.getElementById('board');
  if (!board || !window.Sortable) return;
  board.querySelectorAll('.board-cards').forEach(list => Sortable.create(list, {
    group: 'board',
    sort: false,
    draggable: '.board-card',
    filter: 'details, a, input, select, button',
    preventOnFilter: false,
    delay: 150, delayOnTouchOnly: true, // a touch that moves at once scrolls the page
    ghostClass: 'dragging',
    onAdd: e => {
      const card = e.item, column = e.to.closest('.board-column');
      const form = card.querySelector('.move-form');
      form.querySelector('select[name=stage]').value = column.dataset.stage;
      const reason = form.querySelector('input[name=lostReason]');
      if (column.dataset.kind === 'lost' && reason && !reason.value.trim()) {
        e.from.insertBefore(card, e.from.children[e.oldIndex] || null);
        card.querySelector('details').open = true;
        reason.setCustomValidity('Give a reason to move this deal to a lost stage.');
        reason.reportValidity();
        reason.addEventListener('input', () => reason.setCustomValidity(''), { once: true });
        reason.focus();
        return;
      }
      form.submit();
    },
  }));
})();
