// Weft's dashboard: renders the state the scheduler pushes (server-sent events from api/events), and a graph's tasks
// (api/graphs/ID) when one is clicked. Everything from records (keys, names, messages) is set as text, never as markup:
// a task key can be any string.
'use strict';

(() => {
  const SVG = 'http://www.w3.org/2000/svg';
  const ROW = 10; // user units of a task stream row
  const ROW_PX = 18; // how high a row is drawn
  let state = null;
  let selected = null; // the graph whose tasks are shown
  let detailTimer = null;

  // --- building elements

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAll(node, attrs);
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child); // a string becomes a text node
    }
    return node;
  }

  function svgEl(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    setAll(node, attrs);
    return node;
  }

  function setAll(node, attrs) {
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined) continue;
      if (name === 'text') node.textContent = String(value);
      else node.setAttribute(name, String(value));
    }
  }

  function empty(text) {
    return el('p', {class: 'empty'}, text);
  }

  // --- words and numbers

  function duration(ms) {
    if (ms < 0) ms = 0;
    if (ms < 10000) return (ms / 1000).toFixed(1) + ' s';
    if (ms < 60000) return Math.round(ms / 1000) + ' s';
    if (ms < 3600000) return Math.floor(ms / 60000) + ' min ' + Math.floor((ms % 60000) / 1000) + ' s';
    return Math.floor(ms / 3600000) + ' h ' + Math.floor((ms % 3600000) / 60000) + ' min';
  }

  function bytes(n) {
    if (n < 0) return '?';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)) + ' ' + units[i];
  }

  function clock(ms) {
    return new Date(ms).toLocaleTimeString();
  }

  /** A colour per function name, the same on every page: a hue from the name's hash. */
  function colour(name) {
    let hash = 0;
    for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) | 0;
    return 'hsl(' + (((hash % 360) + 360) % 360) + ', 62%, 55%)';
  }

  function ranges(numbers) {
    if (!numbers.length) return '-';
    const out = [];
    let start = numbers[0];
    let prev = start;
    for (const n of numbers.slice(1).concat([null])) {
      if (n === prev + 1) { prev = n; continue; }
      out.push(start === prev ? String(start) : start + '-' + prev);
      start = prev = n;
    }
    return out.join(',');
  }

  // --- the summary

  function renderSummary(s) {
    const count = st => (s.graphCounts && s.graphCounts[st] ? s.graphCounts[st].count : 0);
    const rate = s.workers.reduce((sum, w) => sum + w.tasksPerSecond, 0);
    const lag = s.pools.reduce((sum, p) => sum + p.lag, 0);
    const items = [
      [count('running'), 'running'], [count('queued'), 'queued'], [s.workers.length, 'workers'],
      [rate.toFixed(1), 'tasks/s'], [lag, 'lag'], [s.deadLetters.length, 'dead letters'],
    ];
    document.getElementById('summary').replaceChildren(
      ...items.map(([value, label]) => el('li', {'data-item': label}, el('b', {text: value}), label)));
  }

  // --- graphs

  function progress(cls, name, done, total, fn) {
    const bar = el('div', {class: 'progress ' + cls, 'data-function': fn, 'data-done': done, 'data-total': total},
      el('span', {class: 'name', title: name, text: name}),
      el('div', {class: 'bar'}, el('div', {class: 'fill'})),
      el('span', {class: 'count', text: done + ' / ' + total}));
    const fill = bar.querySelector('.fill');
    fill.style.width = (total > 0 ? (100 * done / total) : 0).toFixed(2) + '%';
    if (fn !== null) fill.style.background = colour(fn);
    return bar;
  }

  function graphCard(g) {
    const card = el('div', {class: 'graph' + (g.id === selected ? ' selected' : ''), 'data-graph-id': g.id,
      'data-state': g.state, 'data-done': g.done, 'data-total': g.total, tabindex: 0, role: 'button'},
      el('div', {class: 'graph-head'},
        el('span', {class: 'id', title: g.id, text: g.id}),
        el('span', {class: 'badge', 'data-state': g.state, text: g.state}),
        el('span', {class: 'count', text: g.total ? g.done + ' / ' + g.total + ' tasks' : ''}),
        el('span', {class: 'age', title: 'since it was submitted', text: duration(g.ageMs)})));
    if (g.total > 0) card.append(progress('overall', 'all tasks', g.done, g.total, null));
    for (const f of g.functions) card.append(progress('function', f.function, f.done, f.total, f.function));
    if (g.message) {
      const what = g.failedTask ? 'task ' + g.failedTask + ' (' + g.failedFunction + '): ' : '';
      card.append(el('p', {class: 'cause', text: what + g.message}));
    }
    card.addEventListener('click', () => select(g.id));
    card.addEventListener('keydown', e => { if (e.key === 'Enter') select(g.id); });
    return card;
  }

  function renderGraphs(s) {
    const lists = {running: [], queued: [], failed: [], finished: []};
    for (const g of s.graphs) {
      const list = g.state === 'failed' || g.state === 'rejected' ? 'failed'
        : g.state === 'running' || g.state === 'queued' ? g.state : 'finished';
      lists[list].push(g);
    }
    // The state lists the first graphs of each state and counts the rest: say how many are not shown.
    const notListed = st => (s.graphCounts && s.graphCounts[st] ? s.graphCounts[st].notListed : 0);
    const more = {running: notListed('running'), queued: notListed('queued'),
      failed: notListed('failed') + notListed('rejected'), finished: notListed('completed') + notListed('cancelled')};
    for (const [list, graphs] of Object.entries(lists)) {
      const items = document.querySelector('#graphs .graph-list[data-list="' + list + '"] .items');
      const cards = graphs.map(graphCard);
      if (more[list] > 0) cards.push(el('p', {class: 'empty more', text: 'and ' + more[list] + ' more'}));
      items.replaceChildren(...(cards.length ? cards : [empty('none')]));
    }
  }

  // --- a graph's tasks

  function select(id) {
    selected = id;
    document.querySelectorAll('#graphs .graph').forEach(
      card => card.classList.toggle('selected', card.getAttribute('data-graph-id') === id));
    const panel = document.getElementById('graph-detail');
    panel.hidden = false;
    panel.setAttribute('data-graph-id', id);
    panel.querySelector('.title').textContent = 'Graph ' + id;
    panel.querySelector('.detail-summary').textContent = 'reading its tasks…';
    panel.querySelector('.detail-body').replaceChildren();
    loadDetail();
  }

  function closeDetail() {
    selected = null;
    clearTimeout(detailTimer);
    document.getElementById('graph-detail').hidden = true;
    document.querySelectorAll('#graphs .graph.selected').forEach(card => card.classList.remove('selected'));
  }

  async function loadDetail() {
    clearTimeout(detailTimer);
    const id = selected;
    if (id === null) return;
    try {
      const response = await fetch('api/graphs/' + encodeURIComponent(id) + '?max=200');
      const body = await response.json();
      if (id !== selected) return;
      if (!response.ok) {
        document.querySelector('#graph-detail .detail-summary').textContent = body.error || response.statusText;
      } else {
        renderDetail(body);
      }
    } catch (e) {
      if (id === selected) document.querySelector('#graph-detail .detail-summary').textContent = String(e);
    }
    if (id === selected) detailTimer = setTimeout(loadDetail, 2000);
  }

  function renderDetail(t) {
    const now = Date.now();
    const panel = document.getElementById('graph-detail');
    const counts = Object.entries(t.counts).map(([state, n]) => n + ' ' + state).join(', ');
    panel.querySelector('.detail-summary').textContent = t.state + ': ' + t.total + ' tasks; ' + counts
      + (t.submitOffset >= 0 ? ' (submitted at partition ' + t.partition + ', offset ' + t.submitOffset + ')' : '')
      + (t.note ? '. ' + t.note : '');
    const rows = [];
    const row = (state, key, fn, what, extra) => rows.push(el('tr', Object.assign(
      {class: 'task', 'data-state': state, 'data-key': key}, extra || {}),
      el('td', {text: state}), el('td', {}, el('code', {text: key})), el('td', {text: fn}),
      el('td', {class: 'what', text: what})));
    for (const r of t.running) {
      let what = 'on ' + r.worker + ' (thread ' + r.thread + ') for ' + duration(now - r.since);
      if (r.workerSilent) what += ', which has not reported for ' + duration(r.workerSilentMs);
      row('running', r.key, r.function, what, {'data-worker': r.worker, 'data-silent': r.workerSilent});
    }
    for (const f of t.failed) {
      row('failed', f.key, f.function, f.error + ' (' + f.attempts + ' failed attempt' + (f.attempts > 1 ? 's' : '')
        + ', last on ' + f.worker + ')');
    }
    for (const r of t.ready) row('ready', r.key, r.function, 'inputs done; queued for a worker');
    for (const w of t.waiting) {
      row('waiting', w.key, w.function, 'waits on ' + w.on.join(', ')
        + (w.unfinishedInputs > w.on.length ? ' and ' + (w.unfinishedInputs - w.on.length) + ' more' : ''));
    }
    for (const d of t.done) {
      row('done', d.key, d.function, 'result at partition ' + d.partition + ', offset ' + d.offset + ', by '
        + d.worker + ' in ' + d.durationMs + ' ms');
    }
    const listed = rows.length;
    const total = Object.values(t.counts).reduce((a, b) => a + b, 0);
    panel.querySelector('.detail-body').replaceChildren(
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {text: 'state'}), el('th', {text: 'task'}),
        el('th', {text: 'function'}), el('th', {text: ''}))), el('tbody', {}, ...rows)),
      listed < total ? el('p', {class: 'note', text: listed + ' of ' + total + ' tasks listed'}) : '');
  }

  // --- the task stream

  function renderTaskStream(s) {
    const ts = s.taskStream;
    const section = document.getElementById('task-stream');
    const width = ts.to - ts.from;
    const svg = section.querySelector('svg');
    const height = Math.max(1, ts.rows.length) * ROW;
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.style.height = Math.max(1, ts.rows.length) * ROW_PX + 'px';
    const nodes = [];
    for (let r = 1; r < ts.rows.length; r++) {
      nodes.push(svgEl('line', {class: 'row', x1: 0, x2: width, y1: r * ROW, y2: r * ROW}));
    }
    const minWidth = width / 600; // a tenth of a second: a task of a millisecond is still seen
    for (const [row, fn, start, dur, st, key] of ts.spans) {
      const name = ts.functions[fn];
      const rect = svgEl('rect', {
        class: st === 2 ? 'running' : st === 1 ? 'task failed' : 'task',
        x: start, y: row * ROW + 1, width: Math.max(dur, minWidth), height: ROW - 2, fill: colour(name),
        'data-function': name, 'data-key': key,
      });
      const title = svgEl('title', {});
      title.textContent = key + ' · ' + name + ' · ' + (st === 2 ? 'running for ' : '') + dur + ' ms'
        + (st === 1 ? ' · failed' : '');
      rect.append(title);
      nodes.push(rect);
    }
    svg.replaceChildren(...nodes);
    section.querySelector('.stream-rows').replaceChildren(
      ...ts.rows.map(label => el('div', {title: label, text: label})));
    section.querySelector('.legend').replaceChildren(...ts.functions.map(name => {
      const item = el('span', {'data-function': name, text: name});
      item.style.setProperty('--swatch', colour(name));
      return item;
    }));
    section.querySelector('.stream-note').textContent = (ts.rows.length ? '' : 'no worker reports. ')
      + (ts.spansNotListed ? ts.spansNotListed + ' tasks of the window are counted but not drawn.' : '');
  }

  // --- workers and schedulers

  function renderWorkers(s) {
    const byPool = new Map();
    for (const p of s.pools) byPool.set(p.pool, {pool: p, workers: []});
    for (const w of s.workers) {
      if (!byPool.has(w.pool)) byPool.set(w.pool, {pool: null, workers: []});
      byPool.get(w.pool).workers.push(w);
    }
    const blocks = [];
    for (const [name, {pool, workers}] of byPool) {
      const rows = workers.map(w => el('tr', {class: 'worker' + (w.silent ? ' silent' : ''), 'data-worker': w.name,
        'data-pool': w.pool, 'data-silent': w.silent},
        el('td', {title: 'on ' + w.host + ', process ' + w.pid + ', since ' + clock(w.startedAt)},
          el('b', {text: w.name})),
        el('td', {class: 'n', text: w.runningTasks.length + ' / ' + w.threads}),
        el('td', {class: 'n', text: w.tasksPerSecond.toFixed(1)}),
        el('td', {class: 'n', text: bytes(w.cacheBytes)}),
        el('td', {class: 'n', text: bytes(w.heapUsed) + ' / ' + bytes(w.heapMax)}),
        el('td', {class: 'n', text: w.lag < 0 ? '?' : w.lag}),
        el('td', {text: ranges(w.partitions)}),
        el('td', {text: w.silent ? 'silent for ' + duration(w.silentMs) : duration(w.silentMs) + ' ago'})));
      const reporting = new Set(workers.map(w => w.name));
      if (pool) {
        for (const m of pool.members.filter(m => !reporting.has(m.name))) {
          rows.push(el('tr', {class: 'member-only', 'data-member': m.name},
            el('td', {title: m.host, text: m.name}), el('td', {class: 'n', text: '-'}),
            el('td', {class: 'n', text: '-'}), el('td', {class: 'n', text: '-'}), el('td', {class: 'n', text: '-'}),
            el('td', {class: 'n', text: m.lag}), el('td', {text: ranges(m.partitions)}),
            el('td', {text: 'a member of the group, no reports'})));
        }
      }
      const head = 'pool ' + name + (pool ? ' · ' + pool.members.length + ' in the group · ' + pool.partitions
        + ' partitions · lag ' + pool.lag : '');
      blocks.push(el('div', {class: 'pool', 'data-pool': name}, el('h3', {text: head}),
        el('table', {}, el('thead', {}, el('tr', {}, ...['worker', 'running', 'tasks/s', 'cache', 'heap', 'lag',
          'partitions', 'last report'].map((h, i) =>
          el('th', {class: i >= 1 && i <= 5 ? 'n' : null, text: h})))), el('tbody', {}, ...rows))));
    }
    const section = document.getElementById('workers');
    section.querySelector('.pools').replaceChildren(...(blocks.length ? blocks : [empty('no workers')]));
    section.querySelector('.rule').textContent = 'A worker is shown as silent when its last report is over '
      + duration(s.rules.silentAfterMs) + ' old, and leaves this table when it is over '
      + duration(s.rules.goneAfterMs) + ' old or said it stops.';

    document.querySelector('#schedulers tbody').replaceChildren(...(s.schedulers.length
      ? s.schedulers.map(x => el('tr', {class: 'scheduler', 'data-scheduler': x.name},
        el('td', {}, el('b', {text: x.name})), el('td', {text: x.host}), el('td', {text: ranges(x.partitions)})))
      : [el('tr', {}, el('td', {colspan: 3, class: 'empty', text: 'no scheduler in the group'}))]));
  }

  // --- dead letters, rejections, streams, problems

  function renderLists(s) {
    document.querySelector('#dead-letters .items').replaceChildren(...(s.deadLetters.length
      ? s.deadLetters.map(d => el('li', {class: 'dead-letter', 'data-source': d.source},
        el('span', {class: 'when', text: clock(d.time)}), el('span', {class: 'what', text: d.source || '?'}),
        el('span', {class: 'why', text: (d.reason || 'no reason given') + (d.truncated ? ' (' + d.truncated + ')' : '')})))
      : [el('li', {class: 'empty', text: 'none'})]));
    document.querySelector('#rejections .items').replaceChildren(...(s.rejections.length
      ? s.rejections.map(r => el('li', {class: 'rejection', 'data-graph-id': r.graphId},
        el('span', {class: 'when', text: clock(r.time)}), el('span', {class: 'what', text: r.graphId}),
        el('span', {class: 'why', text: r.message || ''}),
        ...r.problems.map(p => el('span', {class: 'why', text: p.kind + ': ' + p.message}))))
      : [el('li', {class: 'empty', text: 'none'})]));
    document.querySelector('#streams tbody').replaceChildren(...(s.streams.length
      ? s.streams.map(j => el('tr', {class: 'stream', 'data-job': j.name},
        el('td', {}, el('b', {text: j.name})), el('td', {text: j.state}),
        el('td', {text: j.inputs.join(', ') + ' → ' + j.outputs.join(', ')}),
        el('td', {class: 'n', text: j.instances}), el('td', {class: 'n', text: j.inPerSecond.toFixed(1)}),
        el('td', {class: 'n', text: j.outPerSecond.toFixed(1)}), el('td', {class: 'n', text: j.lag}),
        el('td', {class: 'n', text: j.latencyP50Ms + ' / ' + j.latencyP99Ms + ' ms'}),
        el('td', {class: 'n', text: j.deadLetters})))
      : [el('tr', {}, el('td', {colspan: 9, class: 'empty', text: 'no stream jobs'}))]));
    const problems = document.getElementById('problems');
    problems.hidden = s.problems.length === 0;
    problems.querySelector('.items').replaceChildren(...s.problems.map(p => el('li', {text: p})));
  }

  function render(s) {
    state = s;
    renderSummary(s);
    renderTaskStream(s);
    renderGraphs(s);
    renderWorkers(s);
    renderLists(s);
    document.body.setAttribute('data-updated', String(s.time));
    const status = document.getElementById('connection');
    status.setAttribute('data-state', s.caughtUp ? 'live' : 'catching-up');
    status.textContent = s.caughtUp ? 'live' : 'reading Kafka…';
  }

  // --- the connection

  function connect() {
    const status = document.getElementById('connection');
    const source = new EventSource('api/events');
    source.onopen = () => { status.setAttribute('data-state', 'open'); status.textContent = 'connected'; };
    source.onerror = () => { status.setAttribute('data-state', 'reconnecting'); status.textContent = 'reconnecting'; };
    source.onmessage = event => {
      try {
        render(JSON.parse(event.data));
      } catch (e) {
        console.error('the dashboard could not render the state', e);
      }
    };
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.querySelector('#graph-detail .close').addEventListener('click', closeDetail);
    connect();
  });

  // For tests and the console: the last state rendered.
  window.weftDashboard = {state: () => state};
})();
