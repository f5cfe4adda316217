// kgagent review: one candidate at a time, keyboard first. No external code, nothing fetched
// but this server's own /api routes.
"use strict";

const S = { config: null, reviewer: "", filters: {}, ids: [], pos: 0, item: null,
            spanEdit: null, busy: false, dropped: false };
// a key pressed while an answer is on its way is not taken (it would answer a candidate not yet
// shown): the page says so, and keeps saying it once the next candidate shows
const NOT_TAKEN = "still saving the last answer: that key was not taken, press it again";
const FILTER_KEYS = ["verdict", "kind", "label", "rule", "doc", "min", "max"];
const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const kid of kids) e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  if (attrs.onclick && !["BUTTON", "A", "INPUT", "SELECT"].includes(e.tagName)) {
    // a clickable row or list item is reached with Tab and opened with enter, as a button is
    e.tabIndex = 0;
    e.setAttribute("role", "button");
    e.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); ev.stopPropagation(); e.click(); } });
  }
  return e;
};

async function api(path, body) {
  const opts = body === undefined ? {} : { method: "POST", body: JSON.stringify(body),
    headers: { "content-type": "application/json", "x-requested-with": "kgagent-review" } };
  let res;
  try { res = await fetch(path, opts); } catch (err) {  // no answer at all: the server stopped, the machine slept
    throw new Error("the review server did not answer (is `kgagent review` still running?)" +
      (body === undefined ? "" : ": this answer was NOT saved; answer again once it is back"));
  }
  const data = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error(data.error || `HTTP ${res.status}`);
  return data;
}

function qs(extra = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...S.filters, reviewer: S.reviewer, ...extra })) if (v !== "" && v != null) p.set(k, v);
  return p.toString();
}

function say(text, isError = false) {
  const m = $("#message");
  m.textContent = text || "";
  m.style.color = isError ? "var(--reject)" : "";
}

// ------------------------------------------------------------------ loading
async function init() {
  S.config = await api("/api/config");
  $("#out-name").textContent = "— " + S.config.out;
  const url = new URLSearchParams(location.search);
  S.reviewer = url.get("reviewer") || S.config.reviewer || localStorage.getItem("kgagent-reviewer") || "";
  $("#reviewer").value = S.reviewer;
  $("#reviewer").addEventListener("change", async (e) => {
    S.reviewer = e.target.value.trim();
    localStorage.setItem("kgagent-reviewer", S.reviewer);
    // the address keeps the name: a reload must not answer as the server's --reviewer again
    const here = new URL(location.href);
    if (S.reviewer) here.searchParams.set("reviewer", S.reviewer); else here.searchParams.delete("reviewer");
    history.replaceState(null, "", here);
    e.target.blur();
    await loadQueue(true);
  });
  fillFilters();
  // the filters live in the address too: a reload keeps the queue the reviewer chose
  const form = $("#filters");
  for (const k of FILTER_KEYS) {
    const v = url.get(k);
    if (v == null || v === "") continue;
    form.elements[k].value = v;
    if (form.elements[k].value === v) S.filters[k] = v;  // (a choice this extraction lacks is dropped)
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    S.filters = Object.fromEntries([...f.entries()].filter(([, v]) => v !== ""));
    const here = new URL(location.href);
    for (const k of FILTER_KEYS) if (S.filters[k] != null) here.searchParams.set(k, S.filters[k]); else here.searchParams.delete(k);
    history.replaceState(null, "", here);
    document.activeElement.blur();
    await loadQueue(true);
  });
  // a clicked answer button gives the focus back: left on it, enter (or space) answered the next
  // candidate too, one the reviewer had not read
  for (const b of document.querySelectorAll("#answer-bar button")) b.addEventListener("click", () => { b.blur(); key(b.dataset.act); });
  $("#btn-help").addEventListener("click", () => toggle("#help"));
  $("#btn-conflicts").addEventListener("click", showConflicts);
  $("#flag-edit").addEventListener("submit", sendFlag);
  document.addEventListener("keydown", onKey);
  if (S.config.read_only) say("read-only: a second reader of this database; answers are off");
  if (!S.reviewer) { say("type your name in the reviewer box (top right) to start"); $("#reviewer").focus(); }
  await loadQueue(true);
}

