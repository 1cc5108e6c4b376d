'use strict';
// The dashboard's page: the running Caret's servers and forwards, live from /api/events, and the
// Add / Edit / on-off / Remove operations, each one control-socket request posted to /api/op.

const HISTORY = 60;           // throughput samples kept per forward (30 s at the server's 500 ms)
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i;

const view = { status: null, history: new Map(), editing: null, portCheck: 0 };

// ---------------------------------------------------------------- live status

function listen() {
  const events = new EventSource('/api/events');
  events.onmessage = (message) => {
    live('live', 'Live');
    render(JSON.parse(message.data));
  };
  events.onerror = () => {
    live('lost', 'Not connected to Caret: retrying… (if this stays, open the address Caret printed again)');
    if (events.readyState === EventSource.CLOSED) {
      setTimeout(listen, 2000); // refused (no token) or gone: the browser does not retry those itself
    }
  };
}

function live(state, text) {
  const element = document.getElementById('live');
  element.dataset.live = state;
  element.textContent = text;
}

async function refresh() {
  const response = await fetch('/api/status', { cache: 'no-store' });
  if (response.ok) {
    render(await response.json());
  }
}

function render(status) {
  view.status = status;
  const main = document.getElementById('servers');
  const save = document.getElementById('save');
  save.hidden = !status.configFile;
  if (status.configFile) {
    save.textContent = 'Save to ' + status.configFile.split('/').pop();
    save.title = 'Write the forwards as they are now into ' + status.configFile;
  }
  if (!status.ok) {
    live('lost', status.message || 'Caret did not answer');
    return;
  }
  const servers = status.servers || [];
  document.getElementById('no-servers').hidden = servers.length > 0;
  const seen = new Set();
  for (const server of servers) {
    seen.add(server.name);
    renderServer(main, server);
  }
  for (const section of main.querySelectorAll('section.server')) {
    if (!seen.has(section.dataset.server)) {
      section.remove();
    }
  }
}

function renderServer(main, server) {
  let section = [...main.querySelectorAll('section.server')].find((s) => s.dataset.server === server.name);
  if (!section) {
    section = element('section', { class: 'server' });
    section.dataset.server = server.name;
    const head = element('div', { class: 'server-head' });
    head.append(element('h2', {}, server.name), element('span', { class: 'where' }),
      button('Add forward', 'small', () => openEditor(server.name, null), 'Add a forward to ' + server.name));
    section.append(head, element('p', { class: 'reason' }), element('p', { class: 'hint' }),
      element('p', { class: 'empty' }, 'No forwards yet: Add one.'), element('div', { class: 'forwards' }));
    main.append(section);
  }
  section.querySelector('.where').textContent = server.host + ':' + server.port + ' · ' + server.transport + ' · '
    + serverState(server);
  const troubled = server.state !== 'UP' && server.lastError;
  section.querySelector('.reason').textContent = troubled ? server.lastError : '';
  section.querySelector('.reason').hidden = !troubled;
  const hint = troubled ? hintFor(server.lastError) : '';
  section.querySelector('.hint').textContent = hint;
  section.querySelector('.hint').hidden = !hint;
  section.querySelector('.empty').hidden = server.forwards.length > 0;
  const list = section.querySelector('.forwards');
  const seen = new Set();
  for (const forward of server.forwards) {
    seen.add(forward.name);
    renderForward(list, server, forward);
  }
  for (const card of list.querySelectorAll('article.forward')) {
    if (!seen.has(card.dataset.forward)) {
      view.history.delete(key(server.name, card.dataset.forward));
      card.remove();
    }
  }
}

function serverState(server) {
  switch (server.state) {
    case 'UP': return 'connected';
    case 'CONNECTING': return 'connecting…';
    case 'RECONNECTING': return 'reconnecting (attempt ' + server.attempt + ')';
    case 'FAILED': return 'failed';
    default: return server.state.toLowerCase();
  }
}

