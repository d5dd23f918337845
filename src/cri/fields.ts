// Narrowing of decoded CRI messages. grpc-js hands handlers `unknown`-shaped objects built by
// protobufjs with the loader options of proto/load.ts; everything a handler reads goes through here,
// so a malformed message becomes INVALID_ARGUMENT naming the field, never a TypeError.
import { PeapodError } from '../common/errors.js';

type Plain = Readonly<Record<string, unknown>>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

const bad = (path: string, expected: string, value: unknown): PeapodError =>
  new PeapodError('InvalidArgument', `${path}: expected ${expected}, got ${JSON.stringify(value) ?? typeof value}`);

export class Fields {
  private constructor(
    private readonly value: Plain,
    readonly path: string,
  ) {}

  /** A message; a missing top-level request is an empty one (all proto3 defaults). */
  static of(raw: unknown, path: string): Fields {
    if (raw === null || raw === undefined) return new Fields({}, path);
    if (!isPlain(raw)) throw bad(path, 'a message', raw);
    return new Fields(raw, path);
  }

  private at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  str(key: string): string {
    const v = this.value[key];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw bad(this.at(key), 'a string', v);
    return v;
  }

  bool(key: string): boolean {
    const v = this.value[key];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') throw bad(this.at(key), 'a boolean', v);
    return v;
  }

  /** int32/uint32 (numbers) and int64/uint64 (decimal strings), as a safe integer. */
  int(key: string): number {
    return toInt(this.value[key], this.at(key));
  }

  bytes(key: string): Buffer {
    const v = this.value[key];
    if (v === undefined || v === null) return Buffer.alloc(0);
    if (Buffer.isBuffer(v)) return v;
    if (v instanceof Uint8Array) return Buffer.from(v);
    if (typeof v === 'string') return Buffer.from(v, 'utf8');
    throw bad(this.at(key), 'bytes', v);
  }

  /** An enum by name; numbers (values unknown to our .proto) are refused with the allowed names. */
  enumOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.value[key];
    const first = allowed[0];
    if ((v === undefined || v === null) && first !== undefined) return first;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    throw bad(this.at(key), `one of ${allowed.join(', ')}`, v);
  }

  strList(key: string): string[] {
    return this.array(key).map((v, i) => {
      if (typeof v !== 'string') throw bad(`${this.at(key)}[${i}]`, 'a string', v);
      return v;
    });
  }

  intList(key: string): number[] {
    return this.array(key).map((v, i) => toInt(v, `${this.at(key)}[${i}]`));
  }

  strMap(key: string): Record<string, string> {
    const v = this.value[key];
    if (v === undefined || v === null) return {};
    if (!isPlain(v)) throw bad(this.at(key), 'a map of strings', v);
    const out: Record<string, string> = {};
    for (const [k, item] of Object.entries(v)) {
      if (typeof item !== 'string') throw bad(`${this.at(key)}[${JSON.stringify(k)}]`, 'a string', item);
      out[k] = item;
    }
    return out;
  }

  /** A nested message, or undefined when it was not sent. */
  msg(key: string): Fields | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    if (!isPlain(v)) throw bad(this.at(key), 'a message', v);
    return new Fields(v, this.at(key));
  }

  list(key: string): Fields[] {
    return this.array(key).map((v, i) => {
      if (!isPlain(v)) throw bad(`${this.at(key)}[${i}]`, 'a message', v);
      return new Fields(v, `${this.at(key)}[${i}]`);
    });
  }

  private array(key: string): readonly unknown[] {
    const v = this.value[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw bad(this.at(key), 'a list', v);
    return v as readonly unknown[];
  }
}

function toInt(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw bad(path, 'an integer', v);
  return n;
}
