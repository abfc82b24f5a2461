// Fovea's page: plain JavaScript and canvas. Every number shown comes from the server, which computes it with the
// library's own operations; this file only draws.
'use strict';

const $ = (id) => document.getElementById(id);
const state = {
  model: null,
  input: { sample: 0 },        // what the network view shows: a test sample or drawn pixels
  steps: [], epochs: [], fromStep: 0, fromEpoch: 0, resets: 0,
  hyperShown: false,
  lastInspect: null,
  sampleOffset: 0,
};

// ------------------------------------------------------------------ server calls

async function getJson(url) {
  const r = await fetch(url);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

async function postJson(url, data) {
  const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(data) });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

function fmt(v, digits = 4) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

// ------------------------------------------------------------------ colours and maps

// A dark-to-bright ramp for values of one sign, and blue-white-red around zero for signed ones.
const RAMP = [[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]];
function ramp(t) {
  t = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(t)), f = t - i;
  return RAMP[i].map((c, k) => Math.round(c + (RAMP[i + 1][k] - c) * f));
}
function diverging(t) { // t in [-1, 1]
  t = Math.min(1, Math.max(-1, t));
  if (t < 0) return [Math.round(255 * (1 + t)), Math.round(255 * (1 + t)), 255];
  return [255, Math.round(255 * (1 - t)), Math.round(255 * (1 - t))];
}

