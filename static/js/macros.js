// The macro picker of the agent's reply box. Typing "/" at the start of a line (or in an empty
// box) lists the macros this agent may use, filtered by what follows the "/"; up/down move,
// Enter picks, Escape closes. Picking puts the macro's text (placeholders already filled in by
// the server) in place of the "/…" and names the macro in the hidden field "macro", whose field
// changes the server applies when the reply is sent.
(function () {
  "use strict";

  const DELAY_MS = 120;
  const MAX_QUERY = 60;

  function setUp(root) {
    const form = root.closest("form");
    const box = form && form.querySelector("textarea[name=body]");
    if (!box || root.dataset.ready) return;
    root.dataset.ready = "1";
    const list = root.querySelector(".macro-list");
    const field = root.querySelector("input[name=macro]");
    const chosen = root.querySelector(".macro-chosen");
    const chosenText = root.querySelector(".macro-chosen-text");
    const url = root.dataset.searchUrl;
    let items = [];
    let active = -1;
    let start = -1; // where the "/" of the line being typed is
    let timer = null;
    let asked = 0; // answers to older searches are dropped

    // A textarea keeps its own role (textbox), which takes these two but not aria-expanded.
    box.setAttribute("aria-controls", list.id);
    box.setAttribute("aria-autocomplete", "list");

    // The "/word" from a "/" that starts the caret's line up to the caret, or null.
    function typedCommand() {
      const caret = box.selectionStart;
      if (caret !== box.selectionEnd) return null;
      const before = box.value.slice(0, caret);
      const lineStart = before.lastIndexOf("\n") + 1;
      const line = before.slice(lineStart);
      if (!line.startsWith("/") || line.length > MAX_QUERY) return null;
      return { start: lineStart, query: line.slice(1) };
    }

    function isOpen() {
      return !list.hidden;
    }

    function close() {
      list.hidden = true;
      items = [];
      active = -1;
      box.removeAttribute("aria-activedescendant");
    }

    function search(query) {
      const mine = ++asked;
      fetch(url + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then((response) => (response.ok ? response.json() : { results: [] }))
        .then((data) => {
          if (mine === asked && typedCommand()) show(data.results || [], query);
        })
        .catch(() => close());
    }

    function option(macro, index) {
      const li = document.createElement("li");
      li.id = "macro-option-" + index;
      li.setAttribute("role", "option");
      li.dataset.index = String(index);
      const name = document.createElement("span");
      name.className = "macro-name";
      name.textContent = macro.name;
      const meta = document.createElement("span");
      meta.className = "macro-meta";
      const bits = [macro.scope, macro.internal ? "internal note" : "public reply"];
      meta.textContent = bits.concat(macro.changes).join(" · ");
      const preview = document.createElement("span");
      preview.className = "macro-preview";
      preview.textContent = macro.text.replace(/\s+/g, " ").slice(0, 120);
      li.append(name, meta, preview);
      // mousedown, not click: the box keeps its focus (and its caret) while choosing.
      li.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(index);
      });
      return li;
    }

    function show(results, query) {
      items = results;
      active = results.length ? 0 : -1;
      if (results.length) {
        list.replaceChildren(...results.map(option));
      } else {
        const none = document.createElement("li");
        none.className = "macro-none";
        none.textContent = query ? "No macro matches “" + query + "”." : "You have no macros yet.";
        list.replaceChildren(none);
      }
      list.hidden = false;
      highlight();
    }

    function highlight() {
      list.querySelectorAll("[role=option]").forEach((li) => {
        const on = Number(li.dataset.index) === active;
        li.setAttribute("aria-selected", on ? "true" : "false");
        if (on) {
          box.setAttribute("aria-activedescendant", li.id);
          li.scrollIntoView({ block: "nearest" }); // the page, when the list runs below it
        }
      });
    }

    function choose(index) {
      const macro = items[index];
      if (!macro) return;
      const caret = box.selectionStart;
      box.value = box.value.slice(0, start) + macro.text + box.value.slice(caret);
      const end = start + macro.text.length;
      box.setSelectionRange(end, end);
      field.value = String(macro.id);
      const kind = form.querySelector(
        "input[name=visibility][value=" + (macro.internal ? "internal" : "public") + "]"
      );
      if (kind) kind.checked = true;
      chosenText.textContent =
        "Macro “" + macro.name + "”" +
        (macro.changes.length ? ": sending also sets " + macro.changes.join(", ") : "");
      chosen.hidden = false;
      close();
      box.focus();
    }

    box.addEventListener("input", () => {
      const command = typedCommand();
      clearTimeout(timer);
      if (!command) return close();
      start = command.start;
      timer = setTimeout(() => search(command.query), DELAY_MS);
    });

    box.addEventListener("keydown", (event) => {
      if (!isOpen()) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!items.length) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        active = (active + step + items.length) % items.length;
        highlight();
      } else if (event.key === "Enter") {
        if (!items.length) return close();
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });

    box.addEventListener("blur", close);

    root.querySelector(".macro-clear").addEventListener("click", () => {
      field.value = "";
      chosen.hidden = true;
      box.focus();
    });
  }

  function setUpAll() {
    document.querySelectorAll("[data-macro-picker]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
  // The reply box may come back in an htmx swap.
  document.addEventListener("htmx:load", setUpAll);
})();
