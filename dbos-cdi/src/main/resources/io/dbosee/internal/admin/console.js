"use strict";
// The DBOS operations console: one page, views chosen by the URL's fragment (#/workflows,
// #/workflows/<id>, #/queues, #/schedules, #/servers), so that every view has a link that opens
// it cold. It calls the admin endpoints next to it with the browser's credentials.

const BASE = document.querySelector("meta[name=dbos-admin-base]").content;
const PAGE_SIZE = 50;
const REFRESH_MS = 3000;
const VIEWS = ["workflows", "workflow", "queues", "schedules", "servers"];
const $ = id => document.getElementById(id);

let refreshTimer = null;
let pendingNotice = null; // what an action that moves to another view says there
let lastDrawn = {}; // per view, the JSON last drawn: an unchanged answer is not drawn again
let showing = 0; // the latest show(): an answer to an earlier one (a view since left) is not drawn

async function call(method, path, body) {
  const response = await fetch(BASE + path, {
    method, credentials: "same-origin",
    headers: method === "POST" ? { "Content-Type": "application/json" } : {},
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  if (!response.ok) {
    let detail = await response.text();
    try { detail = JSON.parse(detail).error || detail; } catch (e) { /* not JSON */ }
    throw new Error(method + " " + path + ": " + response.status + " " + detail);
  }
  return response.status === 204 ? null : response.json();
}

function el(tag, attributes, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes || {})) {
    if (v == null) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c == null ? "" : c);
  return e;
}

function time(ms) {
  return ms == null ? "" : new Date(ms).toISOString().replace("T", " ").slice(0, 19) + "Z";
}

function duration(ms) {
  if (ms == null) return "";
  if (ms < 1000) return ms + " ms";
  if (ms < 60000) return (ms / 1000).toFixed(1) + " s";
  if (ms < 3600000) return Math.floor(ms / 60000) + " min " + Math.floor(ms % 60000 / 1000) + " s";
  if (ms < 86400000) return Math.floor(ms / 3600000) + " h " + Math.floor(ms % 3600000 / 60000) + " min";
  return Math.floor(ms / 86400000) + " d " + Math.floor(ms % 86400000 / 3600000) + " h";
}

function workflowLink(id) {
  return el("a", { href: "#/workflows/" + encodeURIComponent(id), text: id });
}

/** Opens another view, saying {@code notice} there (the hashchange comes after this returns). */
function go(hash, notice) {
  pendingNotice = notice;
  location.hash = hash;
}

function say(text) { $("notice").textContent = text; $("message").textContent = ""; }
function fail(e) { $("message").textContent = e.message; $("notice").textContent = ""; }

/** A recorded error as a person reads it ("IllegalStateException: the card was declined"). */
function readableError(raw) {
  try {
    const e = JSON.parse(raw);
    if (e && typeof e === "object" && e.message != null) return (e.name ? e.name + ": " : "") + e.message;
  } catch (ignored) { /* not JSON: shown as stored */ }
  return raw;
}

/**
 * Whether to draw a view's answer: only when it answers the latest show() and its data changed (no
 * flicker on auto refresh).
 */
function changed(view, data, ticket) {
  if (ticket !== showing) return false;
  const json = JSON.stringify(data);
  if (lastDrawn[view] === json) return false;
  lastDrawn[view] = json;
  return true;
}

// ---- routing ----

