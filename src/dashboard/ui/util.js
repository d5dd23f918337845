// Small DOM helpers: every text goes in through textContent, never as HTML (pod names, labels and log
// lines come from manifests and containers).
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children) if (child !== undefined && child !== null) node.append(child);
  return node;
}

export function age(iso, now = Date.now()) {
  if (!iso) return '';
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function bytes(n) {
  if (n === undefined || n === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function limit(n, fmt = String) {
  return n === undefined || n === null || n < 0 || n > 2 ** 62 ? 'unlimited' : fmt(n);
}

export function cpuLimit(cg) {
  if (!cg || cg.cpuQuotaUs === undefined || cg.cpuQuotaUs < 0 || !cg.cpuPeriodUs) return 'unlimited';
  return `${Math.round((cg.cpuQuotaUs / cg.cpuPeriodUs) * 1000)}m`;
}

export function kv(label, value) {
  return el('div', { class: 'kv' }, `${label} `, el('b', { text: value }));
}

export function podKey(view) {
  return `${view.pod.metadata.namespace ?? 'default'}/${view.pod.metadata.name}`;
}

/** kubectl's label selector, the equality subset: a=b, a!=b, a, !a, comma-separated. */
export function matchesSelector(labels, selector) {
  const terms = selector
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  return terms.every((term) => {
    const ne = term.indexOf('!=');
    if (ne > 0) return labels[term.slice(0, ne).trim()] !== term.slice(ne + 2).trim();
    const eq = term.indexOf('=');
    if (eq > 0)
      return (
        labels[term.slice(0, eq).trim()] ===
        term
          .slice(eq + 1)
          .replace(/^=/, '')
          .trim()
      );
    if (term.startsWith('!')) return !(term.slice(1) in labels);
    return term in labels;
  });
}
