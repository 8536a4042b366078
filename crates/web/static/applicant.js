// The applicant pages: online application, corrections, promised materials.
// Everything works without JavaScript; this only makes the forms kinder:
// the fields follow the applicant type, chosen files are listed and checked
// before upload, a submitted form cannot be sent twice, and an error summary
// takes the focus when a form comes back with problems.
(function () {
  "use strict";

  const MAX = 10 * 1024 * 1024;
  const TYPES = ["application/pdf", "image/png", "image/jpeg"];

  function sizeText(n) {
    return n >= 1024 * 1024 ? (n / 1024 / 1024).toFixed(1) + " MB" : Math.ceil(n / 1024) + " KB";
  }

  // Applicant type: the name label, the default ID type and the agent field.
  function followKind(form) {
    const checked = form.querySelector("input[data-kind]:checked");
    if (!checked) return;
    const kind = checked.value;
    const label = form.querySelector("label[for=name]");
    if (label && label.dataset[kind]) label.textContent = label.dataset[kind];
    const select = form.querySelector("#id_type");
    if (select) {
      let keep = false;
      select.querySelectorAll("optgroup").forEach(function (g) {
        const mine = g.dataset.kind === kind;
        g.disabled = !mine;
        if (mine && select.selectedOptions[0] && select.selectedOptions[0].parentElement === g) keep = true;
      });
      if (!keep) select.value = kind === "organisation" ? "credit_code" : "id_card";
    }
    const name = form.querySelector("#name");
    if (name) name.autocomplete = kind === "organisation" ? "organization" : "name";
    form.querySelectorAll("[data-only-kind]").forEach(function (el) {
      const on = el.dataset.onlyKind === kind;
      el.hidden = !on;
      el.querySelectorAll("input").forEach(function (i) {
        i.disabled = !on;
        i.required = on;
      });
    });
  }

  // Lists the chosen files, and says at once which ones will be refused.
  function listFiles(input) {
    const list = document.getElementById(input.id + "-chosen");
    if (!list) return;
    list.textContent = "";
    let bad = 0;
    Array.from(input.files || []).forEach(function (f) {
      const li = document.createElement("li");
      let problem = "";
      if (f.size > MAX) problem = "超过10MB，请压缩后再选";
      else if (f.type && TYPES.indexOf(f.type) < 0) problem = "格式不支持，请选择PDF、PNG或JPEG";
      else if (f.size === 0) problem = "文件是空的";
      li.textContent = f.name + "（" + sizeText(f.size) + "）" + (problem ? "：" + problem : "");
      if (problem) {
        li.className = "bad";
        bad++;
      }
      list.appendChild(li);
    });
    input.setCustomValidity(bad ? "有" + bad + "个文件不能上传，请重新选择" : "");
  }

  document.querySelectorAll("form[data-apply-form]").forEach(function (form) {
    form.querySelectorAll("input[data-kind]").forEach(function (r) {
      r.addEventListener("change", function () { followKind(form); });
    });
    followKind(form);
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      input.addEventListener("change", function () { listFiles(input); });
    });
    form.addEventListener("submit", function (ev) {
      const badFile = Array.from(form.querySelectorAll("input[type=file]")).find(function (i) {
        return i.validationMessage;
      });
      if (badFile) {
        ev.preventDefault();
        badFile.focus();
        badFile.reportValidity();
        return;
      }
      const button = form.querySelector("button[type=submit]");
      if (button) {
        if (form.dataset.sent) {
          ev.preventDefault();
          return;
        }
        form.dataset.sent = "1";
        if (button.dataset.busy) button.textContent = button.dataset.busy;
        button.setAttribute("aria-disabled", "true");
      }
    });
  });

  // A form that came back with problems: start at its summary.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
    summary.scrollIntoView({ block: "start" });
  }
})();
