/* Klantportaal — writing a message (R-MSG-5, R-MSG-6).
 *
 * 1. The character counter "N van 4000 tekens", the notice "Maximum bereikt" and the removal of
 *    text beyond the maximum (typed or pasted; what goes is the excess of what was just added,
 *    so text written earlier is never lost). A character is a Unicode code point and a line
 *    break is one character, exactly as the server counts (messaging/text.py): Array.from()
 *    splits by code point, where String.length would count an emoji twice.
 * 2. The attachments dialog: "+ Bijlagen" opens it; "Bladeren" or dropping files adds them to
 *    the selection (1); "+ Meer toevoegen" (2); "Upload [x] bestanden" (3) uploads each file
 *    with its own progress bar; the cross removes a file from the selection (4); "Annuleer" (5)
 *    closes without adding. Uploaded files appear in the message with a trash button.
 *
 * Without this script the page still works: a plain multiple-file input and submit buttons.
 * All texts come from data attributes the server rendered in the user's language.
 */
(function () {
  "use strict";

  var form = document.getElementById("message-form");
  if (!form) {
    return;
  }
  var csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var csrfToken = csrfInput ? csrfInput.value : "";

  /* ---- 1. Counter and maximum -------------------------------------------------------- */

  function normalise(text) {
    return text.replace(/\r\n?/g, "\n");
  }

  function countChars(text) {
    return Array.from(normalise(text)).length;
  }

  /* Remove ``excess`` characters just before ``caret`` (the end of what was typed or pasted):
   * text beyond the maximum is dropped from what was just added, never from what was there
   * before. With the caret at the end this cuts the end of the text. Returns [text, caret]. */
  function cutBeforeCaret(text, caret, excess) {
    var before = Array.from(text.slice(0, caret));
    if (before.length < excess) {
      var all = Array.from(text);
      var kept = all.slice(0, all.length - excess).join("");
      return [kept, kept.length];
    }
    var head = before.slice(0, before.length - excess).join("");
    return [head + text.slice(caret), head.length];
  }

  var textarea = form.querySelector("textarea[data-max-chars]");
  if (textarea) {
    var max = parseInt(textarea.getAttribute("data-max-chars"), 10);
    var counter = document.getElementById(textarea.getAttribute("data-counter"));
    var notice = document.getElementById(textarea.getAttribute("data-notice"));
    var template = counter.getAttribute("data-template");
    var previous = countChars(textarea.value);

    var caretBeforeNotice = null;
    var showNotice = function () {
      if (notice && !notice.open && typeof notice.showModal === "function") {
        caretBeforeNotice = [textarea.selectionStart, textarea.selectionEnd];
        notice.showModal();
      }
    };
    // Back to the text with the caret where it was. Focus alone is not enough: after "OK" is
    // clicked with the mouse, Chromium leaves the caret outside the text (at 0, and typing does
    // nothing) until the selection is set again.
    var backToText = function () {
      textarea.focus();
      if (caretBeforeNotice) {
        textarea.setSelectionRange(caretBeforeNotice[0], caretBeforeNotice[1]);
      }
    };
    if (notice) {
      // "OK" closes the notice and puts the caret back at once, in the click itself: the
      // dialog's "close" event comes a task later, and a key typed in between would be lost.
      var ok = notice.querySelector("button");
      if (ok) {
        ok.addEventListener("click", function (event) {
          event.preventDefault();
          notice.close();
          backToText();
        });
      }
      notice.addEventListener("close", backToText); // Escape
    }

    var update = function () {
      var count = countChars(textarea.value);
      if (count > max) {
        var cut = cutBeforeCaret(normalise(textarea.value), textarea.selectionEnd, count - max);
        textarea.value = cut[0];
        textarea.setSelectionRange(cut[1], cut[1]);
        count = countChars(textarea.value);
        showNotice();
      } else if (count === max && previous < max) {
        showNotice();
      }
      previous = count;
      counter.textContent = template.replace("__N__", String(count));
      counter.classList.toggle("at-max", count >= max);
    };
    textarea.addEventListener("input", update);
    update();
  }

  /* ---- 2. Attachments ---------------------------------------------------------------- */

  var section = form.querySelector(".attachments[data-upload-url]");
  var dialog = document.getElementById("attachments-dialog");
  var openButton = document.getElementById("open-attachments");
  var attachmentList = document.getElementById("attachment-list");
  if (!section || !dialog || !openButton || typeof dialog.showModal !== "function") {
    return; // no <dialog> support: the plain file input stays
  }
  var uploadUrl = section.getAttribute("data-upload-url");
  var plainFiles = document.getElementById("plain-files");
  var plainInput = plainFiles.querySelector("input[type=file]");
  var picker = document.getElementById("dialog-files");
  var dropzone = document.getElementById("dropzone");
  var selectedList = document.getElementById("selected-files");
  var browseButton = document.getElementById("browse-files");
  var addMoreButton = document.getElementById("add-more");
  var uploadButton = document.getElementById("upload-files");
  var cancelButton = document.getElementById("cancel-upload");
  var texts = dialog.dataset;

  plainFiles.hidden = true;
  plainInput.disabled = true; // the dialog uploads the files; the form sends only their keys
  openButton.hidden = false;

  var selection = []; // {file, item, progress, status, xhr, done}
  var uploading = false;

  /* A size as the server's filesizeformat writes it in the page's language: its unit words
   * (data-size-units, rendered by the server), one decimal in the language's number format,
   * rounded as Python's round() does (a tie goes to the even tenth: 1.25 KB is "1.2 KB"). */
  var sizeUnits = JSON.parse(texts.sizeUnits || "{}");
  var sizeNumber = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    useGrouping: Boolean(sizeUnits.grouping),
  });

  function formatSize(bytes) {
    if (bytes < 1024) {
      return (bytes === 1 ? sizeUnits.byte : sizeUnits.bytes).replace("__N__", String(bytes));
    }
    var unit = bytes < 1024 * 1024 ? "KB" : bytes < 1024 * 1024 * 1024 ? "MB" : "GB";
    var divisor = unit === "KB" ? 1024 : unit === "MB" ? 1024 * 1024 : 1024 * 1024 * 1024;
    // bytes * 10 / 2^k is exact in floating point, so a tie is a true tie.
    var tenths = (bytes * 10) / divisor;
    var whole = Math.floor(tenths);
    var rest = tenths - whole;
    if (rest > 0.5 || (rest === 0.5 && whole % 2 === 1)) {
      whole += 1;
    }
    return sizeUnits[unit].replace("__N__", sizeNumber.format(whole / 10));
  }

  function refreshButtons() {
    var waiting = selection.filter(function (entry) {
      return !entry.done;
    }).length;
    var label = waiting === 1 ? texts.uploadOne : texts.uploadMany;
    uploadButton.textContent = label.replace("__N__", String(waiting));
    uploadButton.disabled = waiting === 0 || uploading;
    addMoreButton.hidden = selection.length === 0 || uploading;
    browseButton.disabled = uploading;
  }

  function removeFromSelection(entry) {
    if (entry.xhr) {
      entry.xhr.abort();
    }
    selection = selection.filter(function (other) {
      return other !== entry;
    });
    entry.item.remove();
    refreshButtons();
  }

  function addToSelection(files) {
    Array.prototype.forEach.call(files, function (file) {
      var item = document.createElement("li");
      item.className = "selected-file";
      var name = document.createElement("span");
      name.className = "attachment-name";
      name.textContent = file.name;
      var size = document.createElement("span");
      size.className = "muted";
      size.textContent = formatSize(file.size);
      var progress = document.createElement("progress");
      progress.max = 100;
      progress.value = 0;
      progress.hidden = true;
      progress.setAttribute("aria-label", file.name);
      var status = document.createElement("span");
      status.className = "upload-status";
      var cross = document.createElement("button");
      cross.type = "button";
      cross.className = "icon-button remove-selected";
      cross.setAttribute("aria-label", selectedList.getAttribute("data-remove-label") + ": " + file.name);
      cross.textContent = "\u2715";
      item.append(name, " ", size, " ", progress, " ", status, " ", cross);
      selectedList.appendChild(item);
      var entry = { file: file, item: item, progress: progress, status: status, xhr: null, done: false };
      cross.addEventListener("click", function () {
        removeFromSelection(entry);
      });
      selection.push(entry);
    });
    refreshButtons();
  }

  function resetDialog() {
    selection.slice().forEach(removeFromSelection);
    uploading = false;
    refreshButtons();
  }

  function addAttachment(data) {
    var item = document.createElement("li");
    item.className = "attachment";
    item.setAttribute("data-key", data.key);
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "attachment";
    hidden.value = data.key;
    var name = document.createElement("span");
    name.className = "attachment-name";
    name.textContent = data.name;
    var size = document.createElement("span");
    size.className = "muted";
    size.textContent = data.size;
    var trash = document.createElement("button");
    trash.type = "submit";
    trash.name = "remove";
    trash.value = data.key;
    trash.className = "icon-button trash-button";
    trash.setAttribute("data-remove-url", data.remove_url);
    trash.setAttribute("aria-label", attachmentList.getAttribute("data-remove-label") + " " + data.name);
    trash.innerHTML =
      '<svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24"><path fill="currentColor" d="M9 3h6l1 2h4v2H4V5h4l1-2zm-3 6h12l-1 12H7L6 9zm4 2v8h2v-8h-2zm4 0v8h2v-8h-2z"/></svg>';
    item.append(hidden, name, " ", size, " ", trash);
    attachmentList.appendChild(item);
  }

  function uploadOne(entry) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("file", entry.file, entry.file.name);
      var xhr = new XMLHttpRequest();
      entry.xhr = xhr;
      entry.progress.hidden = false;
      entry.status.textContent = texts.uploading;
      xhr.open("POST", uploadUrl);
      xhr.setRequestHeader("X-CSRFToken", csrfToken);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.responseType = "json";
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          entry.progress.value = Math.round((event.loaded / event.total) * 100);
        }
      });
      xhr.addEventListener("load", function () {
        entry.xhr = null;
        var body = xhr.response || {};
        if (xhr.status === 201 && body.key) {
          entry.progress.value = 100;
          entry.status.textContent = texts.done;
          entry.done = true;
          addAttachment(body);
        } else {
          entry.progress.hidden = true;
          entry.status.textContent = body.error || texts.failed;
          entry.item.classList.add("upload-refused");
        }
        resolve();
      });
      xhr.addEventListener("error", function () {
        entry.xhr = null;
        entry.progress.hidden = true;
        entry.status.textContent = texts.failed;
        entry.item.classList.add("upload-refused");
        resolve();
      });
      xhr.addEventListener("abort", function () {
        resolve();
      });
      xhr.send(data);
    });
  }

  function uploadAll() {
    var waiting = selection.filter(function (entry) {
      return !entry.done;
    });
    if (!waiting.length) {
      return;
    }
    uploading = true;
    refreshButtons();
    waiting
      .reduce(function (chain, entry) {
        return chain.then(function () {
          return uploadOne(entry);
        });
      }, Promise.resolve())
      .then(function () {
        uploading = false;
        // Uploaded files leave the selection; refused ones stay with their reason.
        selection
          .filter(function (entry) {
            return entry.done;
          })
          .forEach(function (entry) {
            selection = selection.filter(function (other) {
              return other !== entry;
            });
            entry.item.remove();
          });
        refreshButtons();
        if (!selection.length) {
          dialog.close("uploaded");
        }
      });
  }

  openButton.addEventListener("click", function () {
    resetDialog();
    dialog.showModal();
    browseButton.focus();
  });
  browseButton.addEventListener("click", function () {
    picker.click();
  });
  addMoreButton.addEventListener("click", function () {
    picker.click();
  });
  picker.addEventListener("change", function () {
    addToSelection(picker.files);
    picker.value = "";
  });
  uploadButton.addEventListener("click", uploadAll);
  cancelButton.addEventListener("click", function () {
    resetDialog();
    dialog.close("cancel");
  });
  dialog.addEventListener("cancel", function () {
    resetDialog(); // Escape behaves as "Annuleer"
  });
  dialog.addEventListener("close", function () {
    openButton.focus();
  });

  ["dragenter", "dragover"].forEach(function (type) {
    dialog.addEventListener(type, function (event) {
      event.preventDefault();
      if (!uploading) {
        dropzone.classList.add("is-dragging");
      }
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    dialog.addEventListener(type, function (event) {
      event.preventDefault();
      dropzone.classList.remove("is-dragging");
    });
  });
  dialog.addEventListener("drop", function (event) {
    if (!uploading && event.dataTransfer && event.dataTransfer.files.length) {
      addToSelection(event.dataTransfer.files);
    }
  });

  // The trash icon: remove an uploaded (not yet sent) file at once.
  attachmentList.addEventListener("click", function (event) {
    var trash = event.target.closest(".trash-button");
    if (!trash || !trash.getAttribute("data-remove-url")) {
      return;
    }
    event.preventDefault();
    var item = trash.closest("li");
    fetch(trash.getAttribute("data-remove-url"), {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken, "X-Requested-With": "XMLHttpRequest" },
      credentials: "same-origin",
    }).then(function (response) {
      if (response.ok || response.status === 404) {
        item.remove();
        openButton.focus();
      }
    });
  });
})();