// Draws h x w values into a canvas: grey for images, the ramp for activations, diverging for signed numbers.
function drawMap(canvas, data, h, w, opts = {}) {
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  let lo = Infinity, hi = -Infinity;
  for (const v of data) if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (opts.min !== undefined) lo = opts.min;
  if (opts.max !== undefined) hi = opts.max;
  const signed = opts.mode === 'signed' || (opts.mode !== 'grey' && lo < 0 && hi > 0);
  const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  for (let i = 0; i < h * w; i++) {
    const v = data[i] === null ? 0 : data[i];
    let c;
    if (opts.mode === 'grey') { const g = Math.round(255 * v); c = [g, g, g]; }
    else if (signed) c = diverging(v / m);
    else c = ramp(hi > lo ? (v - lo) / (hi - lo) : 0);
    img.data.set([c[0], c[1], c[2], 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

// An image of C x H x W pixels in [0, 1]: grey for one channel, RGB for three.
function drawPixels(canvas, pixels, shape) {
  const [c, h, w] = shape;
  if (c === 1) return drawMap(canvas, pixels, h, w, { mode: 'grey' });
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < h * w; i++) {
    img.data.set([255 * pixels[i], 255 * pixels[h * w + i], 255 * pixels[2 * h * w + i], 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

function topBars(container, top, label) {
  container.replaceChildren();
  for (const t of top) {
    const cls = label === undefined || label < 0 ? '' : (t.class === label ? 'good' : 'bad');
    const bar = el('span', { class: cls });
    bar.style.width = (100 * t.p).toFixed(1) + '%';
    container.append(el('div', { class: 'topbar' }, el('span', { class: 'name', text: t.name }), el('div', { class: 'bar' }, bar),
      el('span', { text: (100 * t.p).toFixed(1) + '%' })));
  }
}

// ------------------------------------------------------------------ charts

// Lines on a canvas with axes: series = [{color, points: [[x, y]], width, dots}].
function drawChart(canvas, series, opts = {}) {
  const dpr = window.devicePixelRatio || 1;
  const W = canvas.clientWidth || canvas.width, H = canvas.clientHeight || canvas.height;
  canvas.width = W * dpr; canvas.height = H * dpr;
  const ctx = canvas.getContext('2d');
  ctx.scale(dpr, dpr);
  ctx.clearRect(0, 0, W, H);
  const pad = { l: 46, r: 10, t: 8, b: 22 };
  let xs = [], ys = [];
  for (const s of series) for (const [x, y] of s.points) if (y !== null && Number.isFinite(y)) { xs.push(x); ys.push(y); }
  canvas.dataset.points = String(ys.length);
  ctx.strokeStyle = '#e1e4ea'; ctx.fillStyle = '#6b7385'; ctx.font = '11px system-ui';
  if (!ys.length) { ctx.fillText(opts.empty || 'waiting for the first steps…', pad.l, H / 2); return; }
  let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = opts.yMin ?? Math.min(...ys), y1 = opts.yMax ?? Math.max(...ys);
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { y1 += 0.5; y0 -= 0.5; }
  const X = (x) => pad.l + (x - x0) / (x1 - x0) * (W - pad.l - pad.r);
  const Y = (y) => H - pad.b - (y - y0) / (y1 - y0) * (H - pad.t - pad.b);
  for (let i = 0; i <= 4; i++) {
    const y = y0 + (y1 - y0) * i / 4;
    ctx.beginPath(); ctx.moveTo(pad.l, Y(y)); ctx.lineTo(W - pad.r, Y(y)); ctx.stroke();
    ctx.fillText(fmt(y, 3), 4, Y(y) + 4);
  }
  ctx.fillText(fmt(x0, 3), pad.l, H - 6);
  ctx.fillText(fmt(x1, 3) + (opts.xLabel ? ' ' + opts.xLabel : ''), W - pad.r - 70, H - 6);
  for (const s of series) {
    ctx.strokeStyle = s.color; ctx.fillStyle = s.color; ctx.lineWidth = s.width || 1.5;
    ctx.beginPath();
    let started = false;
    for (const [x, y] of s.points) {
      if (y === null || !Number.isFinite(y)) continue;
      if (!started) { ctx.moveTo(X(x), Y(y)); started = true; } else ctx.lineTo(X(x), Y(y));
    }
    ctx.stroke();
    if (s.dots) for (const [x, y] of s.points) if (y !== null) { ctx.beginPath(); ctx.arc(X(x), Y(y), 3, 0, 7); ctx.fill(); }
  }
}

function smooth(points, alpha = 0.05) {
  let m = null;
  return points.map(([x, y]) => { m = m === null ? y : m + alpha * (y - m); return [x, m]; });
}

function histogram(canvas, h, color) {
  const W = 260, H = 90;
  canvas.width = W; canvas.height = H;
  const ctx = canvas.getContext('2d');
  const max = Math.max(1, ...h.counts);
  const bw = W / h.counts.length;
  ctx.fillStyle = color;
  h.counts.forEach((c, i) => { const bh = (H - 16) * c / max; ctx.fillRect(i * bw + 1, H - 14 - bh, bw - 2, bh); });
  ctx.fillStyle = '#6b7385'; ctx.font = '10px system-ui';
  ctx.fillText(fmt(h.min, 3), 0, H - 2);
  ctx.fillText(fmt(h.max, 3), W - 44, H - 2);
  return canvas;
}

// ------------------------------------------------------------------ tabs and the panel

function showTab(name) {
  for (const b of document.querySelectorAll('.tab')) b.classList.toggle('active', b.dataset.tab === name);
  for (const s of document.querySelectorAll('.tab-page')) s.classList.toggle('hidden', s.id !== 'tab-' + name);
  if (name === 'network') loadNetwork();
  if (name === 'test' && !$('test-strip').children.length) { loadSamples(); loadConfusion(); }
  if (name === 'training') renderTraining();
  if (name === 'playground' && !$('pg-out').dataset.done) { applyFilter(); outputSize(); conv1d(); }
}

function openPanel(...children) {
  stopAnimation();
  $('panel-body').replaceChildren(...children);
  $('panel').classList.remove('hidden');
}
function closePanel() { stopAnimation(); $('panel').classList.add('hidden'); }

let animation = null;
function stopAnimation() { if (animation) { clearInterval(animation); animation = null; } }

// ------------------------------------------------------------------ training

function setStatus(text, cls) { const s = $('status'); s.textContent = text; s.className = 'pill ' + (cls || ''); }

function applyTraining(m) {
  if (m.resets !== state.resets) { state.steps = []; state.resets = m.resets; }
  if (m.fromStep === state.steps.length) state.steps.push(...m.steps);
  if (m.fromEpoch === state.epochs.length) state.epochs.push(...m.epochs);
  state.fromStep = state.steps.length; state.fromEpoch = state.epochs.length;
  const h = m.hyper;
  setStatus(m.state + (m.message ? ': ' + m.message : ''), m.state);
  $('hyper-msg').textContent = h.rejected ? 'refused: ' + h.rejected : (h.optimizer ? 'optimizer: ' + h.optimizer : '');
  if (!state.hyperShown && h.optimizer) {
    state.hyperShown = true;
    $('in-lr').value = h.learningRate ?? '';
    $('in-momentum').value = h.momentum ?? '';
    $('in-momentum').disabled = h.momentum === null;
    $('in-wd').value = h.weightDecay ?? '';
    $('in-batch').value = h.batchSize || '';
  }
  state.hyper = h;
  if (!$('tab-training').classList.contains('hidden')) renderTraining();
}

function renderTraining() {
  const s = state.steps, e = state.epochs;
  const loss = smooth(s.map(p => [p.epoch, p.loss]));
  const acc = smooth(s.map(p => [p.epoch, p.accuracy]));
  drawChart($('chart-loss'), [
    { color: '#2f6fdf', points: loss },
    { color: '#7b3fd1', points: e.map(r => [r.epoch, r.trainLoss]), dots: true },
    { color: '#e0701f', points: e.map(r => [r.epoch, r.testLoss]), dots: true, width: 2 },
  ], { xLabel: 'epochs', yMin: 0 });
  drawChart($('chart-acc'), [
    { color: '#2f6fdf', points: acc },
    { color: '#7b3fd1', points: e.map(r => [r.epoch, r.trainAccuracy]), dots: true },
    { color: '#e0701f', points: e.map(r => [r.epoch, r.testAccuracy]), dots: true, width: 2 },
  ], { xLabel: 'epochs' });
  drawChart($('chart-lr'), [{ color: '#2e9d4f', points: s.map(p => [p.epoch, p.learningRate]) }], { xLabel: 'epochs', yMin: 0, empty: 'learning rate' });
  const last = s[s.length - 1];
  if (last) {
    $('stat-epoch').textContent = last.epoch.toFixed(2);
    $('stat-step').textContent = String(last.step + 1);
    $('stat-ips').textContent = Math.round(last.imagesPerSecond).toLocaleString('en');
    $('stat-lr').textContent = fmt(last.learningRate);
  }
  const le = e[e.length - 1];
  if (le && le.testAccuracy !== null) $('stat-test').textContent = (100 * le.testAccuracy).toFixed(2) + '%';
}

function followTraining() {
  const source = new EventSource('api/events');
  source.addEventListener('training', (ev) => applyTraining(JSON.parse(ev.data)));
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) setStatus('disconnected', 'failed'); };
}

async function control(body) {
  try {
    applyTraining(Object.assign(await postJson('api/control', body), { steps: [], epochs: [], fromStep: state.steps.length, fromEpoch: state.epochs.length, resets: state.resets }));
    $('hyper-msg').textContent = body.action ? body.action + ': done' : 'applied at the next step' + (body.batchSize ? ' (batch size from the next epoch)' : '');
  } catch (err) {
    $('hyper-msg').textContent = err.message;
  }
}

// ------------------------------------------------------------------ network view

function inputLabel(r) {
  if (r.label !== undefined) return 'test image ' + state.input.sample + ', true class: ' + state.model.classes[r.label];
  return 'your image';
}

async function loadNetwork() {
  const box = $('net-layers');
  try {
    const r = await postJson('api/inspect', state.input);
    state.lastInspect = r;
    const shape = state.model.inputShape;
    drawPixels($('net-input'), r.input, shape);
    drawMap($('net-saliency'), r.saliency.data, r.saliency.h, r.saliency.w);
    $('net-input-label').textContent = inputLabel(r);
    topBars($('net-top'), r.top, r.label);
    box.replaceChildren();
    r.layers.forEach((l, i) => box.append(layerRow(l, i)));
    drawGraph();
  } catch (err) {
    box.replaceChildren(el('p', { class: 'error', text: err.message }));
  }
}

function geometry(l) {
  const parts = [];
  const pair = (v) => Array.isArray(v) ? (v[0] === v[1] ? String(v[0]) : v.join('x')) : String(v);
  if (l.kernel) parts.push('kernel ' + pair(l.kernel));
  if (l.stride) parts.push('stride ' + pair(l.stride));
  if (l.padding !== undefined) parts.push('padding ' + pair(l.padding));
  if (l.dilation && pair(l.dilation) !== '1') parts.push('dilation ' + pair(l.dilation));
  if (l.groups && l.groups !== 1) parts.push('groups ' + l.groups);
  return parts.join(', ');
}

function layerRow(l, index) {
  const head = el('div', { class: 'layer-head', onclick: () => openLayer(l.path) },
    el('span', { class: 'layer-type', text: l.type }),
    el('span', { class: 'layer-meta', text: (l.path || '(model)') }),
    el('span', { class: 'layer-meta', text: '[' + l.outputShape.slice(1).join('×') + ']' }),
    el('span', { class: 'layer-meta', text: geometry(l) }),
    el('span', { class: 'layer-meta', text: l.params ? l.params.toLocaleString('en') + ' params' : '' }),
    el('span', { class: 'layer-meta', text: 'act ' + fmt(l.min, 3) + ' … ' + fmt(l.max, 3) }),
    el('span', { class: 'layer-meta', text: 'grad ' + fmt(l.gradMin, 3) + ' … ' + fmt(l.gradMax, 3) }));
  const row = el('div', { class: 'layer', 'data-path': l.path, 'data-index': String(index) }, head);
  if (l.maps) {
    const maps = el('div', { class: 'maps' });
    l.maps.forEach((m, c) => {
      const cv = el('canvas', { class: 'pixel', title: 'channel ' + c + ': ' + fmt(m.min, 3) + ' … ' + fmt(m.max, 3), 'data-channel': String(c) });
      drawMap(cv, m.data, m.h, m.w);
      cv.addEventListener('click', () => explain(l.path, c));
      maps.append(cv);
    });
    row.append(maps);
  } else if (l.vector) {
    const cv = el('canvas', { class: 'vector pixel' });
    drawMap(cv, l.vector, 1, l.vector.length);
    if (index === state.lastInspect.layers.length - 1) {
      cv.title = 'click for softmax';
      cv.addEventListener('click', () => explain('softmax', 0));
    }
    row.append(cv);
  }
  return row;
}

// The graph beside the layer list: one dot per layer in order, operations between layers (residual sums,
// concatenations) as small squares, edges between consecutive rows straight and skip edges as arcs.
function drawGraph() {
  const svg = $('net-graph');
  const g = state.model.graph;
  const rows = [...document.querySelectorAll('#net-layers .layer')];
  const top = $('net-layers').getBoundingClientRect().top;
  const y = new Map();
  let opsBefore = new Map();
  g.nodes.forEach((n) => {
    if (n.kind === 'layer') {
      const r = rows[n.layer].getBoundingClientRect();
      y.set(n.id, r.top - top + 12);
    }
  });
  // Input above the first layer; operations just above the layer that follows them; output below the last.
  const ordered = g.nodes;
  for (let i = 0; i < ordered.length; i++) {
    const n = ordered[i];
    if (y.has(n.id)) continue;
    let next = null;
    for (let j = i + 1; j < ordered.length; j++) if (y.has(ordered[j].id) && ordered[j].kind === 'layer') { next = ordered[j]; break; }
    const k = (opsBefore.get(next ? next.id : -1) || 0) + 1;
    opsBefore.set(next ? next.id : -1, k);
    y.set(n.id, next ? y.get(next.id) - 6 * k : (rows.length ? rows[rows.length - 1].getBoundingClientRect().bottom - top + 6 * k : 10));
  }
  const height = Math.max(...y.values()) + 20;
  svg.setAttribute('height', height);
  svg.setAttribute('viewBox', '0 0 70 ' + height);
  svg.replaceChildren();
  const ns = 'http://www.w3.org/2000/svg';
  const X = 14;
  let skips = 0;
  const order = new Map(g.nodes.map((n, i) => [n.id, i]));
  for (const [a, b] of g.edges) {
    const ya = y.get(a), yb = y.get(b);
    const p = document.createElementNS(ns, 'path');
    const consecutive = order.get(b) - order.get(a) === 1;
    if (consecutive) p.setAttribute('d', `M${X} ${ya} L${X} ${yb}`);
    else {
      const bend = 22 + 8 * (skips++ % 4);
      p.setAttribute('d', `M${X} ${ya} C${X + bend} ${ya}, ${X + bend} ${yb}, ${X} ${yb}`);
      p.setAttribute('class', 'skip');
    }
    p.setAttribute('stroke', consecutive ? '#9aa3b5' : '#e0701f');
    p.setAttribute('fill', 'none');
    p.setAttribute('stroke-width', consecutive ? '1.5' : '2');
    svg.append(p);
  }
  for (const n of g.nodes) {
    const c = document.createElementNS(ns, n.kind === 'op' ? 'rect' : 'circle');
    if (n.kind === 'op') {
      c.setAttribute('x', X - 5); c.setAttribute('y', y.get(n.id) - 5); c.setAttribute('width', 10); c.setAttribute('height', 10);
      c.setAttribute('fill', '#e0701f');
    } else {
      c.setAttribute('cx', X); c.setAttribute('cy', y.get(n.id)); c.setAttribute('r', 4);
      c.setAttribute('fill', n.kind === 'layer' ? '#2f6fdf' : '#1d2330');
    }
    const t = document.createElementNS(ns, 'title');
    t.textContent = n.kind === 'layer' ? state.model.layers[n.layer].path + ' ' + n.label : n.label;
    c.append(t);
    svg.append(c);
  }
}

async function openLayer(path) {
  try {
    const r = await postJson('api/layer', Object.assign({ path }, state.input));
    const body = [el('h2', { text: r.type + ' ' + r.path }),
      el('p', { class: 'muted', text: 'output ' + r.outputShape.slice(1).join('×') + (geometry(r) ? ', ' + geometry(r) : '') + ', ' + r.params.toLocaleString('en') + ' parameters; gradients are those of the class "' + state.model.classes[r.target] + '" for the current input' })];
    const hist = el('div', { class: 'row tight' });
    for (const p of r.parameters) {
      hist.append(el('figure', {}, histogram(el('canvas', { class: 'hist' }), p.histogram, '#2f6fdf'), el('figcaption', { text: p.name + ' [' + p.shape.join('×') + '] values' })));
      if (p.gradHistogram) hist.append(el('figure', {}, histogram(el('canvas', { class: 'hist' }), p.gradHistogram, '#e0701f'), el('figcaption', { text: p.name + ' gradients' })));
    }
    if (r.parameters.length) body.push(el('h3', { text: 'Weight and gradient histograms' }), hist);
    if (r.filters) body.push(...filterGrids(r.filters));
    if (r.batchNorm) body.push(...batchNormView(r.batchNorm));
    openPanel(...body);
  } catch (err) {
    openPanel(el('p', { class: 'error', text: err.message }));
  }
}

function filterGrids(f) {
  const [outs, ins, kh, kw] = f.shape;
  const grid = (kernels, mode) => {
    const g = el('div', { class: 'filters layer-filters' });
    g.style.gridTemplateColumns = `repeat(${kernels[0].length}, 32px)`;
    for (const row of kernels) for (const k of row) g.append(drawMap(el('canvas', { class: 'pixel' }), k, kh, kw, { mode }));
    return g;
  };
  const out = [el('h3', { text: `Filters: ${outs} output × ${ins} input channels of ${kh}×${kw} (rows: output channels${outs > 64 || ins > 16 ? '; the first 64 × 16 shown' : ''})` })];
  const row = el('div', { class: 'row' }, el('figure', {}, grid(f.kernels, 'signed'), el('figcaption', { text: 'weights (blue negative, red positive)' })));
  if (f.grads) row.append(el('figure', {}, grid(f.grads, 'signed'), el('figcaption', { text: 'their gradients' })));
  out.push(row);
  return out;
}

function batchNormView(bn) {
  const t = el('table', { class: 'numbers' });
  t.append(el('tr', {}, el('td', { text: 'channel' }), el('td', { text: 'running mean' }), el('td', { text: 'running var' }), el('td', { text: 'γ' }), el('td', { text: 'β' })));
  bn.runningMean.slice(0, 64).forEach((m, i) => t.append(el('tr', {}, el('td', { text: String(i) }), el('td', { text: fmt(m) }),
    el('td', { text: fmt(bn.runningVar[i]) }), el('td', { text: bn.weight ? fmt(bn.weight[i]) : '–' }), el('td', { text: bn.bias ? fmt(bn.bias[i]) : '–' }))));
  return [el('h3', { text: 'Batch-norm statistics: y = γ (x − mean) / √(var + ε) + β' }), t];
}

// ------------------------------------------------------------------ explain a layer

async function explain(path, channel) {
  try {
    const r = await postJson('api/explain', Object.assign({ path, channel }, state.input));
    if (r.kind === 'convolution') explainConvolution(r);
    else if (r.kind === 'softmax') explainSoftmax(r);
    else explainElementwise(r);
  } catch (err) {
    openPanel(el('p', { class: 'error', text: err.message }));
  }
}

function numberTable(rows, cls) {
  const t = el('table', { class: 'numbers ' + (cls || '') });
  for (const r of rows) t.append(el('tr', {}, ...r.map(v => el('td', { text: typeof v === 'string' ? v : fmt(v, 3) }))));
  return t;
}

function mapCanvas(m, mode) { return drawMap(el('canvas', { class: 'pixel' }), m.data, m.h, m.w, { mode }); }

// Highlights a rectangle of the map's cells on top of a canvas, by drawing into an overlay copy.
function withWindow(base, m, y0, x0, kh, kw, dy, dx) {
  const c = el('canvas', { class: 'pixel' });
  drawMap(c, m.data, m.h, m.w);
  const ctx = c.getContext('2d');
  ctx.fillStyle = 'rgba(255, 220, 0, 0.55)';
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) ctx.fillRect(x0 + j * dx, y0 + i * dy, 1, 1);
  base.replaceWith(c);
  return c;
}

function explainConvolution(r) {
  const [kh, kw] = r.config.kernel, [sh, sw] = r.stride, [dh, dw] = r.dilation;
  const out = r.output;
  let diff = 0;
  for (let i = 0; i < out.data.length; i++) diff = Math.max(diff, Math.abs(out.data[i] - r.sum.data[i]));
  const header = [el('h2', { text: `Convolution ${r.path}, output channel ${r.channel}` }),
    el('p', {}, el('span', { class: 'formula', text: `out[${r.channel}] = Σ over input channels c of ( input[c] ⋆ kernel[${r.channel}, c] ) + bias` })),
    el('p', { class: 'muted', text: `${r.inputChannels} input channel${r.inputChannels === 1 ? '' : 's'}` + (r.inputs.length < r.inputChannels ? ` (the first ${r.inputs.length} drawn; the sum covers all)` : '')
      + `, kernel ${kh}×${kw}, stride ${sh}×${sw}, padding ${r.padding.join('/')} (zeros drawn), bias ${fmt(r.bias)}. Largest |sum + bias − layer output| = ${fmt(diff, 2)}.` })];
  const grid = el('div', { class: 'explain-grid conv-inputs' });
  const inputCanvases = [];
  r.inputs.forEach((e) => {
    const inCv = mapCanvas(e.input);
    inputCanvases.push(inCv);
    grid.append(el('div', { class: 'explain-col' },
      el('span', { class: 'muted', text: 'input channel ' + e.channel }), inCv,
      el('span', { class: 'op', text: '⋆' }), numberTable(rowsOf(e.kernel)),
      el('span', { class: 'op', text: '=' }), mapCanvas(e.result)));
  });
  const sumRow = el('div', { class: 'explain-grid' },
    el('div', { class: 'explain-col' }, el('span', { class: 'muted', text: 'Σ results + bias ' + fmt(r.bias) }), mapCanvas(r.sum)),
    el('span', { class: 'op', text: '=' }),
    el('div', { class: 'explain-col' }, el('span', { class: 'muted', text: 'the layer\'s output channel ' + r.channel }), mapCanvas(r.output)));
  const live = el('div', { class: 'explain-live' });
  const controls = el('div', { class: 'buttons' });
  const pick = el('select', { id: 'explain-channel' });
  r.inputs.forEach((e, i) => pick.append(el('option', { value: String(i), text: 'numbers of input channel ' + e.channel })));
  let pos = 0, playing = true;
  const total = out.h * out.w;
  const step = () => {
    const oy = Math.floor(pos / out.w), ox = pos % out.w;
    const i = Number(pick.value || 0), e = r.inputs[i];
    const y0 = oy * sh, x0 = ox * sw;
    inputCanvases[i] = withWindow(inputCanvases[i], e.input, y0, x0, kh, kw, dh, dw);
    const win = [], prod = [];
    let s = 0;
    for (let a = 0; a < kh; a++) {
      const wr = [], pr = [];
      for (let b = 0; b < kw; b++) {
        const v = e.input.data[(y0 + a * dh) * e.input.w + x0 + b * dw], k = e.kernel.data[a * kw + b];
        wr.push(v); pr.push(v * k); s += v * k;
      }
      win.push(wr); prod.push(pr);
    }
    live.replaceChildren(el('p', { text: `position (${oy}, ${ox}) of ${out.h}×${out.w}` }),
      el('div', { class: 'explain-grid' },
        el('div', { class: 'explain-col' }, el('span', { class: 'muted', text: 'window' }), numberTable(win, 'window')),
        el('span', { class: 'op', text: '×' }),
        el('div', { class: 'explain-col' }, el('span', { class: 'muted', text: 'kernel' }), numberTable(rowsOf(e.kernel))),
        el('span', { class: 'op', text: '=' }),
        el('div', { class: 'explain-col' }, el('span', { class: 'muted', text: 'products' }), numberTable(prod)),
        el('span', { class: 'op', text: '→' }),
        el('div', { class: 'explain-col' }, el('span', { class: 'muted', text: 'their sum (this channel)' }), el('span', { class: 'big', id: 'explain-partial', text: fmt(s) }),
          el('span', { class: 'muted', text: 'result map there: ' + fmt(e.result.data[pos]) }),
          el('span', { class: 'muted', text: 'all channels + bias: ' + fmt(r.sum.data[pos]) }))));
    pos = (pos + 1) % total;
  };
  const playBtn = el('button', { id: 'explain-play', onclick: () => { playing = !playing; playBtn.textContent = playing ? 'Pause' : 'Play'; } , text: 'Pause' });
  controls.append(playBtn, el('button', { id: 'explain-step', onclick: () => { playing = false; playBtn.textContent = 'Play'; step(); }, text: 'Step' }), pick);
  openPanel(...header, grid, sumRow, el('h3', { text: 'The kernel sliding over the input' }), controls, live);
  step();
  animation = setInterval(() => { if (playing) step(); }, 600);
}

function rowsOf(m) {
  const rows = [];
  for (let i = 0; i < m.h; i++) rows.push(m.data.slice(i * m.w, (i + 1) * m.w));
  return rows;
}

function explainElementwise(r) {
  const isPool = r.kind === 'pool';
  const type = r.type;
  const formula = type === 'ReLU' ? 'y = max(0, x)' : type === 'MaxPool2d' ? 'y = max of the window' : type.includes('Avg') ? 'y = mean of the window'
    : type === 'LeakyReLU' ? 'y = x if x > 0, else slope · x' : type === 'Sigmoid' ? 'y = 1 / (1 + e^(−x))' : type === 'Tanh' ? 'y = tanh(x)' : 'y = f(x), channel by channel';
  const inCv = mapCanvas(r.input), outCv = mapCanvas(r.output);
  const live = el('div', { class: 'explain-live' });
  openPanel(el('h2', { text: `${type} ${r.path}, channel ${r.channel}` }), el('p', {}, el('span', { class: 'formula', text: formula })),
    el('div', { class: 'explain-grid' }, el('div', { class: 'explain-col' }, el('span', { class: 'muted', text: 'input' }), inCv),
      el('span', { class: 'op', text: '→' }), el('div', { class: 'explain-col' }, el('span', { class: 'muted', text: 'output' }), outCv)), live);
  let pos = 0;
  let current = inCv;
  const [kh, kw] = isPool ? r.config.kernel : [1, 1];
  const [sh, sw] = isPool ? r.config.stride : [1, 1];
  const pad = isPool ? r.config.padding : [0, 0];
  const step = () => {
    const oy = Math.floor(pos / r.output.w), ox = pos % r.output.w;
    const y0 = oy * sh - pad[0], x0 = ox * sw - pad[1];
    current = withWindow(current, r.input, y0, x0, kh, kw, 1, 1);
    const win = [];
    for (let a = 0; a < kh; a++) {
      const row = [];
      for (let b = 0; b < kw; b++) {
        const y = y0 + a, x = x0 + b;
        row.push(y >= 0 && x >= 0 && y < r.input.h && x < r.input.w ? r.input.data[y * r.input.w + x] : '·');
      }
      win.push(row);
    }
    const y = r.output.data[pos];
    live.replaceChildren(el('p', { text: `position (${oy}, ${ox})` }), el('div', { class: 'explain-grid' },
      numberTable(win, 'window'), el('span', { class: 'op', text: '→' }), el('span', { class: 'big', text: fmt(y) })));
    pos = (pos + 1) % (r.output.h * r.output.w);
  };
  step();
  animation = setInterval(step, 500);
}

function explainSoftmax(r) {
  const rows = [['class', 'score z', 'z − max', 'exp(z − max)', 'p = exp / Σ']];
  r.logits.forEach((z, i) => rows.push([state.model.classes[i] || String(i), z, z - r.max, r.exp[i], r.probabilities[i]]));
  rows.push(['Σ', '', '', r.sum, '1']);
  openPanel(el('h2', { text: 'Softmax of the scores' }),
    el('p', {}, el('span', { class: 'formula', text: 'p_i = exp(z_i − max z) / Σ_j exp(z_j − max z)' })),
    el('p', { class: 'muted', text: 'Subtracting the largest score changes nothing mathematically and keeps exp from overflowing.' }),
    numberTable(rows, 'softmax'));
}

// ------------------------------------------------------------------ test strip and confusion matrix

async function loadSamples() {
  const strip = $('test-strip');
  try {
    const r = await getJson('api/samples?count=24&offset=' + state.sampleOffset);
    strip.replaceChildren();
    for (const s of r.samples) {
      const bars = el('div', { class: 'topbars' });
      topBars(bars, s.top, s.label);
      const item = el('div', { class: 'sample ' + (s.correct ? 'right' : 'wrong'), title: 'true class: ' + s.labelName },
        drawPixels(el('canvas', { class: 'pixel' }), s.pixels, r.inputShape),
        el('div', {}, el('div', { class: 'truth', text: s.labelName }), bars));
      item.addEventListener('click', () => { state.input = { sample: s.index }; showTab('network'); });
      strip.append(item);
    }
  } catch (err) {
    strip.replaceChildren(el('p', { class: 'error', text: err.message }));
  }
}

async function loadConfusion() {
  const box = $('confusion');
  box.replaceChildren(el('p', { class: 'muted', text: 'computing…' }));
  try {
    const r = await getJson('api/confusion');
    $('confusion-acc').textContent = `accuracy ${(100 * r.accuracy).toFixed(2)}% on ${r.count.toLocaleString('en')} test images`;
    const t = el('table', { class: 'confusion' });
    t.append(el('tr', {}, el('th', { text: 'true \\ predicted' }), ...r.classes.map((c, i) => el('th', { text: String(i), title: c }))));
    r.matrix.forEach((row, i) => {
      const total = row.reduce((a, b) => a + b, 0) || 1;
      t.append(el('tr', {}, el('th', { text: r.classes[i] }), ...row.map((v, j) => {
        const td = el('td', { text: String(v) });
        const f = v / total;
        td.style.background = i === j ? `rgba(46, 157, 79, ${f})` : `rgba(211, 59, 59, ${Math.min(1, 3 * f)})`;
        if (f > 0.5) td.style.color = '#fff';
        return td;
      })));
    });
    box.replaceChildren(t);
  } catch (err) {
    box.replaceChildren(el('p', { class: 'error', text: err.message }));
  }
}

// ------------------------------------------------------------------ try it yourself

function setupDrawing() {
  const cv = $('draw'), ctx = cv.getContext('2d');
  ctx.fillStyle = '#000'; ctx.fillRect(0, 0, cv.width, cv.height);
  let drawing = false, last = null;
  const at = (e) => { const r = cv.getBoundingClientRect(); return [(e.clientX - r.left) * cv.width / r.width, (e.clientY - r.top) * cv.height / r.height]; };
  cv.addEventListener('pointerdown', (e) => { drawing = true; last = at(e); cv.setPointerCapture(e.pointerId); });
  cv.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    const p = at(e);
    ctx.strokeStyle = '#fff'; ctx.lineWidth = 22; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
    ctx.beginPath(); ctx.moveTo(last[0], last[1]); ctx.lineTo(p[0], p[1]); ctx.stroke();
    last = p;
  });
  const end = () => { if (drawing) { drawing = false; predictDrawing(); } };
  cv.addEventListener('pointerup', end);
  cv.addEventListener('pointercancel', end);
  $('btn-clear').addEventListener('click', () => { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, cv.width, cv.height); $('try-top').replaceChildren(); });
  $('upload').addEventListener('change', uploadImage);
}

// The drawing scaled down to the model's input (smoothly, like a photo shrunk), grey repeated for RGB models.
function drawingPixels() {
  const [c, h, w] = state.model.inputShape;
  const small = el('canvas'); small.width = w; small.height = h;
  const sctx = small.getContext('2d');
  sctx.imageSmoothingQuality = 'high';
  sctx.drawImage($('draw'), 0, 0, w, h);
  const d = sctx.getImageData(0, 0, w, h).data;
  const px = new Array(c * h * w);
  for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) px[k * h * w + i] = Math.round(d[i * 4 + (c === 3 ? k : 0)] / 255 * 1000) / 1000;
  return px;
}

