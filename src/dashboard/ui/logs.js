// A container's log, streamed: the daemon's own log route (follow keeps the response open and writes
// each new line as conmon writes it), read chunk by chunk as it arrives.
const MAX_CHARS = 200_000;
let controller;

export function closeLogs() {
  controller?.abort();
  controller = undefined;
}

export function openLogs(view) {
  closeLogs();
  const out = document.getElementById('log');
  out.textContent = '';
  const container = document.getElementById('log-container').value;
  const previous = document.getElementById('log-previous').checked;
  const follow = document.getElementById('log-follow').checked && !previous;
  const ns = encodeURIComponent(view.pod.metadata.namespace ?? 'default');
  const name = encodeURIComponent(view.pod.metadata.name);
  const query = new URLSearchParams({ container, tail: '1000', follow: String(follow), previous: String(previous) });
  const mine = new AbortController();
  controller = mine;
  void (async () => {
    try {
      const res = await fetch(`/api/v1/namespaces/${ns}/pods/${name}/log?${query}`, { signal: mine.signal });
      if (!res.ok) {
        const body = await res.json().catch(() => undefined);
        out.textContent = body?.error?.message ?? `error ${res.status}`;
        return;
      }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const stick = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
        out.textContent = (out.textContent + value).slice(-MAX_CHARS);
        if (stick) out.scrollTop = out.scrollHeight;
      }
    } catch (err) {
      if (!mine.signal.aborted) out.textContent += `\n[log stream ended: ${err}]`;
    }
  })();
}
