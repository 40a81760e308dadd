using System.Text.Json;

namespace NurtureEngine.Web.Forms;

/// <summary>
/// <c>/f/{key}/embed.js</c>: writes the form (the same HTML as the hosted page) where the script tag
/// stands, and submits it as JSON to <c>/f/{key}</c> (the site's origin must be in allowedOrigins), showing
/// each field's error next to it, or the thank-you message, or following the redirect. Without
/// JavaScript nothing renders: the plain HTML form in the builder is the alternative.
/// </summary>
public static class EmbedScript
{
    public static string For(string key, string formHtml, string action) => $$"""
        (function () {
          var html = {{JsonSerializer.Serialize(formHtml)}};
          var css = {{JsonSerializer.Serialize(FormHtml.Styles)}};
          var action = {{JsonSerializer.Serialize(action)}};
          var script = document.currentScript;
          // Submit where the script came from (the installation's public URL is the fallback).
          try { if (script && script.src) action = new URL({{JsonSerializer.Serialize(new Uri(action).AbsolutePath)}}, script.src).href; } catch (e) { }
          var host = document.createElement('div');
          host.className = 'nurture-embed';
          if (!document.getElementById('nurture-form-css')) {
            var style = document.createElement('style'); style.id = 'nurture-form-css'; style.textContent = css; document.head.appendChild(style);
          }
          host.innerHTML = html;
          if (script && script.parentNode) script.parentNode.insertBefore(host, script); else document.body.appendChild(host);
          var form = host.querySelector('form');
          function visitor() { var m = document.cookie.match(/(?:^|; )nurture_vid=([A-Za-z0-9_-]+)/); return m ? m[1] : null; }
          function clearErrors() {
            form.querySelectorAll('.nf-error,.nf-summary').forEach(function (e) { e.remove(); });
            form.querySelectorAll('[aria-invalid]').forEach(function (e) { e.removeAttribute('aria-invalid'); e.removeAttribute('aria-describedby'); });
          }
          function showErrors(errors, detail) {
            var summary = document.createElement('div'); summary.className = 'nf-summary'; summary.setAttribute('role', 'alert'); summary.tabIndex = -1;
            var p = document.createElement('p'); var b = document.createElement('strong'); b.textContent = errors ? 'Please correct the fields marked below.' : (detail || 'The form could not be sent.');
            p.appendChild(b); summary.appendChild(p); form.insertBefore(summary, form.firstChild);
            Object.keys(errors || {}).forEach(function (name) {
              var input = form.querySelector('[name="' + name.replace(/"/g, '') + '"]');
              if (!input || input.type === 'hidden') { b.textContent = errors[name].join(' '); return; }
              var err = document.createElement('p'); err.className = 'nf-error'; err.id = input.id + '-error'; err.textContent = errors[name].join(' ');
              input.setAttribute('aria-invalid', 'true'); input.setAttribute('aria-describedby', err.id);
              input.closest('.nf-field').appendChild(err);
            });
            summary.focus();
          }
          form.addEventListener('submit', function (ev) {
            ev.preventDefault();
            clearErrors();
            var data = {};
            Array.prototype.forEach.call(form.elements, function (el) {
              if (!el.name) return;
              if (el.type === 'checkbox') { data[el.name] = el.checked ? 'on' : ''; return; }
              data[el.name] = el.value;
            });
            data.pageUrl = location.href;
            var v = visitor(); if (v) data.visitor = v;
            var button = form.querySelector('button'); button.disabled = true;
            fetch(action, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(data), credentials: 'omit' })
              .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
              .then(function (res) {
                button.disabled = false;
                if (!res.ok) { showErrors(res.body.errors, res.body.detail); return; }
                var asset = res.body.asset && res.body.asset.url ? res.body.asset : null;
                // A gated asset is shown first (with a link on); without one the redirect is followed.
                if (res.body.redirectUrl && !asset) { location.href = res.body.redirectUrl; return; }
                var done = document.createElement('div'); done.className = 'nurture-form'; done.setAttribute('role', 'status');
                var msg = document.createElement('p'); msg.textContent = res.body.message; done.appendChild(msg);
                if (asset) {
                  var a = document.createElement('a'); a.href = asset.url; a.textContent = asset.label || 'Download'; a.setAttribute('download', ''); done.appendChild(a);
                  if (res.body.redirectUrl) {
                    var on = document.createElement('a'); on.href = res.body.redirectUrl; on.textContent = 'Continue'; on.className = 'nf-continue';
                    var p2 = document.createElement('p'); p2.appendChild(on); done.appendChild(p2);
                  }
                }
                host.replaceChildren(done);
              })
              .catch(function () { button.disabled = false; showErrors(null, 'The form could not be sent. Please try again.'); });
          });
        })();
        """;
}