function renderForward(list, server, forward) {
  let card = [...list.querySelectorAll('article.forward')].find((c) => c.dataset.forward === forward.name);
  if (!card) {
    card = element('article', { class: 'forward' });
    card.dataset.forward = forward.name;
    const head = element('div', { class: 'forward-head' });
    head.append(element('h3', {}, forward.name), element('span', { class: 'kind-badge' }));
    const connect = element('div', { class: 'connect' });
    connect.append(element('span', { class: 'label' }, 'Connect to'), element('output', { class: 'address' }),
      button('Copy', 'small secondary copy', () => copy(card), 'Copy the address of ' + forward.name));
    const numbers = element('div', { class: 'numbers' });
    numbers.append(element('span', {}, 'Connections ', element('b', { 'data-field': 'connections' })),
      element('span', {}, '↑ ', element('b', { 'data-field': 'sent' }), ' sent'),
      element('span', {}, '↓ ', element('b', { 'data-field': 'received' }), ' received'));
    const graph = element('div', { class: 'graph' });
    graph.append(element('canvas', { width: 224, height: 36, 'aria-hidden': 'true' }), element('span', { 'data-field': 'rate' }));
    const actions = element('div', { class: 'actions' });
    const toggle = button('', 'switch', () => toggleForward(server.name, card), '');
    toggle.setAttribute('role', 'switch');
    actions.append(toggle, button('Edit', 'small secondary edit', () => openEditor(server.name, card.dataset.forward),
      'Edit ' + forward.name), button('Remove', 'small secondary remove', () => removeForward(server.name, card.dataset.forward),
      'Remove ' + forward.name));
    card.append(head, element('code', { class: 'spec' }), connect,
      element('div', {}, element('span', { class: 'state' }), ' ', element('span', { class: 'state-note' })),
      element('p', { class: 'reason' }), element('p', { class: 'hint' }), element('p', { class: 'exposed' }),
      numbers, graph, actions);
    list.append(card);
  }
  card.dataset.state = forward.state;
  card.dataset.kind = forward.kind;
  card.dataset.spec = forward.spec;
  card.querySelector('.kind-badge').textContent = forward.kind;
  card.querySelector('.spec').textContent = forward.kind + ' ' + forward.spec;
  const address = card.querySelector('.address');
  address.textContent = forward.connectTo ? forward.connectTo + (forward.onServer ? ' on the server' : '') : 'not listening';
  address.classList.toggle('none', !forward.connectTo);
  address.dataset.address = forward.connectTo || '';
  card.querySelector('.copy').disabled = !forward.connectTo;
  const state = card.querySelector('.state');
  state.dataset.state = forward.state;
  state.textContent = stateName(forward.state);
  const reason = forward.lastError || '';
  card.querySelector('.reason').textContent = reason ? (forward.state === 'READY' ? 'Last problem: ' : 'Why: ') + reason : '';
  card.querySelector('.reason').hidden = !reason;
  const hint = reason ? hintFor(reason) : '';
  card.querySelector('.hint').textContent = hint;
  card.querySelector('.hint').hidden = !hint;
  const exposed = exposure(forward);
  card.querySelector('.exposed').textContent = exposed;
  card.querySelector('.exposed').hidden = !exposed;
  setNumber(card, 'connections', forward.openConnections, String(forward.openConnections));
  setNumber(card, 'sent', forward.bytesToServer, bytes(forward.bytesToServer));
  setNumber(card, 'received', forward.bytesFromServer, bytes(forward.bytesFromServer));
  const toggle = card.querySelector('.switch');
  const on = forward.state !== 'OFF' && forward.state !== 'STOPPED';
  toggle.setAttribute('aria-checked', String(on));
  toggle.textContent = on ? 'On' : 'Off';
  toggle.setAttribute('aria-label', (on ? 'Switch off ' : 'Switch on ') + forward.name);
  graph(card, key(server.name, forward.name), forward.bytesToServer + forward.bytesFromServer);
}

function setNumber(card, field, value, text) {
  const b = card.querySelector('[data-field="' + field + '"]');
  b.textContent = text;
  b.dataset.value = String(value);
}

function stateName(state) {
  return { READY: 'Up', STARTING: 'Starting…', WAITING: 'Waiting', FAILED: 'Failed', OFF: 'Off', STOPPED: 'Stopped' }[state] || state;
}

