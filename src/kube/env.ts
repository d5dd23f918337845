// $(VAR) expansion in command, args and env values, as Kubernetes does it
// (third_party/forked/golang/expansion): `$$` escapes to `$`, an unknown or unterminated reference
// is left as written.

export function expandEnvReferences(value: string, env: ReadonlyMap<string, string>): string {
  let out = '';
  let i = 0;
  while (i < value.length) {
    const ch = value[i];
    if (ch !== '$' || i + 1 >= value.length) {
      out += ch ?? '';
      i++;
      continue;
    }
    const next = value[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '(') {
      const close = value.indexOf(')', i + 2);
      if (close < 0) {
        out += value.slice(i);
        break;
      }
      const name = value.slice(i + 2, close);
      const resolved = env.get(name);
      out += resolved ?? `$(${name})`;
      i = close + 1;
      continue;
    }
    out += `$${next ?? ''}`;
    i += 2;
  }
  return out;
}