function route() {
  const hash = location.hash.replace(/^#/, "") || "/workflows";
  const [path, query] = hash.split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(p => p);
  let view = parts[0] || "workflows";
  if (view === "workflows" && parts.length > 1) view = "workflow";
  if (!VIEWS.includes(view)) view = "workflows";
  return { view, id: parts.length > 1 ? decodeURIComponent(parts.slice(1).join("/")) : null, params };
}

async function show(fromTimer) {
  const r = route();
  for (const v of VIEWS) $("view-" + v).hidden = v !== r.view;
  for (const a of document.querySelectorAll("nav a")) {
    a.classList.toggle("current", a.id === "nav-" + (r.view === "workflow" ? "workflows" : r.view));
  }
  if (!fromTimer) { $("message").textContent = ""; lastDrawn = {}; }
  const ticket = ++showing;
  try {
    if (r.view === "workflows") await showWorkflows(r.params, fromTimer, ticket);
    else if (r.view === "workflow") await showWorkflow(r.id, ticket);
    else if (r.view === "queues") await showQueues(ticket);
    else if (r.view === "schedules") await showSchedules(fromTimer, ticket);
    else await showServers(ticket);
    if (fromTimer) $("message").textContent = "";
  } catch (e) {
    if (ticket === showing) fail(e);
  }
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if ($("auto-refresh").checked) {
    refreshTimer = setTimeout(async () => { await show(true); scheduleRefresh(); }, REFRESH_MS);
  }
}

// ---- workflows ----

const FILTERS = { status: "filter-status", name: "filter-name", queue: "filter-queue",
  prefix: "filter-prefix", range: "filter-range", from: "filter-from", to: "filter-to" };
const RANGES = { "15m": 900e3, "1h": 3600e3, "24h": 86400e3, "7d": 604800e3 };

function filtersFromForm() {
  const p = new URLSearchParams();
  for (const [key, id] of Object.entries(FILTERS)) {
    const v = $(id).value.trim();
    if (v && ((key !== "from" && key !== "to") || $("filter-range").value === "custom")) p.set(key, v);
  }
  if ($("filter-all").checked) p.set("all", "true");
  return p;
}

function formFromFilters(params) {
  for (const [key, id] of Object.entries(FILTERS)) $(id).value = params.get(key) || "";
  $("filter-all").checked = params.get("all") === "true";
  for (const l of document.querySelectorAll(".custom-range")) l.hidden = $("filter-range").value !== "custom";
}

function listRequest(params) {
  const body = { sort_desc: true, load_input: false, load_output: false };
  if (params.get("status")) body.status = params.get("status");
  if (params.get("name")) body.name = params.get("name");
  if (params.get("queue")) body.queue_name = params.get("queue");
  if (params.get("prefix")) body.workflow_id_prefix = params.get("prefix");
  const range = params.get("range");
  if (RANGES[range]) body.start_time = Date.now() - RANGES[range];
  if (range === "custom") {
    if (params.get("from")) body.start_time = params.get("from");
    if (params.get("to")) body.end_time = params.get("to");
  }
  return body;
}

async function showWorkflows(params, fromTimer, ticket) {
  if (!fromTimer) formFromFilters(params);
  const page = Math.max(0, Number(params.get("page") || 0));
  const body = listRequest(params);
  const all = params.get("all") === "true" ? "?all_applications=true" : "";
  const countBody = Object.assign({}, body);
  delete countBody.status;
  const [workflows, counts] = await Promise.all([
    call("POST", "/workflows" + all, Object.assign({ limit: PAGE_SIZE + 1, offset: page * PAGE_SIZE }, body)),
    call("POST", "/console-api/counts" + all, countBody)]);
  if (!changed("workflows", [workflows, counts, page], ticket)) return;
  drawCounts(counts, params);
  const rows = workflows.slice(0, PAGE_SIZE).map(w => el("tr", { class: "row", "data-workflow-id": w.workflow_id },
    el("td", { class: "id" }, workflowLink(w.workflow_id)),
    el("td", { class: "name", title: w.name + (w.class_name ? " in " + w.class_name : "") },
      w.display_name, w.kind === "step" ? " " : "", w.kind === "step" ? el("span", { class: "kind", text: "step" }) : ""),
    el("td", { class: "status " + w.status, text: w.status }),
    el("td", { class: "wide queue", text: w.queue_name }),
    el("td", { class: "wide created", text: time(w.created_at) }),
    el("td", { class: "wide", text: w.completed_at ? duration(w.completed_at - w.created_at) : "" }),
    el("td", { class: "wide executor", text: w.executor_id }),
    el("td", { class: "wide application", text: w.application_name })));
  $("workflows").replaceChildren(...rows);
  const matching = params.get("status") ? counts[params.get("status")] : counts.total;
  $("page-info").textContent = workflows.length === 0 ? "No workflow matches." :
    "Workflows " + (page * PAGE_SIZE + 1) + "–" + (page * PAGE_SIZE + rows.length) + " of " + matching;
  $("prev").disabled = page === 0;
  $("next").disabled = workflows.length <= PAGE_SIZE;
}

function drawCounts(counts, params) {
  const chips = [["", "All", counts.total]];
  for (const s of ["PENDING", "ENQUEUED", "DELAYED", "SUCCESS", "ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"]) {
    if (counts[s] > 0 || params.get("status") === s) chips.push([s, s, counts[s]]);
  }
  $("counts").replaceChildren(...chips.map(([status, label, n]) => {
    const chip = el("button", { type: "button", class: "count" + ((params.get("status") || "") === status ? " selected" : ""),
      "data-status": status, text: label + " " + n });
    chip.addEventListener("click", () => { $("filter-status").value = status; applyFilters(); });
    return chip;
  }));
}

function applyFilters(page) {
  const p = filtersFromForm();
  if (page) p.set("page", page);
  const hash = "#/workflows" + (p.toString() ? "?" + p : "");
  if (location.hash === hash) show(false); else location.hash = hash;
}

function turnPage(by) {
  const page = Math.max(0, Number(route().params.get("page") || 0) + by);
  applyFilters(page);
}

// ---- one workflow ----

async function showWorkflow(id, ticket) {
  const path = "/workflows/" + encodeURIComponent(id);
  const [w, steps, related] = await Promise.all([
    call("GET", path), call("GET", path + "/steps"), call("GET", "/console-api" + path + "/related")]);
  if (!changed("workflow", [w, steps, related], ticket)) return;
  $("detail-title").textContent = w.display_name + " — " + w.workflow_id;
  $("detail-status").textContent = w.status;
  $("detail-status").className = "status " + w.status;
  $("detail-kind").textContent = w.kind === "step" ? "enqueued step" : "workflow";
  $("detail-link").href = location.href.split("#")[0] + "#/workflows/" + encodeURIComponent(w.workflow_id);
  drawFields(w);
  $("detail-input").textContent = w.input ?? "";
  const failed = w.error != null;
  $("detail-outcome-title").textContent = failed ? "Error" : "Output";
  $("detail-output").textContent = failed ? readableError(w.error) : (w.output ?? "");
  $("detail-output").title = failed ? w.error : "";
  $("detail-output").className = failed ? "error" : "";
  drawTimeline(w, steps);
  // Fork from step N: the steps before N are replayed, N and after run again.
  const next = steps.length ? Math.max(...steps.map(s => s.function_id)) + 1 : 0;
  $("fork-step").replaceChildren(el("option", { value: 0, text: "the start" }),
    ...steps.filter(s => s.function_id > 0).map(s => el("option", { value: s.function_id, text: "step " + s.function_id + " " + s.function_name })),
    ...(next > 0 ? [el("option", { value: next, text: "after the last recorded step" })] : []));
  $("children").replaceChildren(...related.children.map(c => el("li", {}, workflowLink(c.workflow_id),
    " " + c.display_name + " ", el("span", { class: "status " + c.status, text: c.status }))));
  if (!related.children.length) $("children").replaceChildren(el("li", { class: "muted", text: "none" }));
  $("forks").replaceChildren(...related.forks.map(f => el("li", {}, workflowLink(f.workflow_id),
    " " + time(f.created_at) + " ", el("span", { class: "status " + f.status, text: f.status }))));
  if (!related.forks.length) $("forks").replaceChildren(el("li", { class: "muted", text: "none" }));
  rowsOrNone("messages", related.messages.map(m =>
    [m.topic === "__null__topic__" ? "(none)" : m.topic, m.message, time(m.created_at), m.consumed ? "yes" : "no"]), 4);
  rowsOrNone("events", related.events.map(e => [e.key, e.value]), 2);
  rowsOrNone("streams", related.streams.map(s => [s.key, s.values, s.closed ? "yes" : "no"]), 3);
}

function drawFields(w) {
  const fields = [["Name", w.name], ["Class", w.class_name], ["Queue", w.queue_name],
    ["Partition", w.queue_partition_key], ["Created", time(w.created_at)], ["Dequeued", time(w.dequeued_at)],
    ["Completed", time(w.completed_at)], ["Executor", w.executor_id], ["Version", w.app_version],
    ["Application", w.application_name], ["Recovery attempts", w.recovery_attempts],
    ["Timeout", w.workflow_timeout_ms == null ? null : duration(w.workflow_timeout_ms)],
    ["Deduplication id", w.deduplication_id], ["Authenticated user", w.authenticated_user]];
  const items = [];
  for (const [label, value] of fields) {
    if (value != null && value !== "") items.push(el("dt", { text: label }), el("dd", { text: value }));
  }
  for (const [label, id, cls] of [["Parent", w.parent_workflow_id, "detail-parent"], ["Forked from", w.forked_from, "detail-forked-from"]]) {
    if (id) items.push(el("dt", { text: label }), el("dd", { class: cls }, workflowLink(id)));
  }
  $("detail-fields").replaceChildren(...items);
}

function drawTimeline(w, steps) {
  const start = Math.min(w.created_at, ...steps.map(s => s.started_at_epoch_ms ?? w.created_at));
  const end = Math.max(w.updated_at, ...steps.map(s => s.completed_at_epoch_ms ?? w.updated_at));
  const span = Math.max(1, end - start);
  const rows = [];
  for (const s of steps) {
    const from = s.started_at_epoch_ms ?? start, to = s.completed_at_epoch_ms ?? from;
    const failed = s.error != null;
    const label = el("span", { class: "step-label", title: failed ? readableError(s.error) : (s.output ?? ""),
      text: s.function_id + " " + s.function_name + " (" + duration(to - from) + ")" });
    if (s.child_workflow_id) label.append(" → ", workflowLink(s.child_workflow_id));
    const bar = el("span", { class: "bar" + (failed ? " failed" : "") });
    bar.style.left = (100 * (from - start) / span) + "%";
    bar.style.width = (100 * (to - from) / span) + "%";
    const row = el("div", { class: "step" + (failed ? " failed" : ""), "data-function-id": s.function_id },
      label, el("span", { class: "bar-track" }, bar));
    if (failed) row.append(el("div", { class: "step-error", title: s.error, text: readableError(s.error) }));
    rows.push(row);
  }
  if (!rows.length) rows.push(el("p", { class: "muted", text: "No step recorded yet." }));
  $("timeline").replaceChildren(...rows);
}

function rowsOrNone(tbody, rows, columns) {
  $(tbody).replaceChildren(...(rows.length ? rows.map(r => el("tr", {}, ...r.map(v => el("td", { text: v }))))
    : [el("tr", {}, el("td", { class: "muted", colSpan: columns, text: "none" }))]));
}

async function act(action, body) {
  const id = route().id;
  try {
    const result = await call("POST", "/workflows/" + encodeURIComponent(id) + "/" + action, body);
    if (action === "delete") {
      go("#/workflows", "Deleted " + result.join(", ") + ".");
      return;
    }
    if (result && result.workflow_id) {
      go("#/workflows/" + encodeURIComponent(result.workflow_id), "Forked " + id + " as " + result.workflow_id + ".");
      return;
    }
    say(action === "cancel" ? "Cancelled " + id + "." : "Resumed " + id + ".");
    lastDrawn = {};
    await show(false);
  } catch (e) {
    fail(e);
  }
}

// ---- queues ----

function limits(q) {
  const parts = [];
  if (q.concurrency) parts.push("concurrency " + q.concurrency);
  if (q.workerConcurrency) parts.push("per server " + q.workerConcurrency);
  if (q.rateLimit) parts.push(q.rateLimit.limit + " per " + q.rateLimit.period + " s");
  if (q.partitionConcurrency) parts.push("per partition " + q.partitionConcurrency);
  if (q.partitionWorkerConcurrency) parts.push("per partition and server " + q.partitionWorkerConcurrency);
  if (q.partitionRateLimit) parts.push(q.partitionRateLimit.limit + " per " + q.partitionRateLimit.period + " s per partition");
  if (q.priorityEnabled) parts.push("priorities");
  return parts.length ? parts.join(", ") : "no limit";
}

async function showQueues(ticket) {
  const answer = await call("GET", "/console-api/queues");
  if (!changed("queues", answer, ticket)) return;
  $("queues").replaceChildren(...answer.queues.map(q => el("tr", { class: "row", "data-queue": q.name },
    el("td", { class: "name" }, el("a", { href: "#/workflows?queue=" + encodeURIComponent(q.name), text: q.name })),
    el("td", { class: "limits", text: limits(q) }),
    el("td", { class: "enqueued", text: q.enqueued }),
    el("td", { class: "running", text: q.running }),
    el("td", { class: "oldest-wait", text: q.oldest_wait_ms == null ? "" : duration(q.oldest_wait_ms) }),
    el("td", { class: "partitions" }, ...(q.partitions || []).map(p => el("div", { "data-partition": p.partition_key,
      text: p.partition_key + ": " + p.enqueued + " enqueued, " + p.running + " running"
        + (p.oldest_wait_ms == null ? "" : ", oldest " + duration(p.oldest_wait_ms)) }))))));
  if (!answer.queues.length) $("queues").replaceChildren(el("tr", {}, el("td", { colSpan: 6, class: "muted", text: "No queue." })));
}

// ---- schedules ----

async function showSchedules(fromTimer, ticket) {
  const answer = await call("GET", "/console-api/schedules");
  if (!changed("schedules", answer, ticket)) return;
  $("schedules").replaceChildren(...answer.schedules.map(s => {
    const button = (cls, label, action) => {
      const b = el("button", { type: "button", class: cls, text: label });
      b.addEventListener("click", () => scheduleAction(s.name, action));
      return b;
    };
    return el("tr", { class: "row", "data-schedule": s.name },
      el("td", { class: "name", text: s.name }),
      el("td", { class: "workflow", title: s.workflow_name }, el("a", {
        href: "#/workflows?name=" + encodeURIComponent(s.workflow_name), text: s.display_name })),
      el("td", { class: "cron", text: s.cron + (s.time_zone === "Z" || s.time_zone === "UTC" ? "" : " (" + s.time_zone + ")") }),
      el("td", { class: "next-tick", text: s.paused ? "paused" : time(s.next_tick_at) }),
      el("td", { class: "last-tick", text: s.last_tick_at == null ? "never" : time(s.last_tick_at) }),
      el("td", { class: "state", text: s.paused ? "Paused" : "Active" }),
      el("td", { class: "schedule-actions" }, s.paused ? button("resume", "Resume", "resume") : button("pause", "Pause", "pause"),
        " ", button("trigger", "Run now", "trigger")));
  }));
  if (!fromTimer) {
    $("backfill-schedule").replaceChildren(...answer.schedules.map(s => el("option", { value: s.name, text: s.name })));
  }
}

async function scheduleAction(name, action, body) {
  try {
    const result = await call("POST", "/console-api/schedules/" + encodeURIComponent(name) + "/" + action, body);
    lastDrawn = {};
    await show(true);
    if (action === "trigger") {
      $("notice").replaceChildren("Started ", workflowLink(result.workflow_id), ".");
    } else if (action === "backfill") {
      // The answer names every tick of the interval, also those that had already run.
      say("Backfill of " + name + ": " + result.workflow_ids.length + " tick(s) in the interval, those not run before started.");
    } else {
      say((action === "pause" ? "Paused " : "Resumed ") + name + ".");
    }
  } catch (e) {
    fail(e);
  }
}

// ---- versions and servers ----

async function showServers(ticket) {
  const answer = await call("GET", "/console-api/servers");
  if (!changed("servers", answer, ticket)) return;
  const here = [["Executor", answer.executor_id], ["Application version", answer.application_version],
    ["Application", answer.application_name ?? "(none: every application's workflows)"]];
  $("this-server").replaceChildren(...here.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
  rowsOrNone("versions", answer.versions.map(v => [v.name + (v.name === answer.application_version ? " (this server)" : ""),
    time(v.timestamp), time(v.created_at)]), 3);
  rowsOrNone("executors", answer.executors.map(x => [x.executor_id + (x.executor_id === answer.executor_id ? " (this server)" : ""),
    x.application_version, time(x.started_at), time(x.renewed_at), time(x.lease_until), x.live ? "live" : "lease expired"]), 6);
}

// ---- wiring ----

$("filters").addEventListener("submit", e => { e.preventDefault(); applyFilters(); });
$("clear-filters").addEventListener("click", () => { formFromFilters(new URLSearchParams()); applyFilters(); });
$("filter-range").addEventListener("change", () => {
  for (const l of document.querySelectorAll(".custom-range")) l.hidden = $("filter-range").value !== "custom";
});
$("filter-all").addEventListener("change", () => applyFilters());
$("prev").addEventListener("click", () => turnPage(-1));
$("next").addEventListener("click", () => turnPage(1));
$("cancel").addEventListener("click", () => act("cancel"));
$("resume").addEventListener("click", () => act("resume"));
$("fork").addEventListener("click", () => act("fork", { start_step: Number($("fork-step").value) }));
$("delete").addEventListener("click", () => { $("delete-confirm").hidden = false; });
$("delete-no").addEventListener("click", () => { $("delete-confirm").hidden = true; });
$("delete-yes").addEventListener("click", () => { $("delete-confirm").hidden = true; act("delete", { delete_children: true }); });
$("backfill-form").addEventListener("submit", e => {
  e.preventDefault();
  scheduleAction($("backfill-schedule").value, "backfill",
    { start: $("backfill-from").value.trim(), end: $("backfill-to").value.trim() });
});
$("auto-refresh").addEventListener("change", scheduleRefresh);
window.addEventListener("hashchange", () => {
  $("notice").textContent = pendingNotice || "";
  pendingNotice = null;
  show(false);
});
show(false);