/** The README's "When something goes wrong", in plain words, for an error Caret reported. */
function hintFor(error) {
  const rules = [
    [/already in use/i, 'Another program uses this port on your machine: choose another local port (0 takes any free one), or stop that program.'],
    [/refused to listen.*again after the reconnect|still hold/i, 'Wait: the server frees the port once it notices the old connection is gone; Caret keeps retrying.'],
    [/refused to listen/i, 'The server would not open that port: it may be in use there, below 1024, or forbidden by its sshd_config. Choose another port, or ask its admin.'],
    [/Connection refused; nothing listens|nothing listens/i, 'The destination is not running, as seen from the server. The forward stays up and works once it is.'],
    [/No route to host|cannot reach|unknown host|could not resolve/i, 'The destination is wrong or down, as seen from the server: check its name or address.'],
    [/administratively prohibited|forbids forwarding/i, 'The server forbids forwarding there (AllowTcpForwarding, PermitOpen): its admin decides.'],
    [/Permission denied/i, 'The server accepted none of your keys: check the identity files and the server\'s authorized_keys.'],
    [/has CHANGED/i, 'The server\'s host key changed: possibly an attack. If it really changed: ssh-keygen -R HOST, then connect again.'],
    [/is not known/i, 'Unknown host key: check the fingerprint with the server\'s admin, then accept it once (StrictHostKeyChecking=accept-new).'],
    [/lost|retrying|timed out|closed the connection/i, 'The server or the network went away: Caret reconnects and brings back what was on.'],
  ];
  for (const [pattern, hint] of rules) {
    if (pattern.test(error)) {
      return hint;
    }
  }
  return '';
}

/** The README's "What is exposed, and to whom", for a forward that listens beyond loopback. */
function exposure(forward) {
  if (forward.kind === 'reverse') {
    const bind = parseSpec('reverse', forward.spec).bind;
    return bind && !LOOPBACK.test(bind) ? 'Asks the server to listen on ' + (bind === '*' ? 'every interface' : bind)
      + ': other machines that reach the server can reach this port.' : '';
  }
  const host = forward.connectTo ? forward.connectTo.replace(/:\d+$/, '') : parseSpec(forward.kind, forward.spec).bind;
  if (!host || LOOPBACK.test(host)) {
    return '';
  }
  return 'Listens on ' + host + ': other machines can reach this port'
    + (forward.kind === 'dynamic' ? ' and, without a SOCKS password, use your SSH connection as a proxy.' : '.');
}

function graph(card, id, total) {
  const now = performance.now();
  const samples = view.history.get(id) || { last: null, rates: [] };
  if (samples.last && now > samples.last.time) {
    const rate = Math.max(0, (total - samples.last.total) * 1000 / (now - samples.last.time));
    samples.rates.push(rate);
    if (samples.rates.length > HISTORY) {
      samples.rates.shift();
    }
  }
  samples.last = { time: now, total };
  view.history.set(id, samples);
  const rate = samples.rates.length ? samples.rates[samples.rates.length - 1] : 0;
  card.querySelector('[data-field="rate"]').textContent = bytes(rate) + '/s';
  const canvas = card.querySelector('canvas');
  const context = canvas.getContext('2d');
  const max = Math.max(1, ...samples.rates);
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.strokeStyle = getComputedStyle(document.documentElement).getPropertyValue('--graph') || '#2458d3';
  context.lineWidth = 2;
  context.beginPath();
  samples.rates.forEach((value, i) => {
    const x = canvas.width - (samples.rates.length - 1 - i) * (canvas.width / (HISTORY - 1));
    const y = canvas.height - 2 - (value / max) * (canvas.height - 4);
    if (i === 0) {
      context.moveTo(x, y);
    } else {
      context.lineTo(x, y);
    }
  });
  context.stroke();
}

function bytes(n) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return (unit === 0 ? Math.round(value) : value.toFixed(value < 10 ? 2 : 1)) + ' ' + units[unit];
}

// ---------------------------------------------------------------- operations

async function op(request) {
  try {
    const response = await fetch('/api/op', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request),
    });
    const reply = response.headers.get('Content-Type') === 'application/json'
      ? await response.json() : { ok: false, message: (await response.text()).trim() };
    await refresh();
    return reply;
  } catch (error) {
    return { ok: false, message: 'Could not reach the dashboard: ' + error.message };
  }
}

