// The visual email editor (GrapesJS + its newsletter preset) on the template page.
//
// The stored template stays one Scriban HTML body: the visual view loads it from the #html
// textarea and writes it back (a <style> block followed by the blocks' HTML) before every submit,
// so the code view and the visual view always edit the same text. Lead fields are plain Scriban
// expressions ({{ lead.first_name }}), escaped when the email is rendered, as in code.
//
// The compliance footer (postal address, unsubscribe link, open pixel) is added by the server to
// every marketing email. The editor shows it as a locked block that cannot be removed, moved or
// copied, and never writes it into the template.
(function () {
  'use strict';
  var root = document.getElementById('visual-editor');
  if (!root || !window.grapesjs) return;

  var form = document.getElementById('template-form');
  var htmlField = document.getElementById('html');
  var modeField = document.getElementById('editor-mode');
  var notice = document.getElementById('editor-notice');
  var token = form.querySelector('input[name="__RequestVerificationToken"]').value;
  var FOOTER_ATTR = 'data-nurture-footer';

  var columnCell = 'padding:8px;vertical-align:top;';
  var blocks = [
    { id: 'heading', label: 'Heading', category: 'Text', content: '<h1 style="font-size:26px;line-height:1.25;margin:0 0 16px;color:#111827">Your headline</h1>' },
    { id: 'text-block', label: 'Text', category: 'Text', content: '<p style="margin:0 0 16px">Write something your reader cares about.</p>' },
    { id: 'greeting', label: 'Greeting (first name)', category: 'Lead fields', content: '<p style="margin:0 0 16px">Hi {{ lead.first_name }},</p>' },
    { id: 'field-first-name', label: 'First name', category: 'Lead fields', content: { type: 'text', tagName: 'span', content: '{{ lead.first_name }}' } },
    { id: 'field-company', label: 'Company', category: 'Lead fields', content: { type: 'text', tagName: 'span', content: '{{ lead.company }}' } },
    { id: 'owner-signature', label: 'Owner signature', category: 'Lead fields', content: '<p style="margin:16px 0 0">{{ owner.name }}<br>{{ company.name }}</p>' },
    { id: 'button-block', label: 'Button', category: 'Basic', content:
      '<table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 24px"><tr><td style="border-radius:6px;background:#2563eb">' +
      '<a href="https://example.com" style="display:inline-block;padding:12px 22px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px">Call to action</a>' +
      '</td></tr></table>' },
    { id: 'image-block', label: 'Image', category: 'Basic', chooseImage: true,
      content: { type: 'image', style: { 'max-width': '100%', height: 'auto', display: 'block' }, attributes: { alt: '' } } },
    { id: 'columns-2', label: 'Two columns', category: 'Layout', content:
      '<table role="presentation" class="row" width="100%" cellpadding="0" cellspacing="0"><tr>' +
      '<td class="column" width="50%" style="' + columnCell + 'width:50%"></td><td class="column" width="50%" style="' + columnCell + 'width:50%"></td>' +
      '</tr></table>' },
    { id: 'columns-3', label: 'Three columns', category: 'Layout', content:
      '<table role="presentation" class="row" width="100%" cellpadding="0" cellspacing="0"><tr>' +
      '<td class="column" width="33%" style="' + columnCell + 'width:33%"></td><td class="column" width="33%" style="' + columnCell + 'width:33%"></td><td class="column" width="33%" style="' + columnCell + 'width:33%"></td>' +
      '</tr></table>' },
    { id: 'divider-block', label: 'Divider', category: 'Layout', content: '<hr style="border:0;border-top:1px solid #e5e7eb;margin:24px 0">' },
    { id: 'spacer', label: 'Spacer', category: 'Layout', content:
      '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td height="32" style="height:32px;line-height:32px;font-size:1px">&nbsp;</td></tr></table>' },
    { id: 'social', label: 'Social links', category: 'Basic', content:
      '<p class="social" style="margin:16px 0;text-align:center">' +
      '<a href="https://www.linkedin.com/" style="margin:0 8px;color:#2563eb">LinkedIn</a> · ' +
      '<a href="https://x.com/" style="margin:0 8px;color:#2563eb">X</a> · ' +
      '<a href="https://www.youtube.com/" style="margin:0 8px;color:#2563eb">YouTube</a></p>' },
  ];

  var editor = window.grapesjs.init({
    container: '#visual-canvas',
    height: '640px',
    fromElement: false,
    storageManager: false,
    plugins: [window['grapesjs-preset-newsletter']],
    pluginsOpts: {},
    pluginsOptsByName: {},
    // A block clicked is added to the selected cell, else at the end of the email (above the footer).
    blockManager: { appendTo: '#visual-blocks', appendOnClick: appendBlock },
    deviceManager: { devices: [{ id: 'desktop', name: 'Desktop', width: '640px' }, { id: 'mobile', name: 'Mobile', width: '375px', widthMedia: '480px' }] },
    assetManager: {
      assets: JSON.parse(root.dataset.assets || '[]'),
      uploadFile: uploadImages,
    },
    canvas: { styles: [] },
  });
  window.nurtureEditor = editor;

  blocks.forEach(function (b) { editor.BlockManager.add(b.id, b); });
  ['sect100', 'sect50', 'sect30', 'sect37', 'text-sect', 'grid-items', 'list-items', 'link-block', 'quote', 'link', 'button', 'divider', 'text', 'image'].forEach(function (id) { editor.BlockManager.remove(id); });

  // Lead fields inside text: the rich-text toolbar inserts a Scriban expression at the caret.
  editor.RichTextEditor.add('lead-field', {
    icon: '<select class="gjs-field" title="Insert a lead field"><option value="">+ field</option>' +
      ['lead.first_name', 'lead.last_name', 'lead.company', 'lead.job_title', 'owner.name', 'company.name'].map(function (f) { return '<option value="' + f + '">' + f + '</option>'; }).join('') +
      '</select>',
    event: 'change',
    result: function (rte, action) {
      var value = action.btn.firstChild.value;
      if (value) rte.insertHTML('{{ ' + value + ' }}');
      action.btn.firstChild.value = '';
    },
    update: function () {},
  });

  // Uploads go to the page's UploadImage handler (antiforgery token, marketer role); the server
  // checks the type by content and the size, and answers the stored image's public URL.
  function uploadImages(e) {
    var files = (e.dataTransfer || e.target).files;
    var body = new FormData();
    for (var i = 0; i < files.length; i++) body.append('file', files[i]);
    fetch(window.location.pathname + '?handler=UploadImage', { method: 'POST', body: body, credentials: 'same-origin', headers: { RequestVerificationToken: token } })
      .then(function (r) { return r.json().then(function (json) { return { ok: r.ok, json: json }; }); })
      .then(function (res) {
        if (!res.ok) return showNotice(uploadError(res.json));
        editor.AssetManager.add(res.json.data);
        // Uploaded from an image block's picker: that image shows the new picture at once.
        if (pendingImage && res.json.data.length) placeImage(pendingImage, res.json.data[0].src);
      })
      .catch(function (err) { showNotice('Image not uploaded: ' + err.message); });
  }

  var footer;
  function wrapper() { return editor.getWrapper(); }
  function isFooter(c) { return !!c && !!c.getAttributes()[FOOTER_ATTR]; }
  function insideFooter(c) { for (; c; c = c.parent()) if (isFooter(c)) return true; return false; }

  function addFooter() {
    var lock = { removable: false, draggable: false, droppable: false, copyable: false, editable: false, hoverable: true, selectable: true, layerable: true, stylable: false };
    footer = wrapper().append({
      tagName: 'div', name: 'Compliance footer (added to every email)',
      attributes: { 'data-nurture-footer': 'true', title: 'Added by NurtureEngine to every marketing email; it cannot be removed.' },
      style: { 'margin-top': '32px', 'padding-top': '16px', 'border-top': '1px solid #ddd', 'font-size': '12px', color: '#666', 'font-family': 'sans-serif' },
      components: [
        { type: 'textnode', content: root.dataset.sender },
        { tagName: 'br' },
        { tagName: 'a', attributes: { href: '#unsubscribe' }, style: { color: '#666' }, components: [{ type: 'textnode', content: 'Unsubscribe or manage your preferences' }] },
      ],
    })[0];
    [footer].concat(footer.components().models).forEach(function (c) { c.set(lock); });
    footer.components().forEach(function (c) { c.set(lock); });
  }

  function appendBlock(block) {
    var selected = editor.getSelected();
    var content = block.get('content');
    var added;
    if (selected && !insideFooter(selected) && selected.get('droppable') && selected !== wrapper() && selected.is('cell')) {
      added = selected.append(content);
    } else {
      added = wrapper().append(content, { at: wrapper().components().indexOf(footer) });
    }
    if (added && added[0]) {
      editor.select(added[0]);
      if (block.get('chooseImage')) chooseImage(added[0]);
    }
  }

  // A new image block asks for its picture: upload one or pick an uploaded one (double-click picks and closes).
  var pendingImage = null;
  function placeImage(target, src) {
    target.set('src', src);
    target.addAttributes({ src: src });
  }
  function chooseImage(target) {
    var am = editor.AssetManager;
    pendingImage = target;
    am.open({
      types: ['image'], accept: 'image/*', target: target,
      select: function (asset, complete) {
        placeImage(target, asset.getSrc());
        if (complete) am.close();
      },
    });
  }

  // Deleting the footer (Delete key, toolbar or command) is refused, and the editor says why.
  // (GrapesJS 0.23 names the event command:run:before:<id>; aborting it stops the delete).
  editor.on('command:run:before:core:component-delete', function (e) {
    var targets = [].concat(e.options.component || editor.getSelectedAll());
    if (!targets.some(insideFooter)) return;
    e.options.abort = true;
    showNotice('The compliance footer (postal address and unsubscribe link) is added to every email and cannot be deleted.');
  });
  editor.on('component:selected', function (c) { if (insideFooter(c)) showNotice('The compliance footer is added to every email by NurtureEngine: it cannot be changed or deleted here (set the postal address in Settings).'); });

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = false;
  }

  function uploadError(err) {
    var detail = err && err.errors && err.errors.file ? err.errors.file.join(' ') : (err && err.message) || 'the upload failed';
    return 'Image not uploaded: ' + detail;
  }

  function load(source) {
    editor.setComponents(source || '');
    addFooter();
  }

  // The template as stored: the blocks' own CSS, then their HTML; never the footer.
  function serialize() {
    var parts = wrapper().components().filter(function (c) { return !isFooter(c); }).map(function (c) { return c.toHTML(); });
    var css = editor.getCss({ avoidProtected: true, keepUnusedStyles: false }).trim();
    return (css ? '<style>\n' + css + '\n</style>\n' : '') + parts.join('\n') + '\n';
  }

  var visual = modeField.value === 'visual';
  function setMode(toVisual) {
    if (toVisual && !visual) load(htmlField.value);
    if (!toVisual && visual) htmlField.value = serialize();
    visual = toVisual;
    modeField.value = visual ? 'visual' : 'code';
    document.getElementById('visual-pane').hidden = !visual;
    document.getElementById('code-pane').hidden = visual;
    document.getElementById('tab-visual').setAttribute('aria-selected', String(visual));
    document.getElementById('tab-code').setAttribute('aria-selected', String(!visual));
    if (visual) editor.refresh();
  }
  document.getElementById('tab-visual').addEventListener('click', function () { setMode(true); });
  document.getElementById('tab-code').addEventListener('click', function () { setMode(false); });
  document.getElementById('device-desktop').addEventListener('click', function () { editor.setDevice('desktop'); });
  document.getElementById('device-mobile').addEventListener('click', function () { editor.setDevice('mobile'); });

  form.addEventListener('submit', function () { if (visual) htmlField.value = serialize(); });

  editor.onReady(function () {
    if (visual) { load(htmlField.value); }
    setMode(visual);
    root.dataset.ready = 'true';
  });
})();
