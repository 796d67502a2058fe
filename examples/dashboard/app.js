// The dashboard: connects to the monitor's /ws, reconnects by itself, and shows each
// node's connections now and over time. The history comes once from /history.json (at
// each (re)connection to the monitor) and is carried on by the frames; without it the
// page shows the present only. Everything from the wire is put on the page as text,
// never HTML. No framework, no build step: plain DOM and SVG.
const SVG = 'http://www.w3.org/2000/svg';
const COMPONENTS = [
  ['log_reader', 'log reader'],
  ['api_client', 'API'],
];
/** Past this many nodes the page starts in the compact table. */
const TABLE_FROM = 9;
const RATE_POINTS = 60;
const DAY_MS = 86_400_000;

const nodesElement = document.getElementById('nodes');
const tableElement = document.getElementById('table');
const linkElement = document.getElementById('link');
const tipElement = document.getElementById('tip');
const cards = new Map();
const rows = new Map();
/** Per node: lines/s of the last frames, and the counter they were computed from. */
const rates = new Map();
const lineCounts = new Map();
let lastFrame = null;
let simulator = null;
/** `undefined` until asked, then `null` (not served) or { windowMs, alertThresholdMs, offsetMs, nodes: Map }. */
let history;
let rangeMs = 3_600_000;
let layout = 'auto';

