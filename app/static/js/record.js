// The rapporteur's live screen. Served by Track2; talks to Track2 only (same-origin fetch).
//
// - As the rapporteur types, the non-attribution checker runs (debounced) and the words it
//   found are marked in place, under the text, with the reason in a list and a live region.
// - Enter saves the point (Shift+Enter: new line) and the composer is ready for the next.
// - Drafts save themselves after a pause (never a text the checker blocks: the server would
//   refuse it, and nothing of it is kept anywhere, not even in the browser's storage).
// - Points move with their arrow buttons, Alt+Up/Down, or by dragging their handle.
// - Themes are tagged by typing part of their name and pressing Enter.
(function () {
  "use strict";

  var CHECK_DELAY = 300;
  var AUTOSAVE_DELAY = 1500;

  var root = document.querySelector("[data-recorder]");
  if (!root) { return; }
  var base = root.getAttribute("data-base");
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = tokenMeta ? tokenMeta.getAttribute("content") : "";

  var form = document.getElementById("composer-form");
  var textarea = document.getElementById("point-text");
  var backdrop = document.getElementById("point-backdrop");
  var editor = document.getElementById("editor");
  var status = document.getElementById("check-status");
  var findingsList = document.getElementById("findings");
  var savedState = document.getElementById("saved-state");
  var mode = document.getElementById("composer-mode");
  var partSelect = document.getElementById("part");
  var partHint = document.getElementById("part-regime");
  var cancelEdit = document.getElementById("cancel-edit");
  var tagInput = document.getElementById("theme-input");
  var tagList = document.getElementById("theme-tags");
  var themeOptions = Array.prototype.map.call(
    document.querySelectorAll("#theme-list option"),
    function (o) { return { label: o.value, slug: o.getAttribute("data-slug") }; }
  );
  var listBox = document.getElementById("points-list");
  var listStatus = document.getElementById("list-status");
  var submitForm = document.getElementById("submit-batch");

  // The point the composer is writing: null until the first autosave (or an edit).
  var currentId = null;
  var lastFindings = [];
  var lastChecked = null;
  var checkTimer = null;
  var saveTimer = null;
  var checkController = null;
  var saving = false;
  var dirty = false;

  function post(url, data, signal) {
    var body = data instanceof FormData ? data : new FormData();
    if (!(data instanceof FormData)) {
      Object.keys(data || {}).forEach(function (k) { body.append(k, data[k]); });
    }
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf, "HX-Request": "true" },
      signal: signal
    }).then(function (response) {
      var redirect = response.headers.get("HX-Redirect");
      if (redirect) { window.location.assign(redirect); throw new Error("signed out"); }
      return response.json().then(function (json) { json.httpStatus = response.status; return json; });
    });
  }

  function announce(el, message) {
    // Clear first so the same message is announced again.
    el.textContent = "";
    window.setTimeout(function () { el.textContent = message; }, 30);
  }

  // -- the part and its regime --------------------------------------------------------------

  var REGIME_HINTS = {
    chatham_house: "Chatham House Rule: name no one.",
    on_record: "On the record: only people who consented may be named.",
    off_record: "Off the record: nothing may be recorded."
  };

  function regime() {
    if (!partSelect) { return root.getAttribute("data-session-regime"); }
    var option = partSelect.options[partSelect.selectedIndex];
    return option ? option.getAttribute("data-regime") : root.getAttribute("data-session-regime");
  }

  function applyRegime() {
    var current = regime();
    if (partHint) { partHint.textContent = REGIME_HINTS[current] || ""; }
    var off = current === "off_record";
    textarea.disabled = off;
    document.getElementById("save-point").disabled = off;
    if (off) { setStatus("warn", "This part is off the record: nothing said in it may be recorded."); }
  }

  // -- marking the words in place -----------------------------------------------------------

  function autoGrow() {
    textarea.style.height = "auto";
    textarea.style.height = textarea.scrollHeight + "px";
  }

  // Marks whose words are still where they were (the rapporteur typed elsewhere) stay;
  // the others wait for the next check.
  function stillValid(text) {
    return lastFindings.filter(function (f) {
      return f.end <= text.length && text.slice(f.start, f.end) === f.excerpt;
    });
  }

  function paint(text, findings) {
    while (backdrop.firstChild) { backdrop.removeChild(backdrop.firstChild); }
    var sorted = findings.slice().sort(function (a, b) { return a.start - b.start; });
    var at = 0;
    sorted.forEach(function (f) {
      if (f.start < at) { return; }
      backdrop.appendChild(document.createTextNode(text.slice(at, f.start)));
      var mark = document.createElement("mark");
      mark.className = f.severity === "block" ? "f-block" : "f-warn";
      mark.textContent = text.slice(f.start, f.end);
      backdrop.appendChild(mark);
      at = f.end;
    });
    // A trailing space keeps the last line's height equal to the textarea's.
    backdrop.appendChild(document.createTextNode(text.slice(at) + " "));
    backdrop.scrollTop = textarea.scrollTop;
  }

  function setStatus(kind, message) {
    status.className = "check-status " + kind;
    if (status.textContent !== message) { announce(status, message); }
  }

  function showFindings(findings) {
    while (findingsList.firstChild) { findingsList.removeChild(findingsList.firstChild); }
    findings.forEach(function (f) {
      var li = document.createElement("li");
      li.className = f.severity;
      var excerpt = document.createElement("span");
      excerpt.className = "excerpt";
      excerpt.textContent = "“" + f.excerpt + "”";
      li.appendChild(excerpt);
      li.appendChild(document.createTextNode(
        ": " + f.reason + (f.severity === "block" ? "; it cannot be saved. " : ". ") + f.message
      ));
      findingsList.appendChild(li);
    });
    var blocks = findings.filter(function (f) { return f.severity === "block"; }).length;
    var warns = findings.length - blocks;
    editor.classList.toggle("has-block", blocks > 0);
    textarea.setAttribute("aria-invalid", blocks > 0 ? "true" : "false");
    if (!textarea.value.trim()) {
      setStatus("", "");
    } else if (blocks) {
      setStatus("block", blocks + (blocks === 1 ? " passage identifies" : " passages identify") +
        " a participant and cannot be saved" + (warns ? "; " + warns + " warning(s)" : "") +
        ". Rephrase the marked words.");
    } else if (warns) {
      setStatus("warn", warns + " warning(s): the point can be saved, and the warning goes with it to review.");
    } else {
      setStatus("clear", "The checker finds nothing that identifies anyone.");
    }
  }

  function check() {
    var text = textarea.value;
    if (checkController) { checkController.abort(); }
    if (!text.trim()) { lastFindings = []; paint(text, []); showFindings([]); return Promise.resolve(null); }
    if (regime() === "off_record") { return Promise.resolve(null); }
    checkController = new AbortController();
    var sent = { text: text, part_id: partSelect ? partSelect.value : "" };
    return post(base + "/check", sent, checkController.signal).then(function (json) {
      if (textarea.value !== text) { return null; }  // typed on meanwhile: the next check decides
      if (!json.ok) { setStatus("warn", json.message || "The checker could not run."); return null; }
      lastFindings = json.findings;
      lastChecked = { text: text, part: sent.part_id, blocked: json.blocked };
      paint(text, json.findings);
      showFindings(json.findings);
      return json;
    }).catch(function (error) {
      if (error && error.name === "AbortError") { return null; }
      setStatus("warn", "The checker did not answer; it runs again when you type.");
      return null;
    });
  }

  function scheduleCheck() {
    window.clearTimeout(checkTimer);
    checkTimer = window.setTimeout(check, CHECK_DELAY);
  }

  // -- saving -------------------------------------------------------------------------------

  function composerData() {
    var data = new FormData();
    data.append("text", textarea.value);
    data.append("part_id", partSelect ? partSelect.value : "");
    tagList.querySelectorAll("li[data-slug]").forEach(function (li) {
      data.append("themes", li.getAttribute("data-slug"));
    });
    return data;
  }

  function countPoints() {
    var counter = document.getElementById("points-count");
    if (counter) { counter.textContent = String(document.querySelectorAll("#points > li.point").length); }
  }

  function putPoint(json) {
    var template = document.createElement("template");
    template.innerHTML = json.html.trim();
    var fresh = template.content.firstElementChild;
    var existing = document.getElementById("point-" + json.id);
    var list = document.getElementById("points");
    if (existing) {
      existing.replaceWith(fresh);
    } else {
      var empty = document.getElementById("no-points");
      if (empty) { empty.remove(); }
      var before = null;
      list.querySelectorAll("li.point").forEach(function (li) {
        if (!before && Number(li.getAttribute("data-position")) >= json.position) { before = li; }
      });
      list.insertBefore(fresh, before);
    }
    wirePoint(fresh);
    countPoints();
    return fresh;
  }

  function save(final) {
    var text = textarea.value;
    if (!text.trim() || saving) { return Promise.resolve(null); }
    window.clearTimeout(saveTimer);
    saving = true;
    savedState.textContent = final ? "Saving…" : "Saving the draft…";
    var url = base + "/points" + (currentId ? "/" + currentId : "");
    return post(url, composerData()).then(function (json) {
      saving = false;
      if (!json.ok) {
        if (json.findings && json.findings.length) {
          lastFindings = json.findings;
          paint(textarea.value, stillValid(textarea.value));
          showFindings(json.findings);
        } else {
          setStatus("block", json.message);
        }
        savedState.textContent = "Not saved.";
        if (final) { textarea.focus(); }
        return null;
      }
      var item = putPoint(json);
      dirty = textarea.value !== text;
      if (final) {
        announce(listStatus, json.message);
        resetComposer();
        item.classList.remove("saving");
      } else {
        currentId = json.id;
        item.classList.add("saving");
        savedState.textContent = "Draft saved at " + new Date().toLocaleTimeString() + ".";
      }
      return json;
    }).catch(function () {
      saving = false;
      savedState.textContent = "Not saved: the connection failed. Your text is still here.";
      return null;
    });
  }

  function scheduleAutosave() {
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(function () {
      var text = textarea.value;
      // Only a text the checker has seen and does not block.
      if (!text.trim() || !lastChecked || lastChecked.text !== text || lastChecked.blocked) {
        if (text.trim()) { scheduleAutosave(); }
        return;
      }
      if (dirty) { save(false); }
    }, AUTOSAVE_DELAY);
  }

  function resetComposer() {
    var editing = document.getElementById("point-" + currentId);
    if (editing) { editing.classList.remove("saving"); }
    currentId = null;
    dirty = false;
    lastFindings = [];
    lastChecked = null;
    textarea.value = "";
    tagList.querySelectorAll("li").forEach(function (li) { li.remove(); });
    form.setAttribute("action", base + "/points");
    mode.textContent = "New point";
    cancelEdit.hidden = true;
    savedState.textContent = "";
    paint("", []);
    showFindings([]);
    autoGrow();
    textarea.focus();
  }

  // -- themes by typing ---------------------------------------------------------------------

  function addTag(theme) {
    if (tagList.querySelector('li[data-slug="' + theme.slug + '"]')) { return; }
    var li = document.createElement("li");
    li.className = "tag";
    li.setAttribute("data-slug", theme.slug);
    li.appendChild(document.createTextNode(theme.label));
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "themes";
    hidden.value = theme.slug;
    li.appendChild(hidden);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.setAttribute("aria-label", "Remove theme " + theme.label);
    remove.textContent = "×";
    li.appendChild(remove);
    tagList.appendChild(li);
    dirty = true;
    scheduleAutosave();
  }

  function matchTheme(typed) {
    var needle = typed.trim().toLowerCase();
    if (!needle) { return { theme: null, count: 0 }; }
    var exact = themeOptions.filter(function (t) {
      return t.label.toLowerCase() === needle || t.slug === needle;
    });
    if (exact.length) { return { theme: exact[0], count: 1 }; }
    var found = themeOptions.filter(function (t) {
      return t.label.toLowerCase().indexOf(needle) !== -1 || t.slug.indexOf(needle) !== -1;
    });
    return { theme: found.length === 1 ? found[0] : null, count: found.length };
  }

  if (tagInput) {
    tagInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === ",") {
        event.preventDefault();
        var match = matchTheme(tagInput.value);
        if (match.theme) {
          addTag(match.theme);
          announce(listStatus, "Theme " + match.theme.label + " added.");
          tagInput.value = "";
        } else if (tagInput.value.trim()) {
          announce(listStatus, match.count ? match.count + " themes match; type more of the name."
            : "No theme matches “" + tagInput.value.trim() + "”.");
        }
      } else if (event.key === "Backspace" && !tagInput.value) {
        var last = tagList.querySelector("li:last-child");
        if (last) { last.remove(); dirty = true; scheduleAutosave(); }
      }
    });
    tagList.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (button) { button.closest("li").remove(); dirty = true; scheduleAutosave(); tagInput.focus(); }
    });
  }

  // -- the composer ---------------------------------------------------------------------------

  if (form && textarea) {
    textarea.addEventListener("input", function () {
      dirty = true;
      autoGrow();
      paint(textarea.value, stillValid(textarea.value));
      scheduleCheck();
      scheduleAutosave();
    });
    textarea.addEventListener("scroll", function () { backdrop.scrollTop = textarea.scrollTop; });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        window.clearTimeout(checkTimer);
        save(true);
      } else if (event.key === "Escape" && currentId && !cancelEdit.hidden) {
        event.preventDefault();
        resetComposer();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(true);
    });
    if (partSelect) {
      partSelect.addEventListener("change", function () {
        applyRegime();
        dirty = true;
        lastChecked = null;
        check();
        scheduleAutosave();
      });
    }
    cancelEdit.addEventListener("click", resetComposer);
    var editing = form.getAttribute("action").match(/\/points\/([0-9a-f-]+)$/);
    if (editing) { startEdit(document.getElementById("point-" + editing[1]), false); }
    applyRegime();
    autoGrow();
    if (textarea.value.trim()) { check(); }
  }

  function startEdit(li, fill) {
    if (!li) { return; }
    currentId = li.getAttribute("data-id");
    if (fill) {
      textarea.value = li.querySelector(".text").textContent;
      if (partSelect && li.getAttribute("data-part")) { partSelect.value = li.getAttribute("data-part"); }
      tagList.querySelectorAll("li").forEach(function (t) { t.remove(); });
      (li.getAttribute("data-themes") || "").split(",").filter(Boolean).forEach(function (slug) {
        var theme = themeOptions.filter(function (t) { return t.slug === slug; })[0];
        addTag(theme || { slug: slug, label: slug });
      });
    }
    dirty = false;
    form.setAttribute("action", base + "/points/" + currentId);
    mode.textContent = "Editing point " + li.getAttribute("data-position") + ". Enter saves it; Escape cancels.";
    cancelEdit.hidden = false;
    applyRegime();
    autoGrow();
    check();
    textarea.focus();
  }

  // -- the list: edit, move, delete, submit ---------------------------------------------------

  function replaceList(json, focusId) {
    listBox.innerHTML = json.html;
    listBox.querySelectorAll("li.point").forEach(wirePoint);
    countPoints();
    if (json.message) { announce(listStatus, json.message); }
    var target = focusId && document.getElementById("point-" + focusId);
    if (target) { target.focus(); }
  }

  function move(li, body) {
    var id = li.getAttribute("data-id");
    body.csrftoken = csrf;
    return post(base + "/points/" + id + "/move", body).then(function (json) {
      if (json.ok) { replaceList(json, id); }
    });
  }

  var dragged = null;
  var dropTarget = null;

  function wirePoint(li) {
    if (li.getAttribute("data-wired")) { return; }
    li.setAttribute("data-wired", "1");
    var edit = li.querySelector("[data-edit]");
    if (edit) {
      edit.addEventListener("click", function (event) {
        event.preventDefault();
        startEdit(li, true);
        document.getElementById("composer").scrollIntoView({ block: "nearest" });
      });
    }
    var moveForm = li.querySelector("form[data-move]");
    if (moveForm) {
      moveForm.addEventListener("submit", function (event) {
        event.preventDefault();
        var direction = event.submitter ? event.submitter.value : "down";
        move(li, { direction: direction });
      });
    }
    var deleteForm = li.querySelector("form[data-delete]");
    if (deleteForm) {
      deleteForm.addEventListener("submit", function (event) {
        if (event.defaultPrevented) { return; }  // the confirmation was declined
        event.preventDefault();
        post(deleteForm.getAttribute("action"), { csrftoken: csrf }).then(function (json) {
          if (json.ok) {
            if (currentId === li.getAttribute("data-id")) { resetComposer(); }
            replaceList(json, null);
          }
        });
      });
    }
    li.addEventListener("keydown", function (event) {
      if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
        event.preventDefault();
        move(li, { direction: event.key === "ArrowUp" ? "up" : "down" });
      }
    });
    // Drag by the handle with any pointer (mouse, pen, finger): pointer events, so it works
    // on phones too, where HTML5 drag and drop does not. The handle also takes the arrows.
    var handle = li.querySelector(".handle");
    if (handle) {
      handle.addEventListener("keydown", function (event) {
        if (event.key === "ArrowUp" || event.key === "ArrowDown") {
          event.preventDefault();
          move(li, { direction: event.key === "ArrowUp" ? "up" : "down" });
        }
      });
      handle.addEventListener("pointerdown", function (event) {
        event.preventDefault();
        dragged = li;
        dropTarget = null;
        li.classList.add("dragging");
        handle.setPointerCapture(event.pointerId);
      });
      handle.addEventListener("pointermove", function (event) {
        if (dragged !== li) { return; }
        var under = document.elementFromPoint(event.clientX, event.clientY);
        var target = under && under.closest ? under.closest("li.point") : null;
        document.querySelectorAll(".drop-before").forEach(function (x) { x.classList.remove("drop-before"); });
        dropTarget = target && target !== li ? target : null;
        if (dropTarget) { dropTarget.classList.add("drop-before"); }
      });
      var finish = function () {
        if (dragged !== li) { return; }
        li.classList.remove("dragging");
        document.querySelectorAll(".drop-before").forEach(function (x) { x.classList.remove("drop-before"); });
        if (dropTarget) {
          // Dropped on a point: take its place (the points between move along).
          move(li, { position: dropTarget.getAttribute("data-position") });
        }
        dragged = null;
        dropTarget = null;
      };
      handle.addEventListener("pointerup", finish);
      handle.addEventListener("pointercancel", function () {
        dropTarget = null;
        finish();
      });
    }
  }

  document.querySelectorAll("li.point").forEach(wirePoint);

  if (submitForm) {
    submitForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(submitForm);
      document.querySelectorAll('input[name="ids"][form="submit-batch"]:checked').forEach(function (box) {
        data.append("ids", box.value);
      });
      var finish = function () {
        post(submitForm.getAttribute("action"), data).then(function (json) {
          if (json.ok) { replaceList(json, null); }
        });
      };
      // A draft still being written is saved first, so it goes too.
      if (currentId && textarea.value.trim() && dirty) { save(true).then(finish); } else { finish(); }
    });
  }
})();
