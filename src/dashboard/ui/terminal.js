// `exec -it` in the page: xterm.js (loaded only when a terminal is opened) over a WebSocket to the
// daemon; binary frames are terminal bytes, text frames JSON control (resize out, exit code in).
import { el } from './util.js';

let session;
let view;

export function closeTerminal() {
  session?.ws.close();
  session?.term.dispose();
  session?.observer.disconnect();
  session = undefined;
}

export function prepareTerminal(podView) {
  view = podView;
}

function status(text) {
  document.getElementById('term-status').textContent = text;
}

async function open() {
  if (!view) return;
  closeTerminal();
  const { Terminal } = await import('./vendor/xterm.mjs');
  if (!document.getElementById('xterm-css')) document.head.append(el('link', { id: 'xterm-css', rel: 'stylesheet', href: '/vendor/xterm.css' }));
  const box = document.getElementById('terminal');
  box.replaceChildren();
  const term = new Terminal({ cursorBlink: true, fontSize: 13, convertEol: false, rows: 24, cols: 80 });
  term.open(box);
  const ns = encodeURIComponent(view.pod.metadata.namespace ?? 'default');
  const name = encodeURIComponent(view.pod.metadata.name);
  const query = new URLSearchParams({ container: document.getElementById('term-container').value });
  for (const arg of document
    .getElementById('term-command')
    .value.trim()
    .split(/\s+/)
    .filter((a) => a !== ''))
    query.append('command', arg);
  const ws = new WebSocket(`ws://${location.host}/api/pods/${ns}/${name}/exec?${query}`);
  ws.binaryType = 'arraybuffer';
  const encoder = new TextEncoder();
  const sendSize = () => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ resize: { cols: term.cols, rows: term.rows } }));
  const fit = () => {
    // xterm's cell width for 13px monospace is close to 7.8px; the fit addon would measure, this guesses.
    const cols = Math.max(20, Math.floor((box.clientWidth - 8) / 7.9));
    if (cols !== term.cols) term.resize(cols, term.rows);
  };
  const observer = new ResizeObserver(fit);
  observer.observe(box);
  term.onResize(sendSize);
  term.onData((data) => ws.readyState === WebSocket.OPEN && ws.send(encoder.encode(data)));
  ws.addEventListener('open', () => {
    status('connected');
    box.dataset.state = 'connected';
    fit();
    sendSize();
    // The pty exists once runc is running in it: size it again when that has surely happened.
    setTimeout(sendSize, 500);
    term.focus();
  });
  ws.addEventListener('message', (e) => {
    if (typeof e.data !== 'string') return term.write(new Uint8Array(e.data));
    const msg = JSON.parse(e.data);
    if (msg.exit !== undefined) {
      status(`exited with code ${msg.exit}`);
      box.dataset.exitCode = String(msg.exit);
      term.write(`\r\n[process exited with code ${msg.exit}]\r\n`);
    }
    if (msg.error) {
      status(`error: ${msg.error}`);
      term.write(`\r\n[${msg.error}]\r\n`);
    }
  });
  ws.addEventListener('close', () => {
    if (box.dataset.state === 'connected') box.dataset.state = 'closed';
    if (!box.dataset.exitCode) status('disconnected');
  });
  session = { ws, term, observer };
}

document.getElementById('term-open').addEventListener('click', () => {
  const box = document.getElementById('terminal');
  delete box.dataset.exitCode;
  delete box.dataset.state;
  void open();
});