async function predictDrawing() { await tryPixels(drawingPixels()); }

async function tryPixels(pixels) {
  try {
    const input = { pixels };
    const r = await postJson('api/inspect', input);
    topBars($('try-top'), r.top);
    drawPixels($('try-input'), r.input, state.model.inputShape);
    drawMap($('try-saliency'), r.saliency.data, r.saliency.h, r.saliency.w);
    state.input = input;
    $('try-msg').textContent = 'The network view and the playground now show this image.';
  } catch (err) {
    $('try-msg').textContent = err.message;
  }
}

async function uploadImage(e) {
  const file = e.target.files[0];
  if (!file) return;
  try {
    const r = await fetch('api/upload', { method: 'POST', headers: { 'Content-Type': file.type || 'application/octet-stream' }, body: file });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error);
    await tryPixels(body.pixels);
  } catch (err) {
    $('try-msg').textContent = err.message;
  }
  e.target.value = '';
}

// ------------------------------------------------------------------ playground

async function applyFilter() {
  const kernel = $('pg-kernel').value;
  const body = Object.assign({ kernel, sigma: Number($('pg-sigma').value) }, state.input);
  if (kernel === 'custom') body.weights = $('pg-custom').value.trim().split('\n').map(r => r.trim().split(/[\s,]+/).map(Number));
  try {
    const r = await postJson('api/filter', body);
    drawMap($('pg-in'), r.input.data, r.input.h, r.input.w, { mode: 'grey' });
    drawMap($('pg-out'), r.output.data, r.output.h, r.output.w);
    $('pg-out').dataset.done = '1';
    $('pg-out-caption').textContent = `output, ${fmt(r.min, 3)} … ${fmt(r.max, 3)}`;
    $('pg-kernel-table').replaceWith(Object.assign(numberTable(r.kernel), { id: 'pg-kernel-table' }));
    $('pg-msg').textContent = '';
  } catch (err) {
    $('pg-msg').textContent = err.message;
  }
}