function fillFilters() {
  const form = $("#filters");
  const add = (name, values) => { for (const v of values) form.elements[name].append(el("option", { value: v }, v)); };
  add("verdict", S.config.choices.verdict);
  add("kind", S.config.choices.kind);
  add("label", [...new Set([...S.config.labels.entity, ...S.config.labels.relation])].sort());
  add("rule", S.config.choices.rule);
  add("doc", S.config.choices.doc);
}

async function loadQueue(resume) {
  const q = await api("/api/queue?" + qs({ statuses: 0 }));  // the ids; statuses come with each item
  S.ids = q.ids;
  showProgress(q.progress);
  if (resume) S.pos = q.position;
  await refreshSide();
  if (!S.ids.length) { showEmpty("no decision matches these filters"); return; }
  if (S.pos >= S.ids.length) { showEmpty("all done: every candidate in this queue has an answer ✓"); return; }
  await show(S.ids[S.pos]);
}

function showProgress(p) {
  const by = p.by_status;
  $("#progress-fill").style.width = (p.total ? (100 * p.reviewed / p.total) : 0) + "%";
  $("#progress-text").textContent = `reviewed ${p.reviewed} of ${p.total} · accepted ${by.accepted} · ` +
    `rejected ${by.rejected} · changed ${by.changed} · skipped ${by.skipped} · flagged ${by.flagged}`;
}

function showEmpty(text) {
  S.item = null;
  $("#card").dataset.id = "";
  $("#meta").replaceChildren(el("span", { class: "done" }, text));
  for (const id of ["#sentence", "#link", "#reason", "#explanation", "#choices", "#answers"]) $(id).replaceChildren();
}

async function show(id) {
  S.spanEdit = null; $("#span-edit").hidden = true; $("#flag-edit").hidden = true;
  const i = S.ids.indexOf(id);
  if (i >= 0) S.pos = i;
  S.item = await api("/api/item?" + qs({ id }));
  render();
}

// ------------------------------------------------------------------ rendering
function render() {
  const it = S.item;
  $("#card").dataset.id = it.id;
  const what = it.kind === "relation"
    ? `${it.label}(${it.highlights[0]?.text ?? "?"}, ${it.highlights[1]?.text ?? "?"})`
    : `${it.highlights[0]?.text ?? "?"} as ${it.label}`;
  $("#meta").replaceChildren(
    el("span", { class: "what" }, what),
    el("span", { class: "badge " + it.verdict }, it.verdict),
    el("span", {}, `score ${Number(it.score).toFixed(2)}`),
    el("span", {}, it.kind),
    el("span", {}, it.rule ? `rule ${it.rule}` : "no rule decided"),
    el("span", {}, `${S.pos + 1} / ${S.ids.length} · ${it.doc}, sentence ${it.sentence}`));
  renderSentence();
  const links = it.highlights.map((h) => h.linked
    ? el("div", {}, el("span", { class: "k" }, `${h.role}:`), `${h.text} → ${h.entity_label || h.entity} `,
         el("small", {}, `(similarity ${h.link_score})`))
    : el("div", {}, el("span", { class: "k" }, `${h.role}:`), `${h.text} → `,
         h.entity ? `new entity ${h.entity}` : "not linked (NIL)"));
  $("#link").replaceChildren(...links);
  $("#reason").replaceChildren(el("span", { class: "k" }, "why:"), it.summary);
  $("#explanation").textContent = it.explanation;
  // the encoder's score of each choice, where it told (decisions.jsonl's "scores")
  // every choice is a button (keys 1-9 for the first nine; Tab and enter reach the rest)
  $("#choices").replaceChildren(...it.choices.map((c, n) => el("button",
    { type: "button", class: c === it.label ? "current" : "", onclick: () => relabel(c) },
    ...(n < 9 ? [el("kbd", {}, n + 1), " "] : []), c,
    ...(c in it.scores ? [" ", el("small", { class: "model-score", title: "the encoder's score" }, Number(it.scores[c]).toFixed(2))] : []))));
  const ans = it.answers.map((a) => el("div", { class: a.reviewer === S.reviewer ? "mine" : "" },
    `${a.reviewer}: ${describe(a)} `, el("small", {}, `(${a.ref}, ${a.created})`)));
  $("#answers").replaceChildren(...(ans.length ? [el("div", {}, "answers:"), ...ans] : [el("div", {}, "no answer yet")]));
  $("#siblings").replaceChildren(...it.siblings.map((s) => el("li",
    { class: s.id === it.id ? "current" : "", "data-id": s.id, onclick: () => show(s.id) },
    el("span", {}, `${s.kind === "relation" ? "⟷" : "◻"} ${s.text} `, el("small", {}, s.label)),
    el("span", { class: "st " + s.status }, `${s.verdict}${s.status !== "unanswered" ? " · " + s.status : ""}`))));
  for (const li of document.querySelectorAll("#history li")) li.classList.toggle("current", li.dataset.id === it.id);
}

