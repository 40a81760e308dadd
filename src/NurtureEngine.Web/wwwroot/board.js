// Pipeline board: dragging a card onto another column submits that card's own move form (the same
// form the keyboard uses), so a drop is a real, CSRF-protected stage change. A lost stage of a deal
// pipeline needs a reason: the form opens at its reason field instead of submitting.
(() => {
  const board = document.getElementById('board');
  if (!board) return;
  let dragged = null;
  board.addEventListener('dragstart', e => {
    const card = e.target.closest('.board-card');
    if (!card) return;
    dragged = card;
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', card.dataset.id);
    card.classList.add('dragging');
  });
  board.addEventListener('dragend', () => { if (dragged) dragged.classList.remove('dragging'); dragged = null; });
  board.querySelectorAll('.board-column').forEach(column => {
    column.addEventListener('dragover', e => { if (dragged) { e.preventDefault(); column.classList.add('drop-target'); } });
    column.addEventListener('dragleave', () => column.classList.remove('drop-target'));
    column.addEventListener('drop', e => {
      e.preventDefault();
      column.classList.remove('drop-target');
      const card = dragged || document.getElementById('card-' + e.dataTransfer.getData('text/plain'));
      if (!card || card.closest('.board-column') === column) return;
      const form = card.querySelector('.move-form');
      form.querySelector('select[name=stage]').value = column.dataset.stage;
      const reason = form.querySelector('input[name=lostReason]');
      if (column.dataset.kind === 'lost' && reason && !reason.value.trim()) {
        card.querySelector('details').open = true;
        reason.setCustomValidity('Give a reason to move this deal to a lost stage.');
        reason.reportValidity();
        reason.addEventListener('input', () => reason.setCustomValidity(''), { once: true });
        reason.focus();
        return;
      }
      form.submit();
    });
  });
})();