async function outputSize() {
  const q = ['input', 'kernel', 'padding', 'stride', 'dilation'].map(k => k + '=' + encodeURIComponent($('os-' + k).value || '0')).join('&');
  try {
    const r = await getJson('api/outsize?' + q);
    $('os-result').textContent = r.valid ? 'output size ' + r.output : 'impossible';
    $('os-result').className = r.valid ? 'big-text' : 'big-text error';
    $('os-formula').textContent = r.formula || '';
    $('os-problems').replaceChildren(...r.problems.map(p => el('li', { text: p })), ...[r.note, r.note2].filter(Boolean).map(n => el('li', { class: 'muted', text: n })));
  } catch (err) {
    $('os-result').textContent = err.message;
  }
}

let c1 = null, c1Pos = 0;
async function conv1d() {
  const nums = (s) => s.split(/[\s,]+/).filter(Boolean).map(Number);
  try {
    c1 = await postJson('api/conv1d', { signal: nums($('c1-signal').value), kernel: nums($('c1-kernel').value), flip: $('c1-flip').checked, padding: Number($('c1-padding').value) });
    c1Pos = 0;
    $('c1-msg').textContent = '';
    renderConv1d();
  } catch (err) {
    $('c1-msg').textContent = err.message;
  }
}

function renderConv1d() {
  if (!c1) return;
  const st = c1.steps[c1Pos], k = c1.kernelUsed.length;
  const line = (label, cells) => el('div', { class: 'c1' }, el('span', { class: 'c1-label', text: label }), ...cells);
  const signal = c1.padded.map((v, i) => el('span', { class: i >= c1Pos && i < c1Pos + k ? 'in-window' : '', text: fmt(v, 3) }));
  const kernel = c1.padded.map((_, i) => el('span', { class: i >= c1Pos && i < c1Pos + k ? '' : 'blank', text: i >= c1Pos && i < c1Pos + k ? fmt(c1.kernelUsed[i - c1Pos], 3) : '' }));
  const products = c1.padded.map((_, i) => el('span', { class: i >= c1Pos && i < c1Pos + k ? '' : 'blank', text: i >= c1Pos && i < c1Pos + k ? fmt(st.products[i - c1Pos], 3) : '' }));
  const output = c1.output.map((v, i) => el('span', { class: i < c1Pos ? 'done' : i === c1Pos ? 'in-window' : 'blank', text: i <= c1Pos ? fmt(v, 3) : '' }));
  $('c1-view').replaceChildren(
    line('signal', signal),
    line(c1.flip ? 'kernel, flipped' : 'kernel, as given', kernel),
    line('products', products),
    line('output', output),
    el('p', { class: 'muted', text: `step ${c1Pos + 1} of ${c1.steps.length}: sum of products = ${fmt(st.sum)}; the library's output there: ${fmt(c1.output[c1Pos])}` }));
}