// The server counts offsets in code points (Python's str), the page's strings in UTF-16 units:
// a character outside the BMP (an emoji, 𝔄) before a mention is one of the first, two of the second.
// Offsets are turned into UTF-16 on the way in and back into code points on the way out.
function toUnits(text, cp) {
  let u = 0;
  for (const ch of text) { if (cp-- <= 0) break; u += ch.length; }
  return u;
}
function toPoints(text, units) { return [...text.slice(0, units)].length; }
function spanToPoints(text, e) { return { start: toPoints(text, e.start), end: toPoints(text, e.end) }; }

function renderSentence(edit) {
  const it = S.item, text = it.sentence_text;
  const marks = it.highlights.filter((h) => h.start != null)
    .map((h) => ({ ...h, start: toUnits(text, h.start), end: toUnits(text, h.end) }));
  if (edit) { marks.length = 0; marks.push({ role: "edit", start: edit.start, end: edit.end, type: "new span" }); }
  marks.sort((a, b) => a.start - b.start);
  const out = []; let at = 0;
  for (const m of marks) {
    if (m.start < at) continue;
    out.push(text.slice(at, m.start));
    out.push(el("span", { class: "hl " + m.role, "data-tag": m.role === "mention" ? m.type : `${m.role} · ${m.type}` },
      text.slice(m.start, m.end)));
    at = m.end;
  }
  out.push(text.slice(at));
  $("#sentence").replaceChildren(...out);
}

function describe(a) {
  if (a.action === "relabel") return `changed to ${a.label}`;
  if (a.action === "span") return `span fixed to ${a.span_start}–${a.span_end}`;
  if (a.action === "flag") {  // a flag leaves an earlier answer standing (and exported, with the note)
    const why = a.note ? `flagged: "${a.note}"` : "flagged";
    return a.stands ? `${why} (${describe(a.stands)} stands)` : why;
  }
  return { accept: "accepted", reject: "rejected", skip: "skipped" }[a.action] || a.action;
}

async function refreshSide() {
  if (!S.reviewer) { $("#history").replaceChildren(); return; }
  const hist = await api("/api/history?" + qs());
  $("#history").replaceChildren(...hist.map((h) => el("li", { "data-id": h.decision, onclick: () => show(h.decision) },
    el("span", {}, `${h.text} `, el("small", {}, h.label_before)), el("span", { class: "st " + h.status }, describe(h)))));
  const c = await api("/api/conflicts");
  $("#conflict-count").textContent = c.length ? `(${c.length})` : "";
}

// ------------------------------------------------------------------ answering
async function send(action, extra = {}) {
  if (S.busy) { S.dropped = true; say(NOT_TAKEN, true); return; }
  if (!S.item) return;
  if (!S.reviewer) { say("type your name in the reviewer box first", true); $("#reviewer").focus(); return; }
  S.busy = true;
  try {
    const id = S.item.id;
    await api("/api/answer", { reviewer: S.reviewer, decision: id, action, stamp: S.config.stamp, ...extra });
    await afterAnswer(id);
    say(S.dropped ? NOT_TAKEN.replace("still saving the last answer", "a key pressed while saving") : "", S.dropped);
    S.dropped = false;
  } catch (err) { S.dropped = false; say(err.message, true); } finally { S.busy = false; }
}

