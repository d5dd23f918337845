// How the pod was built, each step as a bar on one clock (from the pod's acceptance to its last step),
// from the runtime's records: sandbox steps, per container rootfs/bundle/runc create/runc start, events.
import { el } from './util.js';

function ms(n) {
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`;
}

export function renderTimeline(root, steps) {
  if (!steps || steps.length === 0) {
    root.replaceChildren(el('p', { class: 'muted', text: 'no steps recorded yet' }));
    return;
  }
  const t0 = Math.min(...steps.map((s) => Date.parse(s.start)));
  const t1 = Math.max(...steps.map((s) => Date.parse(s.end)), t0 + 1);
  const span = t1 - t0;
  root.replaceChildren(
    el('p', { class: 'muted', text: `${ms(span)} from the pod's acceptance to its last recorded step` }),
    ...steps.map((s) => {
      const start = Date.parse(s.start) - t0;
      const dur = Date.parse(s.end) - Date.parse(s.start);
      const bar = el('div', { class: `tl-bar ${s.kind}` });
      bar.style.left = `${(start / span) * 100}%`;
      if (s.kind === 'step') bar.style.width = `${Math.max(0.3, (dur / span) * 100)}%`;
      return el(
        'div',
        { class: 'tl-row', 'data-step': s.label, 'data-lane': s.lane },
        el('div', { class: 'tl-label', title: `${s.lane}: ${s.label}`, text: `${s.lane}: ${s.label}` }),
        el('div', { class: 'tl-track' }, bar),
        el('div', { class: 'muted', text: s.kind === 'step' ? ms(dur) : `+${ms(start)}` }),
      );
    }),
  );
}
