// The form builder's live preview: the builder's fields are posted to the Preview handler as you type;
// the server renders the same HTML the public form uses (escaped there), shown in #preview.
(function () {
  var form = document.getElementById('form-builder');
  var preview = document.getElementById('preview');
  if (!form || !preview) return;
  var timer = null;
  function refresh() {
    var data = new FormData(form);
    var url = form.getAttribute('action') || location.pathname;
    url += (url.indexOf('?') < 0 ? '?' : '&') + 'handler=Preview';
    fetch(url, { method: 'POST', body: data, headers: { 'Accept': 'text/html-fragment' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) preview.innerHTML = html; });
  }
  form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(refresh, 250); });
  form.addEventListener('change', function () { clearTimeout(timer); timer = setTimeout(refresh, 50); });
})();
