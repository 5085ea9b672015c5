// Passkeys (WebAuthn) on the account and sign-in pages: the server's options (from webauthn-rs)
// carry binary fields as base64url; the browser's API wants ArrayBuffers, and the answers go
// back as base64url again. Buttons say what they do with data-passkey and where to post with
// data-options / data-finish; forms carry the CSRF token.
(function () {
  'use strict';
  function decode(text) {
    var s = text.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) { s += '='; }
    var bin = atob(s);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    return bytes.buffer;
  }
  function encode(buffer) {
    var bytes = new Uint8Array(buffer);
    var s = '';
    for (var i = 0; i < bytes.length; i++) { s += String.fromCharCode(bytes[i]); }
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function post(url, fields) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json' },
      body: new URLSearchParams(fields)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new Error(data.message || ('HTTP ' + response.status)); }
        return data;
      });
    });
  }
  function field(form, name) {
    var input = form.querySelector('[name="' + name + '"]');
    return input ? input.value : '';
  }
  function say(button, message) {
    var out = document.getElementById(button.getAttribute('data-status') || 'passkey-status');
    if (out) { out.textContent = message; out.hidden = false; }
  }
  function register(button) {
    var form = button.closest('form');
    var csrf = field(form, 'csrf_token');
    return post(button.getAttribute('data-options'), { csrf_token: csrf }).then(function (options) {
      var key = options.publicKey;
      key.challenge = decode(key.challenge);
      key.user.id = decode(key.user.id);
      (key.excludeCredentials || []).forEach(function (c) { c.id = decode(c.id); });
      return navigator.credentials.create({ publicKey: key });
    }).then(function (credential) {
      var answer = {
        id: credential.id,
        rawId: encode(credential.rawId),
        type: credential.type,
        response: {
          attestationObject: encode(credential.response.attestationObject),
          clientDataJSON: encode(credential.response.clientDataJSON)
        },
        extensions: credential.getClientExtensionResults()
      };
      return post(button.getAttribute('data-finish'), {
        csrf_token: csrf, name: field(form, 'name'), credential: JSON.stringify(answer)
      });
    }).then(function (done) { window.location.href = done.redirect; });
  }
  function authenticate(button) {
    var form = button.closest('form');
    var csrf = field(form, 'csrf_token');
    return post(button.getAttribute('data-options'), {
      csrf_token: csrf, username: field(form, 'username')
    }).then(function (options) {
      var key = options.publicKey;
      key.challenge = decode(key.challenge);
      (key.allowCredentials || []).forEach(function (c) { c.id = decode(c.id); });
      return navigator.credentials.get({ publicKey: key });
    }).then(function (credential) {
      var r = credential.response;
      var answer = {
        id: credential.id,
        rawId: encode(credential.rawId),
        type: credential.type,
        response: {
          authenticatorData: encode(r.authenticatorData),
          clientDataJSON: encode(r.clientDataJSON),
          signature: encode(r.signature),
          userHandle: r.userHandle ? encode(r.userHandle) : null
        },
        extensions: credential.getClientExtensionResults()
      };
      return post(button.getAttribute('data-finish'), {
        csrf_token: csrf, credential: JSON.stringify(answer), return_to: field(form, 'return_to')
      });
    }).then(function (done) { window.location.href = done.redirect; });
  }
  document.addEventListener('DOMContentLoaded', function () {
    var buttons = document.querySelectorAll('[data-passkey]');
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      if (!window.PublicKeyCredential) { button.hidden = true; continue; }
      button.hidden = false;
      button.addEventListener('click', function (event) {
        event.preventDefault();
        var b = event.currentTarget;
        var run = b.getAttribute('data-passkey') === 'register' ? register : authenticate;
        run(b).catch(function (e) { say(b, e.message || String(e)); });
      });
    }
  });
})();
