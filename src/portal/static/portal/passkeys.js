/* Klantportaal — passkeys (WebAuthn, R-X-2). A button with data-passkey runs one ceremony:
 *   data-passkey="create" or "get"         navigator.credentials.create / .get
 *   data-passkey-options="{…}"             the options (JSON from the server), or
 *   data-passkey-options-url="/…"          where to POST for them (the login page: no session
 *                                          is made for a visitor who does not use a passkey)
 *   data-passkey-form="id"                 the form whose "answer" field gets the browser's
 *                                          answer (JSON); the form is then submitted
 *   data-passkey-failed, data-passkey-unsupported   the texts shown in data-passkey-status
 * The buttons are hidden in the HTML and shown here only when the browser can use passkeys. */
(function () {
  "use strict";

  // A passkey belongs to a domain name: on an address like 127.0.0.1 browsers refuse them.
  var host = window.location.hostname;
  var ipAddress = /^[0-9.]+$/.test(host) || host.indexOf(":") !== -1;
  if (!window.PublicKeyCredential || !navigator.credentials || ipAddress) {
    document.querySelectorAll("[data-passkey-unsupported-note]").forEach(function (note) {
      note.hidden = false;
    });
    return;
  }

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) {
      return null;
    }
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBytes(item.id), transports: item.transports };
    });
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBytes(json.user.id) });
    options.excludeCredentials = descriptors(json.excludeCredentials);
    return { publicKey: options };
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.allowCredentials = descriptors(json.allowCredentials);
    return { publicKey: options };
  }

  function answer(credential) {
    var response = credential.response;
    var data = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toText(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      data.response.attestationObject = toText(response.attestationObject);
      data.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      data.response.authenticatorData = toText(response.authenticatorData);
      data.response.signature = toText(response.signature);
      data.response.userHandle = toText(response.userHandle);
    }
    return JSON.stringify(data);
  }

  function options(button, form) {
    if (button.dataset.passkeyOptions) {
      return Promise.resolve(JSON.parse(button.dataset.passkeyOptions));
    }
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    return fetch(button.dataset.passkeyOptionsUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("options " + response.status);
      }
      return response.json();
    });
  }

  document.querySelectorAll("[data-passkey]").forEach(function (button) {
    var form = document.getElementById(button.dataset.passkeyForm);
    var status = document.querySelector(
      '[data-passkey-status="' + button.dataset.passkeyForm + '"]'
    );
    if (!form) {
      return;
    }
    button.hidden = false;
    var wrapper = button.closest("[data-passkey-section]");
    if (wrapper) {
      wrapper.hidden = false;
    }

    function say(text) {
      if (status) {
        status.textContent = text;
        status.hidden = !text;
      }
    }

    button.addEventListener("click", function () {
      button.disabled = true;
      say("");
      options(button, form)
        .then(function (json) {
          return button.dataset.passkey === "create"
            ? navigator.credentials.create(creationOptions(json))
            : navigator.credentials.get(requestOptions(json));
        })
        .then(function (credential) {
          form.querySelector("[name=answer]").value = answer(credential);
          form.submit();
        })
        .catch(function () {
          // Cancelled, timed out, or no passkey for this site: the page stays usable and
          // the same options may be tried again (the server uses a challenge up only when an
          // answer arrives).
          button.disabled = false;
          say(button.dataset.passkeyFailed || "");
        });
    });
  });
})();