async function toggleForward(server, card) {
  const name = card.dataset.forward;
  const on = card.querySelector('.switch').getAttribute('aria-checked') === 'true';
  const reply = await op({ op: on ? 'off' : 'on', forward: server + '/' + name });
  toast(reply.message, !reply.ok);
}

async function removeForward(server, name) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = 'Remove ' + name + ' from ' + server + '? Its port is freed and its connections end.';
  dialog.returnValue = '';
  dialog.showModal();
  dialog.querySelector('.secondary').focus();
  await new Promise((resolve) => dialog.addEventListener('close', resolve, { once: true }));
  if (dialog.returnValue === 'yes') {
    const reply = await op({ op: 'remove', forward: server + '/' + name });
    toast(reply.message, !reply.ok);
  }
}

async function copy(card) {
  const address = card.querySelector('.address').dataset.address;
  try {
    await navigator.clipboard.writeText(address);
    toast('Copied ' + address);
  } catch (error) {
    const range = document.createRange();
    range.selectNodeContents(card.querySelector('.address'));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    toast('Selected ' + address + ': press Ctrl+C (⌘C) to copy');
  }
}

let toastTimer = 0;
function toast(message, error = false) {
  if (!message) {
    return;
  }
  const element = document.getElementById('toast');
  element.textContent = message;
  element.dataset.kind = error ? 'error' : 'info';
  element.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { element.hidden = true; }, error ? 12000 : 4000);
}

// ---------------------------------------------------------------- the Add / Edit form

function fields() {
  const form = document.getElementById('form');
  return {
    kind: form.elements.kind.value,
    name: form.elements.name.value.trim(),
    localAddress: form.elements.localAddress.value.trim(),
    localPort: form.elements.localPort.value.trim(),
    remotePort: form.elements.remotePort.value.trim(),
    remoteAddress: form.elements.remoteAddress.value.trim(),
    destinationHost: form.elements.destinationHost.value.trim(),
    destinationPort: form.elements.destinationPort.value.trim(),
    on: form.elements.on.checked,
  };
}

function openEditor(server, name) {
  const form = document.getElementById('form');
  form.reset();
  const existing = name ? findForward(server, name) : null;
  view.editing = { server, name: existing ? existing.name : null, original: existing };
  document.getElementById('editor-title').textContent = existing ? 'Edit ' + existing.name : 'Add forward';
  document.getElementById('editor-server').textContent = server;
  document.getElementById('form-error').textContent = '';
  if (existing) {
    const parsed = parseSpec(existing.kind, existing.spec);
    form.elements.kind.value = existing.kind;
    form.elements.name.value = existing.name;
    if (existing.kind === 'reverse') {
      form.elements.remoteAddress.value = parsed.bind || '';
      form.elements.remotePort.value = parsed.port;
    } else {
      form.elements.localAddress.value = parsed.bind || '';
      form.elements.localPort.value = parsed.port;
    }
    form.elements.destinationHost.value = parsed.host || '';
    form.elements.destinationPort.value = parsed.hostPort || '';
    form.elements.on.checked = existing.state !== 'OFF';
  }
  for (const radio of form.elements.kind) {
    radio.disabled = Boolean(existing) && !['local', 'reverse', 'dynamic'].includes(existing.kind);
  }
  showKind();
  validate();
  document.getElementById('editor').showModal();
  (existing ? form.elements.name : form.querySelector('input[name="kind"]:checked')).focus();
}

function findForward(server, name) {
  const found = (view.status.servers || []).find((s) => s.name === server);
  return found ? found.forwards.find((f) => f.name === name) : null;
}

function showKind() {
  const kind = fields().kind;
  for (const field of document.querySelectorAll('#form [data-kinds]')) {
    field.hidden = !field.dataset.kinds.split(' ').includes(kind);
  }
}