// ------------------------------------------------------------------ start

async function start() {
  for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => showTab(b.dataset.tab));
  $('panel-close').addEventListener('click', closePanel);
  $('panel').addEventListener('click', (e) => { if (e.target === $('panel')) closePanel(); });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') closePanel(); });
  $('btn-pause').addEventListener('click', () => control({ action: 'pause' }));
  $('btn-resume').addEventListener('click', () => control({ action: 'resume' }));
  $('btn-stop').addEventListener('click', () => control({ action: 'stop' }));
  $('hyper-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const body = {};
    const h = state.hyper || {};
    const num = (id) => $(id).value === '' ? null : Number($(id).value);
    if (num('in-lr') !== null && num('in-lr') !== h.learningRate) body.learningRate = num('in-lr');
    if (!$('in-momentum').disabled && num('in-momentum') !== null && num('in-momentum') !== h.momentum) body.momentum = num('in-momentum');
    if (num('in-wd') !== null && num('in-wd') !== h.weightDecay) body.weightDecay = num('in-wd');
    if (num('in-batch') !== null && num('in-batch') !== h.batchSize) body.batchSize = num('in-batch');
    control(body);
  });
  $('btn-more-samples').addEventListener('click', () => { state.sampleOffset += 7; loadSamples(); });
  $('btn-confusion').addEventListener('click', loadConfusion);
  $('btn-try-network').addEventListener('click', () => showTab('network'));
  $('pg-kernel').addEventListener('change', () => { $('pg-custom').classList.toggle('hidden', $('pg-kernel').value !== 'custom'); applyFilter(); });
  $('btn-filter').addEventListener('click', applyFilter);
  $('os-form').addEventListener('input', outputSize);
  $('btn-c1').addEventListener('click', conv1d);
  $('c1-flip').addEventListener('change', conv1d);
  $('btn-c1-step').addEventListener('click', () => { if (c1) { c1Pos = (c1Pos + 1) % c1.steps.length; renderConv1d(); } });
  window.addEventListener('resize', () => { renderTraining(); if (!$('tab-network').classList.contains('hidden') && state.lastInspect) drawGraph(); });
  setupDrawing();

  state.model = await getJson('api/model');
  $('model-name').textContent = `${state.model.name}: ${state.model.parameters.toLocaleString('en')} parameters, input ${state.model.inputShape.join('×')}`;
  if (!state.model.testSize) state.input = { pixels: new Array(state.model.inputShape.reduce((a, b) => a * b, 1)).fill(0) };
  if (state.model.training) {
    followTraining();
  } else {
    setStatus('serving a saved model', '');
    $('no-training').classList.remove('hidden');
    $('controls').classList.add('hidden');
    renderTraining();
  }
  document.body.dataset.ready = '1';
}

start().catch((err) => { setStatus(err.message, 'failed'); });