async function afterAnswer(id) {
  // the queue's order does not change while the page is open: ask only for what comes next
  const n = await api("/api/next?" + qs({ after: id }));
  showProgress(n.progress);
  await refreshSide();
  if (n.next == null) { S.pos = S.ids.length; showEmpty("all done: every candidate in this queue has an answer ✓"); return; }
  await show(n.next);
}

async function undo() {
  if (S.busy) { S.dropped = true; say(NOT_TAKEN, true); return; }
  if (!S.reviewer) return;
  S.busy = true;
  try {
    const r = await api("/api/undo", { reviewer: S.reviewer, stamp: S.config.stamp });
    if (!r.undone) { say("nothing to undo"); return; }
    showProgress((await api("/api/next?" + qs({ after: r.undone }))).progress);
    await refreshSide();
    await show(r.undone);
    const back = r.restored ? `undone: your earlier answer holds again (${describe(r.restored)})` : "undone: answer again";
    say(back + (S.dropped ? "; a key pressed while undoing was not taken" : ""), S.dropped);
  } catch (err) { say(err.message, true); } finally { S.busy = false; S.dropped = false; }
}

// a flag asks for a note first: f (or the button) opens the box, enter flags, esc cancels
function startFlag() {
  if (!S.item) return;
  if (!S.reviewer) { say("type your name in the reviewer box first", true); $("#reviewer").focus(); return; }
  $("#flag-note").value = "";
  $("#flag-edit").hidden = false;
  $("#flag-note").focus();
}

function sendFlag(e) {
  e.preventDefault();
  const note = $("#flag-note").value.trim();
  $("#flag-edit").hidden = true;
  $("#flag-note").blur();
  return send("flag", note ? { note } : {});
}

function relabel(label) {
  if (!S.item) return;
  if (label === S.item.label) return send("accept");
  return send("relabel", { label });
}

// span fixing: a mouse selection inside the sentence, or the keyboard (arrows move the edges)
function selectionSpan() {
  const sel = window.getSelection(), box = $("#sentence");
  if (!sel || sel.isCollapsed || !box.contains(sel.anchorNode) || !box.contains(sel.focusNode)) return null;
  const offset = (node, off) => { const r = document.createRange(); r.setStart(box, 0); r.setEnd(node, off); return r.toString().length; };
  let a = offset(sel.anchorNode, sel.anchorOffset), b = offset(sel.focusNode, sel.focusOffset);
  if (a > b) [a, b] = [b, a];
  const text = S.item.sentence_text;
  while (a < b && /\s/.test(text[a])) a++;
  while (b > a && /\s/.test(text[b - 1])) b--;
  return a < b ? { start: a, end: b } : null;
}

function startSpan() {
  if (!S.item) return;
  if (S.item.kind !== "entity") { say("fix the span on the argument's own entity (see this sentence)", true); return; }
  const sel = selectionSpan();
  if (sel) { window.getSelection().removeAllRanges(); send("span", spanToPoints(S.item.sentence_text, sel)); return; }
  const h = S.item.highlights[0];
  const text = S.item.sentence_text;
  S.spanEdit = h.start == null ? { start: 0, end: text.length ? [...text][0].length : 1 }
    : { start: toUnits(text, h.start), end: toUnits(text, h.end) };  // UTF-16 units while editing
  $("#span-edit").hidden = false;
  drawSpanEdit();
}

function drawSpanEdit() {
  const e = S.spanEdit;
  renderSentence(e);
  $("#span-edit").textContent = `new span "${S.item.sentence_text.slice(e.start, e.end)}": ← → move the start, ` +
    `shift+← → move the end, enter to save, esc to cancel`;
}

function tokenEdges(text) {
  // words of any script (\w alone is ASCII: "Zürich" was three tokens, "Z", "ü", "rich")
  const starts = [], ends = [], re = /[\p{L}\p{M}\p{N}_]+|[^\p{L}\p{M}\p{N}_\s]/gu;
  let m;
  while ((m = re.exec(text))) { starts.push(m.index); ends.push(m.index + m[0].length); }
  return { starts, ends };
}