/** Checks every field of the chosen kind as the user types; returns whether the form can be saved. */
function validate() {
  const f = fields();
  const problems = {};
  const notes = {};
  const port = (value, zero, what) => {
    if (value === '') {
      return what + ' is needed';
    }
    if (!/^\d+$/.test(value) || Number(value) > 65535 || (!zero && Number(value) === 0)) {
      return what + ' is a number from ' + (zero ? '0' : '1') + ' to 65535' + (zero ? ' (0: any free port)' : '');
    }
    return null;
  };
  if (f.name.includes('/')) {
    problems.name = 'A name cannot hold "/": it separates the server from the forward in SERVER/NAME';
  } else if (f.name && (!view.editing.name || f.name !== view.editing.name) && findForward(view.editing.server, f.name)) {
    problems.name = view.editing.server + ' already has a forward named ' + f.name;
  }
  if (f.kind === 'local' || f.kind === 'dynamic') {
    problems.localPort = port(f.localPort, true, 'The local port');
    if (f.localAddress && /\s/.test(f.localAddress)) {
      problems.localAddress = 'An address has no spaces';
    } else if (f.localAddress && !LOOPBACK.test(f.localAddress)) {
      notes.localAddress = ['warn', (f.localAddress === '*' || f.localAddress === '0.0.0.0' ? 'Every interface' : f.localAddress)
        + ' is reachable from other machines: they can use this port'
        + (f.kind === 'dynamic' ? ' and, without a SOCKS password, your SSH connection as a proxy' : '')
        + '. Leave it empty for 127.0.0.1, only this machine.'];
    }
  }
  if (f.kind === 'reverse') {
    problems.remotePort = port(f.remotePort, true, 'The port on the server');
    if (f.remoteAddress && !LOOPBACK.test(f.remoteAddress)) {
      notes.remoteAddress = ['warn', 'Asks the server to listen on ' + (f.remoteAddress === '*' ? 'every interface' : f.remoteAddress)
        + ': other machines that reach the server can use this port (OpenSSH\'s sshd allows it only with GatewayPorts).'
        + ' Leave it empty for the server\'s loopback.'];
    }
    if (!problems.remotePort && Number(f.remotePort) > 0 && Number(f.remotePort) < 1024) {
      notes.remotePort = ['warn', 'Below 1024 only root may listen on the server: sshd will likely refuse it.'];
    }
  }
  if (f.kind === 'local' || f.kind === 'reverse') {
    if (!f.destinationHost) {
      problems.destinationHost = 'The destination host is needed, e.g. 127.0.0.1';
    } else if (/[\s/]/.test(f.destinationHost)) {
      problems.destinationHost = 'A host name or address, without spaces or "/"';
    }
    problems.destinationPort = port(f.destinationPort, false, 'The destination port');
  }
  for (const name of ['name', 'localAddress', 'localPort', 'remotePort', 'remoteAddress', 'destinationHost', 'destinationPort']) {
    const message = document.getElementById('m-' + name);
    const input = document.getElementById('f-' + name);
    if (problems[name]) {
      message.textContent = problems[name];
      message.dataset.kind = 'error';
      input.setAttribute('aria-invalid', 'true');
    } else {
      const note = notes[name];
      message.textContent = note ? note[1] : '';
      message.dataset.kind = note ? note[0] : '';
      input.removeAttribute('aria-invalid');
    }
    input.setAttribute('aria-describedby', 'm-' + name);
  }
  const valid = Object.values(problems).every((p) => !p);
  document.getElementById('preview').textContent = valid ? f.kind + ' ' + specOf(f) : '…';
  document.getElementById('submit').disabled = !valid || view.portTaken === true;
  if (valid && (f.kind === 'local' || f.kind === 'dynamic')) {
    checkPort(f);
  } else {
    view.portTaken = false;
  }
  return valid;
}