const token = new URLSearchParams(location.search).get('token');
const tokenQuery = token ? `?token=${encodeURIComponent(token)}` : '';
const socketUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${tokenQuery}`;

function connect(attempt = 0) {
  const socket = new WebSocket(socketUrl);
  socket.addEventListener('open', () => {
    attempt = 0;
    setLink('open', 'live');
    // A monitor that restarted has a history of its own since: read it again.
    void loadHistory();
  });
  socket.addEventListener('message', (event) => {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame && frame.type === 'connection_status' && frame.states && typeof frame.states === 'object') {
      lastFrame = frame;
      extendHistory(frame);
      countLines(frame);
      render(true);
    }
  });
  socket.addEventListener('close', () => {
    const delay = Math.min(1000 * 2 ** attempt, 10_000);
    setLink('closed', `monitor unreachable, retrying in ${Math.round(delay / 1000)} s`);
    setTimeout(() => connect(attempt + 1), delay);
  });
}

function setLink(state, text) {
  linkElement.dataset.state = state;
  linkElement.textContent = text;
}

async function loadHistory() {
  let body;
  try {
    const response = await fetch(`/history.json${tokenQuery}`, { cache: 'no-store' });
    body = response.ok ? await response.json() : null;
  } catch {
    body = null;
  }
  history = parseHistory(body);
  document.body.classList.toggle('no-history', history === null);
  document.getElementById('history-note').hidden = history !== null;
  document.getElementById('legend').hidden = history === null;
  if (history && lastFrame) extendHistory(lastFrame);
  render(true);
}

/** The served history, checked field by field: `null` when there is none to show. */
function parseHistory(body) {
  if (!body || typeof body !== 'object' || !body.nodes || typeof body.nodes !== 'object') return null;
  const nodes = new Map();
  for (const [name, components] of Object.entries(body.nodes)) {
    const entry = {};
    for (const [component] of COMPONENTS) {
      const segments = components?.[component];
      if (Array.isArray(segments)) entry[component] = segments.filter(isSegment).map((segment) => ({ ...segment }));
    }
    nodes.set(name, entry);
  }
  return {
    windowMs: Number.isFinite(body.windowMs) ? body.windowMs : DAY_MS,
    alertThresholdMs: Number.isFinite(body.alertThresholdMs) ? body.alertThresholdMs : 300_000,
    offsetMs: Number.isFinite(body.now) ? body.now - Date.now() : 0,
    nodes,
  };
}

function isSegment(segment) {
  return segment && typeof segment.state === 'string' && Number.isFinite(segment.from) && (segment.to === null || Number.isFinite(segment.to));
}

/** The monitor's clock (segments are in its time). */
function now() {
  return Date.now() + (history?.offsetMs ?? 0);
}

/** Carries the history on with a frame: a state that differs from the open segment's begins a new one. */
function extendHistory(frame) {
  if (!history) return;
  const at = now();
  for (const [name, states] of Object.entries(frame.states)) {
    let entry = history.nodes.get(name);
    if (!entry) history.nodes.set(name, (entry = {}));
    for (const [component] of COMPONENTS) {
      const status = states?.[component];
      if (!status) continue;
      const segments = (entry[component] ??= []);
      const open = segments.at(-1);
      if (open && open.to === null && open.state === String(status.state)) continue;
      if (open && open.to === null) open.to = Math.max(at, open.from);
      const segment = { state: String(status.state), from: at, to: null, last_error: status.last_error ?? null };
      const left = segment.state === 'connected' ? leftConnectedAt(segments) : null;
      if (left !== null) segment.reconnected_after_ms = at - left;
      segments.push(segment);
      while (segments.length > 0 && segments[0].to !== null && segments[0].to < at - history.windowMs) segments.shift();
    }
  }
}

/** When the connection last left `connected`, if it has been away since without a gap (as the monitor counts a reconnection). */
function leftConnectedAt(segments) {
  for (let index = segments.length - 1; index >= 0; index--) {
    const segment = segments[index];
    const next = segments[index + 1];
    if (next && segment.to !== next.from) return null;
    if (segment.state === 'connected') return segment.to;
    if (segment.merged) return null;
  }
  return null;
}

function countLines(frame) {
  const at = Date.now();
  for (const name of Object.keys(frame.states)) {
    const received = frame.metrics?.[name]?.log_reader?.lines?.received;
    if (typeof received !== 'number') continue;
    const previous = lineCounts.get(name);
    lineCounts.set(name, { received, at });
    if (!previous || at <= previous.at) continue;
    const points = rates.get(name) ?? [];
    // A counter that went down is a restarted monitor, not negative traffic.
    points.push(Math.max(0, ((received - previous.received) * 1000) / (at - previous.at)));
    if (points.length > RATE_POINTS) points.shift();
    rates.set(name, points);
  }
}

/** Redraws; the timelines only when `timelines` (a frame, the history, the range or layout changed), the rest every second. */
function render(timelines = false) {
  if (!lastFrame) return;
  const names = Object.keys(lastFrame.states);
  const table = layout === 'table' || (layout === 'auto' && names.length >= TABLE_FROM);
  for (const button of document.querySelectorAll('[data-layout]'))
    button.setAttribute('aria-pressed', String(button.dataset.layout === (table ? 'table' : 'cards')));
  nodesElement.hidden = table;
  tableElement.hidden = !table;
  const view = table
    ? { items: rows, template: 'table-row', update: updateRow, parent: tableElement.tBodies[0] }
    : { items: cards, template: 'node-card', update: updateCard, parent: nodesElement };
  for (const [name, element] of view.items) {
    if (!names.includes(name)) {
      element.remove();
      view.items.delete(name);
    }
  }
  // One reading of the clock: the range spans exactly rangeMs, however slow the page is.
  const end = now();
  const range = { end, start: end - rangeMs };
  for (const name of names) {
    let element = view.items.get(name);
    if (!element) {
      element = nodeElement(view.template, name);
      view.items.set(name, element);
      view.parent.append(element);
      timelines = true;
    }
    view.update(element, name, range, timelines);
  }
}

function nodeView(name) {
  const states = lastFrame.states[name] ?? {};
  const log = states.log_reader;
  const api = states.api_client;
  const logs = log?.state === 'connected';
  const apiUp = api?.is_available === true;
  return {
    states,
    mode: logs ? (apiUp ? 'log+api' : 'log-only') : apiUp ? 'api-only' : 'offline',
    health: lastFrame.health?.[name],
    metrics: lastFrame.metrics?.[name],
    segments: (component) => history?.nodes.get(name)?.[component] ?? [],
  };
}

/** A node's card or table row, from the template `templateId`, with its name (as text, never as HTML). */
function nodeElement(templateId, name) {
  const element = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
  element.dataset.node = name;
  element.querySelector('.name').textContent = name;
  return element;
}

function updateCard(card, name, range, timelines) {
  const view = nodeView(name);
  setMode(card.querySelector('.mode'), view.mode);
  setVerdict(card.querySelector('.verdict'), view.health);
  card.querySelector('.reasons').replaceChildren(...textItems(Array.isArray(view.health?.reasons) ? view.health.reasons : []));
  const sources = card.querySelector('.sources');
  for (const [component, label] of COMPONENTS) {
    const status = view.states[component];
    let row = sources.querySelector(`.source[data-source="${label}"]`);
    if (!status) {
      row?.remove();
      continue;
    }
    if (!row) {
      row = document.getElementById('source-row').content.firstElementChild.cloneNode(true);
      row.dataset.source = label;
      row.querySelector('.label').textContent = label;
      sources.append(row);
      timelines = true;
    }
    updateSourceRow(row, component, status, view);
    if (history && timelines) {
      const segments = view.segments(component);
      drawTimeline(row.querySelector('.timeline'), segments, range, label);
      writeStats(row.querySelector('.uptime'), row.querySelector('.reconnections'), rangeStats(segments, range));
    }
  }
  drawRate(card.querySelector('.rate'), rates.get(name));
  if (history && timelines) card.querySelector('.alerts').replaceChildren(...textItems(recentAlerts(view, range)));
  renderControls(card);
}

function updateSourceRow(row, component, status, view) {
  setState(row.querySelector('.state'), status.state, status.degraded === true);
  row.querySelector('.attempts').textContent = String(status.reconnect_attempts ?? 0);
  row.querySelector('.retry').textContent = status.next_retry_at == null ? '—' : `in ${Math.max(0, Math.ceil(status.next_retry_at - Date.now() / 1000))} s`;
  const log = component === 'log_reader';
  row.querySelector('.extra-label').textContent = log ? 'address' : 'last success';
  row.querySelector('.extra').textContent = log
    ? `${status.host}:${status.port}`
    : status.last_successful_request == null
      ? 'never'
      : `${since(status.last_successful_request)} ago`;
  row.querySelector('.error').textContent = status.last_error ?? '';
  // Schema drift: the node's piecestore lines the monitor could not read (log readers only).
  const unreadable = log ? view.metrics?.log_reader?.lines?.unrecognized : undefined;
  if (typeof unreadable === 'number') {
    const drift = row.querySelector('.drift');
    drift.textContent = String(unreadable);
    drift.dataset.drift = unreadable > 0 ? 'yes' : 'no';
    drift.hidden = false;
    row.querySelector('.drift-label').hidden = false;
  }
}

function updateRow(row, name, range, timelines) {
  const view = nodeView(name);
  setVerdict(row.querySelector('.verdict'), view.health);
  row.querySelector('.verdict').title = Array.isArray(view.health?.reasons) ? view.health.reasons.join('\n') : '';
  setMode(row.querySelector('.mode'), view.mode);
  const errors = [];
  for (const [component, label] of COMPONENTS) {
    const prefix = component === 'log_reader' ? 'log' : 'api';
    const status = view.states[component];
    setState(row.querySelector(`.${prefix}-state .state`), status ? status.state : '—');
    if (status?.last_error) errors.push(`${label}: ${status.last_error}`);
    if (history && timelines) {
      const segments = status ? view.segments(component) : [];
      drawTimeline(row.querySelector(`.${prefix}-timeline`), segments, range, label);
      row.querySelector(`.${prefix}-uptime`).textContent = status ? percent(rangeStats(segments, range).uptime) : '';
    }
  }
  if (history && timelines) {
    const reconnections = COMPONENTS.reduce((sum, [component]) => sum + rangeStats(view.segments(component), range).reconnections, 0);
    row.querySelector('.reconnections').textContent = String(reconnections);
  }
  row.querySelector('.error').textContent = errors.join(' · ');
  drawRate(row.querySelector('.rate'), rates.get(name));
}

/** A degraded source is still `connected`: it reads "connected (degraded)", in the colour of a warning. */
function setState(element, state, degraded = false) {
  element.textContent = degraded ? `${state} (degraded)` : String(state);
  element.dataset.state = degraded ? 'degraded' : String(state);
}

function setMode(element, mode) {
  element.dataset.mode = mode;
  element.textContent = mode;
}

/** The node's verdict (frames carry it as `health`), or nothing when the monitor sends none. */
function setVerdict(element, health) {
  const verdict = typeof health?.verdict === 'string' ? health.verdict : null;
  element.hidden = verdict === null;
  element.textContent = verdict ?? '';
  element.dataset.verdict = verdict ?? '';
}

function textItems(texts) {
  return texts.map((text) => {
    const item = document.createElement('li');
    item.textContent = String(text);
    return item;
  });
}

/** Uptime, reconnections and their mean duration over the range; a merged segment counts its share of its summary. */
function rangeStats(segments, { start, end }) {
  let tracked = 0;
  let connected = 0;
  let reconnections = 0;
  let reconnectionMs = 0;
  for (const segment of segments) {
    const to = segment.to ?? end;
    const overlap = Math.min(to, end) - Math.max(segment.from, start);
    if (overlap < 0 || (overlap === 0 && segment.from < start)) continue;
    if (segment.merged) {
      const share = to > segment.from ? overlap / (to - segment.from) : 1;
      tracked += segment.merged.tracked_ms * share;
      connected += segment.merged.connected_ms * share;
      reconnections += segment.merged.reconnections * share;
      reconnectionMs += segment.merged.reconnection_ms * share;
      continue;
    }
    tracked += overlap;
    if (segment.state === 'connected') connected += overlap;
    if (Number.isFinite(segment.reconnected_after_ms) && segment.from >= start) {
      reconnections += 1;
      reconnectionMs += segment.reconnected_after_ms;
    }
  }
  const count = Math.round(reconnections);
  return { uptime: tracked > 0 ? connected / tracked : null, reconnections: count, meanMs: count > 0 ? reconnectionMs / reconnections : null };
}

function writeStats(uptimeElement, reconnectionsElement, stats) {
  uptimeElement.textContent = percent(stats.uptime);
  reconnectionsElement.textContent = stats.reconnections === 0 ? '0' : `${stats.reconnections}, mean ${duration(stats.meanMs)}`;
}

/**
 * Runs of adjacent segments away from `connected`, with their latest error: those that
 * follow a connection, and any as long as the alert threshold (a source that never
 * connects). A stop on purpose is no outage, nor the first moments of a monitor starting.
 */
function outagesOf(segments) {
  const outages = [];
  let current = null;
  let previous = null;
  for (const segment of segments) {
    const down = segment.state === 'error' || segment.state === 'connecting' || segment.state === 'disconnected';
    if (down && current && current.to === segment.from) {
      current.to = segment.to;
      current.last_error = segment.last_error ?? current.last_error;
    } else if (down) {
      const afterConnection = previous?.state === 'connected' && previous.to === segment.from;
      current = { from: segment.from, to: segment.to, last_error: segment.last_error ?? null, afterConnection };
      outages.push(current);
    } else current = null;
    previous = segment;
  }
  const end = now();
  return outages.filter((outage) => outage.afterConnection || (outage.to ?? end) - outage.from >= (history?.alertThresholdMs ?? 0));
}

/** Outages longer than the monitor's alert threshold, newest first: what `alerts$` said (`down`, then `recovered`). */
function recentAlerts(view, range) {
  const alerts = [];
  for (const [component, label] of COMPONENTS) {
    for (const outage of outagesOf(view.segments(component))) {
      const length = (outage.to ?? range.end) - outage.from;
      if (length < history.alertThresholdMs || (outage.to ?? range.end) < range.start) continue;
      const when = outage.to === null ? `down since ${clock(outage.from)}` : `down ${clock(outage.from)} – ${clock(outage.to)} (${duration(length)})`;
      alerts.push({ at: outage.from, text: `${label} ${when}${outage.last_error ? `: ${outage.last_error}` : ''}` });
    }
  }
  return alerts
    .sort((a, b) => b.at - a.at)
    .slice(0, 5)
    .map((alert) => alert.text);
}

/** One connection's segments over the range as coloured bars, and its outages as hover targets on top. */
function drawTimeline(svg, segments, { start, end }, label) {
  const x = (time) => ((Math.min(Math.max(time, start), end) - start) / (end - start)) * 1000;
  svg.dataset.start = String(start);
  svg.dataset.end = String(end);
  const shapes = [rect({ class: 'none', x: 0, width: 1000 })];
  for (const segment of segments) {
    const to = segment.to ?? end;
    if (to < start || segment.from > end) continue;
    // Short failures stay visible: at least 3 of the 1000 units.
    const width = Math.max(x(to) - x(segment.from), segment.state === 'error' ? 3 : 0);
    const bar = rect({ class: 'seg', x: x(segment.from), width });
    bar.dataset.state = segment.state;
    if (segment.merged) {
      bar.dataset.merged = String(segment.merged.segments);
      bar.dataset.tip = `${label}: ${segment.merged.segments} changes merged, ${clock(segment.from)} – ${clock(to)}: ${percent(segment.merged.tracked_ms > 0 ? segment.merged.connected_ms / segment.merged.tracked_ms : null)} connected, ${segment.merged.reconnections} reconnections${segment.last_error ? `; last error: ${segment.last_error}` : ''}`;
    }
    shapes.push(bar);
  }
  for (const outage of outagesOf(segments)) {
    const to = outage.to ?? end;
    if (to < start || outage.from > end) continue;
    const target = rect({ class: 'outage', x: x(outage.from) - 1, width: Math.max(x(to) - x(outage.from), 3) + 2 });
    target.dataset.from = String(outage.from);
    target.dataset.to = outage.to === null ? '' : String(outage.to);
    target.dataset.tip = `${label} down ${clock(outage.from)} – ${outage.to === null ? 'now' : clock(outage.to)} (${duration(to - outage.from)})${outage.last_error ? `; last error: ${outage.last_error}` : ''}`;
    target.setAttribute('tabindex', '0');
    shapes.push(target);
  }
  svg.setAttribute('aria-label', `${label} over the last ${rangeMs === DAY_MS ? '24 hours' : 'hour'}`);
  svg.replaceChildren(...shapes);
}

function rect({ class: className, x, width }) {
  const element = document.createElementNS(SVG, 'rect');
  element.setAttribute('class', className);
  element.setAttribute('x', x.toFixed(2));
  element.setAttribute('width', Math.max(0, width).toFixed(2));
  element.setAttribute('y', '0');
  element.setAttribute('height', '10');
  return element;
}

function drawRate(container, points = []) {
  const svg = container.querySelector('.spark');
  const top = Math.max(1, ...points);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute(
    'points',
    points.map((value, index) => `${((index / Math.max(1, RATE_POINTS - 1)) * 100).toFixed(1)},${(19 - (value / top) * 18).toFixed(1)}`).join(' '),
  );
  svg.replaceChildren(line);
  container.querySelector('.rate-value').textContent = points.length > 0 ? (points.at(-1) ?? 0).toFixed(1) : '—';
}

function percent(ratio) {
  return ratio === null ? '—' : `${(ratio * 100).toFixed(ratio > 0.9995 || ratio < 0.0005 ? 0 : 2)} %`;
}

function duration(ms) {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`;
}

