// Results as you type on the service-guide home page. Without JavaScript the
// form still works: it submits to the same page, which renders the results.
(function () {
  "use strict";
  const form = document.getElementById("search-form");
  const list = document.getElementById("results");
  const count = document.getElementById("result-count");
  const pager = document.getElementById("pager");
  if (!form || !list) return;
  let timer = null;
  let seq = 0;

  function params() {
    const p = new URLSearchParams();
    const q = form.elements.q.value.trim();
    if (q) p.set("q", q);
    if (form.elements.department_id.value) p.set("department_id", form.elements.department_id.value);
    if (form.elements.item_type.value) p.set("item_type", form.elements.item_type.value);
    if (form.elements.online.checked) p.set("online", "true");
    return p;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function limitText(l) {
    if (!l) return "";
    if (l.value === 0) return "即时办结";
    return l.value + (l.unit === "natural_days" ? "个自然日" : "个工作日");
  }

  // Once an answer is shown, `data-shows` holds the search it answers (as in
  // the address), so a reader can tell the answer from the list before it.
  function render(data, shows) {
    list.replaceChildren();
    list.dataset.shows = shows;
    count.textContent = data.total === 0 ? "没有找到相关事项，请换个说法或使用拼音首字母（如 yyzz）" : "共找到 " + data.total + " 项";
    for (const it of data.items) {
      const li = el("li");
      const a = el("a", "title", it.name);
      a.href = "/items/" + it.id;
      li.append(a);
      const meta = el("div", "muted");
      meta.append(el("span", "badge", it.department_name), el("span", "badge", it.item_type_name),
        el("span", "badge", it.case_kind === "immediate" ? "即办件" : "承诺件"));
      if (it.online) meta.append(el("span", "badge online", "可网上办理"));
      if (it.promised_limit) meta.append(el("span", null, " 承诺时限：" + limitText(it.promised_limit)));
      li.append(meta);
      list.append(li);
    }
    if (pager) pager.hidden = data.total <= data.per_page ? true : pager.hidden;
  }

  async function run() {
    const mine = ++seq;
    const p = params();
    const shows = p.toString();
    history.replaceState(null, "", shows ? "/?" + shows : "/");
    p.set("per_page", "20");
    try {
      const res = await fetch("/api/v1/items?" + p, { headers: { Accept: "application/json" } });
      if (!res.ok) return;
      const data = await res.json();
      if (mine === seq) { render(data, shows); if (pager) pager.hidden = true; }
    } catch (e) { /* offline: the submit button still works */ }
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 180);
  });
  form.addEventListener("change", function () { clearTimeout(timer); run(); });
})();