/** Asks the dashboard whether this machine's port is free, unless it is the edited forward's own. */
function checkPort(f) {
  const original = view.editing.original;
  if (original && original.kind === f.kind) {
    const was = parseSpec(original.kind, original.spec);
    if ((was.bind || '') === f.localAddress && String(was.port) === f.localPort) {
      view.portTaken = false;
      return;
    }
  }
  const ticket = ++view.portCheck;
  setTimeout(async () => {
    if (ticket !== view.portCheck) {
      return;
    }
    const response = await fetch('/api/port?address=' + encodeURIComponent(f.localAddress || '127.0.0.1')
      + '&port=' + encodeURIComponent(f.localPort), { cache: 'no-store' });
    const answer = await response.json();
    if (ticket !== view.portCheck) {
      return;
    }
    const message = document.getElementById('m-localPort');
    view.portTaken = answer.state === 'taken' || answer.state === 'invalid';
    if (view.portTaken) {
      message.textContent = answer.message;
      message.dataset.kind = 'error';
      document.getElementById('f-localPort').setAttribute('aria-invalid', 'true');
    } else if (answer.state === 'free') {
      message.textContent = answer.message;
      message.dataset.kind = 'ok';
    }
    document.getElementById('submit').disabled = view.portTaken;
  }, 200);
}

function specOf(f) {
  const host = (h) => (h.includes(':') && !h.startsWith('[') ? '[' + h + ']' : h);
  switch (f.kind) {
    case 'local':
      return (f.localAddress ? host(f.localAddress) + ':' : '') + f.localPort + ':' + host(f.destinationHost) + ':' + f.destinationPort;
    case 'reverse':
      return (f.remoteAddress ? host(f.remoteAddress) + ':' : '') + f.remotePort + ':' + host(f.destinationHost) + ':' + f.destinationPort;
    default:
      return (f.localAddress ? host(f.localAddress) + ':' : '') + f.localPort;
  }
}

/** Splits a spec as OpenSSH does: fields between colons, an IPv6 address in brackets. */
function parseSpec(kind, spec) {
  const parts = [];
  let current = '';
  let bracket = false;
  for (const c of spec) {
    if (c === '[') {
      bracket = true;
    } else if (c === ']') {
      bracket = false;
    } else if (c === ':' && !bracket) {
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current);
  const strip = (h) => (h && h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h);
  if (kind === 'dynamic') {
    return parts.length >= 2 ? { bind: strip(parts[0]), port: parts[1] } : { bind: null, port: parts[0] };
  }
  return parts.length >= 4
    ? { bind: strip(parts[0]), port: parts[1], host: strip(parts[2]), hostPort: parts[3] }
    : { bind: null, port: parts[0], host: strip(parts[1]), hostPort: parts[2] };
}

async function submit(event) {
  event.preventDefault();
  if (!validate() || view.portTaken) {
    return;
  }
  const f = fields();
  const editing = view.editing;
  const error = document.getElementById('form-error');
  error.textContent = '';
  document.getElementById('submit').disabled = true;
  if (editing.name) {
    const removed = await op({ op: 'remove', forward: editing.server + '/' + editing.name });
    if (!removed.ok) {
      error.textContent = removed.message;
      document.getElementById('submit').disabled = false;
      return;
    }
    editing.name = null; // it is gone: saving again adds it
  }
  const request = { op: 'add', server: editing.server, kind: f.kind, spec: specOf(f), enabled: f.on };
  if (f.name) {
    request.name = f.name;
  }
  const reply = await op(request);
  const added = findForward(editing.server, f.name || f.kind + ' ' + specOf(f));
  if (reply.ok || added) {
    document.getElementById('editor').close();
    toast(reply.message, !reply.ok);
  } else {
    error.textContent = reply.message;
    document.getElementById('submit').disabled = false;
  }
}

async function saveFile() {
  const reply = await op({ op: 'save' });
  toast(reply.message, !reply.ok);
}

// ---------------------------------------------------------------- helpers and start

function element(tag, attributes, ...children) {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    made.setAttribute(name, value);
  }
  made.append(...children);
  return made;
}

function button(text, classes, action, label) {
  const made = element('button', { type: 'button', class: classes }, text);
  if (label) {
    made.setAttribute('aria-label', label);
  }
  made.addEventListener('click', action);
  return made;
}

function key(server, forward) {
  return server + '\u0000' + forward;
}

document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('form');
  form.addEventListener('input', (event) => {
    if (event.target.name === 'kind') {
      showKind();
    }
    validate();
  });
  form.addEventListener('submit', submit);
  document.getElementById('cancel').addEventListener('click', () => document.getElementById('editor').close());
  document.getElementById('save').addEventListener('click', saveFile);
  listen();
});