function clock(unixMs) {
  return new Date(unixMs - (history?.offsetMs ?? 0)).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function since(unixSeconds) {
  const seconds = Math.max(0, Math.round(Date.now() / 1000 - unixSeconds));
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

/** The demo's simulator controls, when the monitor serves them (npm start). */
function renderControls(card) {
  const controls = card.querySelector('.controls');
  const node = simulator?.nodes.find((candidate) => candidate.name === card.dataset.node);
  controls.hidden = !node;
  if (!node || controls.childElementCount > 0) return;
  for (const action of simulator.actions) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = action;
    button.dataset.action = action;
    button.addEventListener('click', () => fetch(`/sim/${encodeURIComponent(node.name)}/${action}`, { method: 'POST' }));
    controls.append(button);
  }
}

function showTip(target) {
  tipElement.textContent = target.dataset.tip;
  tipElement.hidden = false;
  const box = target.getBoundingClientRect();
  tipElement.style.left = `${Math.min(window.scrollX + box.left, window.scrollX + document.documentElement.clientWidth - tipElement.offsetWidth - 8)}px`;
  tipElement.style.top = `${window.scrollY + box.bottom + 6}px`;
}

for (const kind of ['mouseover', 'focusin']) {
  document.addEventListener(kind, (event) => {
    const target = event.target instanceof Element ? event.target.closest('[data-tip]') : null;
    if (target) showTip(target);
    else tipElement.hidden = true;
  });
}

for (const button of document.querySelectorAll('[data-range]')) {
  button.addEventListener('click', () => {
    rangeMs = Number(button.dataset.range);
    for (const other of document.querySelectorAll('[data-range]')) other.setAttribute('aria-pressed', String(other === button));
    document.getElementById('range-caption').textContent = `timelines: the last ${rangeMs === DAY_MS ? '24 hours' : 'hour'}, now at the right`;
    render(true);
  });
}
for (const button of document.querySelectorAll('[data-layout]')) {
  button.addEventListener('click', () => {
    layout = button.dataset.layout;
    render(true);
  });
}

fetch('/sim/nodes')
  .then((response) => (response.ok ? response.json() : null))
  .then((body) => {
    simulator = body;
    render();
  })
  .catch(() => undefined);

setInterval(() => render(), 1000);
connect();
