// The dashboard: connects to the monitor's /ws, reconnects by itself, and shows each
// node's connections. Everything from the wire is put on the page as text, never HTML.
const nodesElement = document.getElementById('nodes');
const linkElement = document.getElementById('link');
const cards = new Map();
let lastFrame = null;
let simulator = null;

const token = new URLSearchParams(location.search).get('token');
const socketUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;

function connect(attempt = 0) {
  const socket = new WebSocket(socketUrl);
  socket.addEventListener('open', () => {
    attempt = 0;
    setLink('open', 'live');
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
      render();
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

function render() {
  if (!lastFrame) return;
  const names = Object.keys(lastFrame.states);
  for (const [name, card] of cards) {
    if (!names.includes(name)) {
      card.remove();
      cards.delete(name);
    }
  }
  for (const name of names) {
    const states = lastFrame.states[name] ?? {};
    let card = cards.get(name);
    if (!card) {
      card = createCard(name);
      cards.set(name, card);
      nodesElement.append(card);
    }
    updateCard(card, states, lastFrame.metrics?.[name]);
  }
}

function createCard(name) {
  const card = document.getElementById('node-card').content.firstElementChild.cloneNode(true);
  card.dataset.node = name;
  card.querySelector('.name').textContent = name;
  return card;
}

function updateCard(card, states, metrics) {
  const log = states.log_reader;
  const api = states.api_client;
  const logs = log?.state === 'connected';
  const apiUp = api?.is_available === true;
  const mode = logs ? (apiUp ? 'log+api' : 'log-only') : apiUp ? 'api-only' : 'offline';
  const modeElement = card.querySelector('.mode');
  modeElement.dataset.mode = mode;
  modeElement.textContent = mode;

  const sources = card.querySelector('.sources');
  sources.replaceChildren(
    ...[
      log && sourceRow('log reader', log, 'address', `${log.host}:${log.port}`, metrics?.log_reader?.lines?.unrecognized),
      api && sourceRow('API', api, 'last success', api.last_successful_request == null ? 'never' : `${since(api.last_successful_request)} ago`),
    ].filter(Boolean),
  );
  renderControls(card);
}

/** `unreadable`: schema drift, the count of the node's piecestore lines the monitor could not read (log reader only). */
function sourceRow(label, status, extraLabel, extra, unreadable) {
  const row = document.getElementById('source-row').content.firstElementChild.cloneNode(true);
  row.dataset.source = label;
  row.querySelector('.label').textContent = label;
  const state = row.querySelector('.state');
  state.textContent = String(status.state);
  state.dataset.state = String(status.state);
  row.querySelector('.attempts').textContent = String(status.reconnect_attempts ?? 0);
  row.querySelector('.retry').textContent = status.next_retry_at == null ? '—' : `in ${Math.max(0, Math.ceil(status.next_retry_at - Date.now() / 1000))} s`;
  row.querySelector('.extra-label').textContent = extraLabel;
  row.querySelector('.extra').textContent = extra;
  row.querySelector('.error').textContent = status.last_error ?? '';
  if (typeof unreadable === 'number') {
    const drift = row.querySelector('.drift');
    drift.textContent = String(unreadable);
    drift.dataset.drift = unreadable > 0 ? 'yes' : 'no';
    drift.hidden = false;
    row.querySelector('.drift-label').hidden = false;
  }
  return row;
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

fetch('/sim/nodes')
  .then((response) => (response.ok ? response.json() : null))
  .then((body) => {
    simulator = body;
    render();
  })
  .catch(() => undefined);

setInterval(render, 1000);
connect();
