namespace NurtureEngine.Web.Forms;

/// <summary>
/// <c>/t/nurture.js</c>: records page views with <c>POST /t/p</c> under a first-party visitor id (a cookie of
/// the site, <c>nurture_vid</c>, one year). Does nothing without consent (<c>window.nurtureConsent === false</c>)
/// or when the browser asks not to be tracked (DNT, Global Privacy Control). A tracked email link arrives
/// with <c>nv=</c> (a signed visitor token): it is handed back once, identifying the visitor as the lead. A form
/// of ours on the page (embedded, or pasted as plain HTML) is submitted with the visitor id: the visitor becomes the lead.
/// </summary>
public static class WebsiteScript
{
    public static string For(string baseUrl) => $$"""
        (function () {
          var w = window, n = navigator;
          if (w.nurtureConsent === false || n.doNotTrack === '1' || w.doNotTrack === '1' || n.globalPrivacyControl === true) return;
          // The beacon goes where the script came from (the installation's public URL is the fallback).
          var endpoint = {{System.Text.Json.JsonSerializer.Serialize(baseUrl + "/t/p")}};
          try { if (document.currentScript && document.currentScript.src) endpoint = new URL('/t/p', document.currentScript.src).href; } catch (e) { }
          var m = document.cookie.match(/(?:^|; )nurture_vid=([A-Za-z0-9_-]+)/);
          var id = m ? m[1] : null;
          if (!id) {
            var bytes = new Uint8Array(16); (w.crypto || w.msCrypto).getRandomValues(bytes);
            id = Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
            document.cookie = 'nurture_vid=' + id + '; path=/; max-age=31536000; SameSite=Lax' + (location.protocol === 'https:' ? '; Secure' : '');
          }
          var token = null;
          try { token = new URLSearchParams(location.search).get('nv'); } catch (e) { }
          var body = JSON.stringify({ url: location.href, title: document.title, referrer: document.referrer, visitor: id, token: token });
          var blob = new Blob([body], { type: 'text/plain' });
          if (!(n.sendBeacon && n.sendBeacon(endpoint, blob)))
            fetch(endpoint, { method: 'POST', body: body, headers: { 'Content-Type': 'text/plain' }, mode: 'no-cors', keepalive: true, credentials: 'omit' });
          w.nurture = { visitor: id };
          // A form of ours pasted as plain HTML: at submit, it carries the visitor id and the page (the Referer
          // of a cross-site post is only the origin), so the anonymous history joins the lead.
          document.addEventListener('submit', function (ev) {
            var f = ev.target;
            if (!f || !f.hasAttribute || !f.hasAttribute('data-nurture-form')) return;
            [['visitor', id], ['pageUrl', location.href]].forEach(function (p) {
              var input = f.querySelector('input[name="' + p[0] + '"]');
              if (!input) { input = document.createElement('input'); input.type = 'hidden'; input.name = p[0]; f.appendChild(input); }
              input.value = p[1];
            });
          }, true);
        })();
        """;
}
