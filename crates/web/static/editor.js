// The item editor: builds the item JSON from the form, including the lists
// (steps, materials, fees, special procedures, FAQs), saves it through the API
// with the session's CSRF token, and shows every field error next to its field.
(function () {
  "use strict";
  const form = document.getElementById("item-form");
  if (!form) return;
  const data = JSON.parse(document.getElementById("item-data").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const summary = document.getElementById("form-errors");
  let uid = 0;

  const SOURCES = [["applicant", "申请人自备"], ["government", "政府部门核发"], ["intermediary", "中介机构出具"], ["other", "其他"]];
  const KINDS = [["inspection", "现场勘查"], ["hearing", "听证"], ["expert_review", "专家评审"], ["testing", "检验检测"], ["publicity", "公示"], ["tender", "招标拍卖"], ["other", "其他"]];
  const UNITS = [["working_days", "工作日"], ["natural_days", "自然日"]];
  // [key, kind, label, path suffix]
  const LISTS = {
    steps: [["name", "text", "环节名称"], ["budget_days", "number", "环节时限（工作日）"], ["description", "text", "环节说明"]],
    materials: [["name", "text", "材料名称"], ["source", SOURCES, "材料来源"], ["originals", "number", "原件份数"],
      ["copies", "number", "复印件份数"], ["required", "checkbox", "必须提交"], ["note", "text", "说明"]],
    fees: [["name", "text", "收费项目"], ["standard", "text", "收费标准"], ["basis", "text", "收费依据"], ["amount_fen", "money", "金额（元）"]],
    special_procedures: [["name", "text", "特别程序名称"], ["kind", KINDS, "种类"], ["limit.value", "number", "时限"],
      ["limit.unit", UNITS, "时限单位"], ["basis", "text", "依据"], ["counts_in_limit", "checkbox", "计入办结时限"]],
    faqs: [["question", "text", "问题"], ["answer", "textarea", "解答"]],
  };
  const DEFAULTS = {
    steps: { name: "", budget_days: 0, description: "" },
    materials: { name: "", source: "applicant", originals: 1, copies: 0, required: true, note: "" },
    fees: { name: "", standard: "", basis: "", amount_fen: 0 },
    special_procedures: { name: "", kind: "inspection", limit: { value: 5, unit: "working_days" }, basis: "", counts_in_limit: false },
    faqs: { question: "", answer: "" },
  };

  function get(obj, path) { return path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj); }
  function set(obj, path, v) {
    const ks = path.split(".");
    let o = obj;
    for (const k of ks.slice(0, -1)) { o[k] = o[k] || {}; o = o[k]; }
    o[ks[ks.length - 1]] = v;
  }

  function control(list, index, spec, value) {
    const [key, kind, label] = spec;
    const id = "f" + (++uid);
    const wrap = document.createElement("div");
    wrap.className = "field";
    const lab = document.createElement("label");
    lab.htmlFor = id;
    lab.textContent = label;
    let input;
    if (Array.isArray(kind)) {
      input = document.createElement("select");
      for (const [v, t] of kind) { const o = new Option(t, v); input.add(o); }
      input.value = value == null ? kind[0][0] : value;
    } else if (kind === "textarea") {
      input = document.createElement("textarea");
      input.value = value || "";
    } else if (kind === "checkbox") {
      input = document.createElement("input");
      input.type = "checkbox";
      input.checked = !!value;
      wrap.classList.add("check");
    } else {
      input = document.createElement("input");
      input.type = kind === "text" ? "text" : "number";
      if (kind === "money") { input.step = "0.01"; input.min = "0"; input.value = ((value || 0) / 100).toFixed(2); }
      else if (kind === "number") { input.min = "0"; input.step = "1"; input.value = value == null ? "" : value; }
      else input.value = value || "";
    }
    input.id = id;
    input.dataset.key = key;
    input.dataset.kind = Array.isArray(kind) ? "select" : kind;
    input.dataset.path = list + "[" + index + "]." + key;
    wrap.append(lab, input);
    return wrap;
  }

  function addRow(list, value) {
    const box = form.querySelector('[data-list="' + list + '"]');
    const index = box.querySelectorAll(".list-row").length;
    const row = document.createElement("div");
    row.className = "list-row row";
    for (const spec of LISTS[list]) row.append(control(list, index, spec, get(value, spec[0])));
    const del = document.createElement("button");
    del.type = "button";
    del.className = "secondary small";
    del.textContent = "删除";
    del.setAttribute("aria-label", "删除此行");
    del.addEventListener("click", function () { row.remove(); renumber(list); });
    row.append(del);
    box.append(row);
  }

  function renumber(list) {
    form.querySelectorAll('[data-list="' + list + '"] .list-row').forEach(function (row, i) {
      row.querySelectorAll("[data-key]").forEach(function (inp) { inp.dataset.path = list + "[" + i + "]." + inp.dataset.key; });
    });
  }

  function readRows(list) {
    return Array.from(form.querySelectorAll('[data-list="' + list + '"] .list-row')).map(function (row) {
      const out = {};
      row.querySelectorAll("[data-key]").forEach(function (inp) {
        let v;
        switch (inp.dataset.kind) {
          case "checkbox": v = inp.checked; break;
          case "number": v = inp.value === "" ? 0 : Number(inp.value); break;
          case "money": v = Math.round(Number(inp.value || 0) * 100); break;
          default: v = inp.value;
        }
        set(out, inp.dataset.key, v);
      });
      return out;
    });
  }

  function limit(prefix) {
    const v = form.elements[prefix + "_value"].value.trim();
    if (v === "") return null;
    return { value: Number(v), unit: form.elements[prefix + "_unit"].value, note: form.elements[prefix + "_note"].value };
  }

  function collect() {
    const e = form.elements;
    const body = {};
    for (const k of ["name", "basic_code", "implementation_code", "item_type", "case_kind", "entry_status", "exempt_reason",
      "exempt_approval", "window_authorisation", "result", "conditions", "basis", "place", "hours", "consultation_phone", "complaint_phone"]) {
      body[k] = e[k].value;
    }
    body.department_id = e.department_id.value ? Number(e.department_id.value) : null;
    body.online = e.online.checked;
    body.visits = Number(e.visits.value || 0);
    body.max_extensions = e.max_extensions.value === "" ? null : Number(e.max_extensions.value);
    body.legal_limit = limit("legal_limit");
    body.promised_limit = limit("promised_limit");
    for (const list of Object.keys(LISTS)) body[list] = readRows(list);
    return body;
  }

  function clearErrors() {
    summary.hidden = true;
    summary.replaceChildren();
    form.querySelectorAll(".field.invalid").forEach(function (f) { f.classList.remove("invalid"); });
    form.querySelectorAll(".error-text.dynamic").forEach(function (n) { n.remove(); });
  }

  function fieldFor(path) {
    let inp = form.querySelector('[data-path="' + path + '"]');
    if (!inp) {
      const simple = path.replace(".", "_");
      inp = form.elements[simple] || form.elements[path] || form.querySelector('[data-list="' + path + '"]');
    }
    return inp;
  }

  function showErrors(body) {
    const errors = body.errors && body.errors.length ? body.errors : [{ field: body.field || "", message: body.message }];
    const ul = document.createElement("ul");
    for (const err of errors) {
      const li = document.createElement("li");
      li.textContent = err.message;
      ul.append(li);
      const inp = err.field ? fieldFor(err.field) : null;
      if (inp) {
        const field = inp.closest(".field") || inp;
        field.classList.add("invalid");
        const msg = document.createElement("div");
        msg.className = "error-text dynamic";
        msg.textContent = err.message;
        field.append(msg);
        if (inp.setAttribute) inp.setAttribute("aria-invalid", "true");
      }
    }
    const h = document.createElement("strong");
    h.textContent = "保存失败，请修改以下内容：";
    summary.append(h, ul);
    summary.hidden = false;
    summary.focus();
  }

  function toggleExempt() {
    const exempt = form.elements.entry_status.value === "exempt";
    document.getElementById("exempt-fields").hidden = !exempt;
  }

  // Fill the lists from the loaded item.
  for (const list of Object.keys(LISTS)) {
    for (const v of data.item[list] || []) addRow(list, v);
  }
  form.querySelectorAll("[data-add]").forEach(function (b) {
    b.addEventListener("click", function () { addRow(b.dataset.add, DEFAULTS[b.dataset.add]); });
  });
  form.elements.entry_status.addEventListener("change", toggleExempt);
  toggleExempt();

  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    clearErrors();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const res = await fetch(data.id ? "/api/v1/items/" + data.id : "/api/v1/items", {
        method: data.id ? "PUT" : "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
        body: JSON.stringify(collect()),
      });
      const body = await res.json();
      if (res.ok) { window.location.href = "/admin/items/" + body.id + "?saved=1"; return; }
      showErrors(body);
    } catch (e) {
      showErrors({ message: "网络错误，未能保存，请重试" });
    } finally {
      button.disabled = false;
    }
  });
})();
