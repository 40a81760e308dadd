namespace NurtureEngine.Web.Forms;

/// <summary>
/// <c>/t/nurture.js</c>: records page views with <c>POST /t/p</c> under a first-party visitor id (a cookie of
/// the site, <c>nurture_vid</c>, one year). Does nothing without consent (<c>window.nurtureConsent === false</c>,
/// or an earlier <c>nurture.consent(false)</c>) or when the browser asks not to be tracked (DNT, Global Privacy
/// Control). A site's consent banner calls <c>nurture.consent(true)</c> when the visitor agrees (this page view is
/// recorded at once) and <c>nurture.consent(false)</c> when they withdraw: the visitor id is deleted and a
/// <c>nurture_consent=no</c> cookie keeps every later page quiet until they agree again. A tracked email link
/// arrives with <c>nv=</c> (a signed visitor token): it is handed back once, identifying the visitor as the lead. A
/// form of ours on the page (embedded, or pasted as plain HTML) is submitted with the visitor id: the visitor becomes the lead.
/// </summary>
public static class WebsiteScript
{
    public static string For(string baseUrl) => $$"""
        (function () {
          var w = window, n = navigator, d = document;
          var dnt = n.doNotTrack === '1' || w.doNotTrack === '1' || n.globalPrivacyControl === true;
          var secure = location.protocol === 'https:' ? '; Secure' : '';
          function cookie(name) { var m = d.cookie.match(new RegExp('(?:^|; )' + name + '=([A-Za-z0-9_-]+)')); return m ? m[1] : null; }
          // The beacon goes where the script came from (the installation's public URL is the fallback).
          var endpoint = {{System.Text.Json.JsonSerializer.Serialize(baseUrl + "/t/p")}};
          try { if (d.currentScript && d.currentScript.src) endpoint = new URL('/t/p', d.currentScript.src).href; } catch (e) { }
          var nurture = w.nurture = w.nurture || {};
          var id = null;

          function start() {
            if (id || dnt) return;
            id = cookie('nurture_vid');
            if (!id) {
              var bytes = new Uint8Array(16); (w.crypto || w.msCrypto).getRandomValues(bytes);
              id = Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
              d.cookie = 'nurture_vid=' + id + '; path=/; max-age=31536000; SameSite=Lax' + secure;
            }
            nurture.visitor = id;
            var token = null;
            try { token = new URLSearchParams(location.search).get('nv'); } catch (e) { }
            var body = JSON.stringify({ url: location.href, title: d.title, referrer: d.referrer, visitor: id, token: token });
            var blob = new Blob([body], { type: 'text/plain' });
            if (!(n.sendBeacon && n.sendBeacon(endpoint, blob)))
              fetch(endpoint, { method: 'POST', body: body, headers: { 'Content-Type': 'text/plain' }, mode: 'no-cors', keepalive: true, credentials: 'omit' });
          }

          // The site's consent banner: true records this page and the next; false forgets the visitor and stays quiet.
          nurture.consent = function (given) {
            if (given === false) {
              id = null; delete nurture.visitor; w.nurtureConsent = false;
              d.cookie = 'nurture_vid=; path=/; max-age=0; SameSite=Lax' + secure;
              d.cookie = 'nurture_consent=no; path=/; max-age=31536000; SameSite=Lax' + secure;
              return;
            }
            w.nurtureConsent = true;
            d.cookie = 'nurture_consent=; path=/; max-age=0; SameSite=Lax' + secure;
            start();
          };

          // A form of ours pasted as plain HTML: at submit, it carries the visitor id and the page (the Referer
          // of a cross-site post is only the origin), so the anonymous history joins the lead.
          d.addEventListener('submit', function (ev) {
            var f = ev.target;
            if (!id || !f || !f.hasAttribute || !f.hasAttribute('data-nurture-form')) return;
            [['visitor', id], ['pageUrl', location.href]].forEach(function (p) {
              var input = f.querySelector('input[name="' + p[0] + '"]');
              if (!input) { input = d.createElement('input'); input.type = 'hidden'; input.name = p[0]; f.appendChild(input); }
              input.value = p[1];
            });
          }, true);

          if (w.nurtureConsent !== false && cookie('nurture_consent') !== 'no') start();
        })();
        """;
}