function moveSpan(edge, dir) {
  const e = S.spanEdit, { starts, ends } = tokenEdges(S.item.sentence_text);
  if (edge === "start") {
    const c = dir < 0 ? starts.filter((s) => s < e.start).pop() : starts.find((s) => s > e.start && s < e.end);
    if (c !== undefined) e.start = c;
  } else {
    const c = dir > 0 ? ends.find((x) => x > e.end) : ends.filter((x) => x < e.end && x > e.start).pop();
    if (c !== undefined) e.end = c;
  }
  drawSpanEdit();
}

// ------------------------------------------------------------------ keyboard
function toggle(sel, force) { const o = $(sel); o.hidden = force === undefined ? !o.hidden : !force; }

async function showConflicts() {
  const rows = await api("/api/conflicts");
  const body = $("#conflict-table tbody");
  body.replaceChildren(...(rows.length ? rows.map((c) => el("tr", { onclick: () => { toggle("#conflicts", false); show(c.decision); } },
    el("td", {}, `${c.text} (${c.label})`), el("td", {}, c.verdict),
    el("td", {}, c.answers.map((a) => `${a.reviewer}: ${describe(a)}`).join(" · "))))
    : [el("tr", {}, el("td", { colspan: "3" }, "no conflicts: every item two reviewers answered got the same answer"))]));
  toggle("#conflicts", true);
  body.querySelector("tr[tabindex]")?.focus();  // keyboard first: Tab moves down the rows, enter opens one
}

function key(act) {
  switch (act) {
    case "accept": return send("accept");
    case "reject": return send("reject");
    case "skip": return send("skip");
    case "flag": return startFlag();
    case "span": return startSpan();
    case "undo": return undo();
  }
}

function onKey(e) {
  const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement?.tagName);
  if (e.key === "Escape") {
    toggle("#help", false); toggle("#conflicts", false); toggle("#flag-edit", false);
    if (S.spanEdit) { S.spanEdit = null; $("#span-edit").hidden = true; renderSentence(); }
    if (typing) document.activeElement.blur();
    return;
  }
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
  if (!$("#flag-edit").hidden) {  // the note box is open but a click elsewhere took the focus: what is
    $("#flag-note").focus();      // typed goes on into the note (enter flags), never a shortcut (space skipped)
    return;
  }
  if (S.spanEdit) {
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") { e.preventDefault(); moveSpan(e.shiftKey ? "end" : "start", e.key === "ArrowLeft" ? -1 : 1); }
    else if (e.key === "Enter") { e.preventDefault(); const s = spanToPoints(S.item.sentence_text, S.spanEdit); S.spanEdit = null; $("#span-edit").hidden = true; send("span", s); }
    return;
  }
  const k = e.key;
  if (k === "?") { e.preventDefault(); toggle("#help"); return; }
  if (!$("#help").hidden || !$("#conflicts").hidden) return;
  if (k === "a") key("accept");
  else if (k === "x") key("reject");
  else if (k === " ") { e.preventDefault(); key("skip"); }
  else if (k === "f") { e.preventDefault(); key("flag"); }  // (the f is not typed into the note box)
  else if (k === "s") key("span");
  else if (k === "Backspace") { e.preventDefault(); key("undo"); }
  else if (k === "w") { const d = $("#why"); d.open = !d.open; }
  else if (k === "c") showConflicts();
  else if (/^[1-9]$/.test(k) && S.item) { const c = S.item.choices[Number(k) - 1]; if (c) relabel(c); }
  else if (k === "ArrowRight" && S.ids.length) { e.preventDefault(); show(S.ids[Math.min(S.ids.length - 1, S.pos + 1)]); }
  else if (k === "ArrowLeft" && S.ids.length) { e.preventDefault(); show(S.ids[Math.max(0, S.pos - 1)]); }
  else if ((k === "]" || k === "[") && S.item) {
    const sib = S.item.siblings, i = sib.findIndex((s) => s.id === S.item.id);
    const j = k === "]" ? Math.min(sib.length - 1, i + 1) : Math.max(0, i - 1);
    if (j !== i) show(sib[j].id);
  }
}

init().catch((err) => say(err.message, true));
