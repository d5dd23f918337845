// Image records on disk: <images>/records/<id-hex>.json, one per image, and <images>/names.json mapping each
// fully qualified name to an image ID. Each file is written atomically; names.json is the truth about names
// (a record's `names` is filled from it on read), so a crash between the two writes cannot leave a name
// pointing at two images. Callers serialise writes with the service's mutex.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PeapodError, isErrnoException } from '../common/errors.js';
import { readJsonIfExists, removeDurably, writeJsonAtomic } from '../store/atomic.js';
import { digestHex, isDigest } from './digest.js';
import type { ImageRecord } from './types.js';
import { compareStrings } from '../common/compare.js';

/** Bumped when the record's shape changes incompatibly. */
export const RECORD_SCHEMA_VERSION = 1;

interface StoredRecord {
  readonly schemaVersion: number;
  readonly image: ImageRecord;
}

export type NameIndex = Readonly<Record<string, string>>;

function isRecord(value: unknown): value is StoredRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<StoredRecord>;
  return v.schemaVersion === RECORD_SCHEMA_VERSION && typeof v.image === 'object' && v.image !== null && isDigest(v.image.id);
}

export class ImageRecords {
  private readonly dir: string;
  private readonly namesFile: string;

  constructor(imagesRoot: string) {
    this.dir = join(imagesRoot, 'records');
    this.namesFile = join(imagesRoot, 'names.json');
  }

  async names(): Promise<NameIndex> {
    const value = await readJsonIfExists(this.namesFile);
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new PeapodError('DataLoss', `${this.namesFile}: expected an object mapping names to image IDs`);
    }
    const out: Record<string, string> = {};
    for (const [name, id] of Object.entries(value as Record<string, unknown>)) if (isDigest(id)) out[name] = id;
    return out;
  }

  async writeNames(index: NameIndex): Promise<void> {
    const sorted = Object.fromEntries(Object.entries(index).sort(([a], [b]) => compareStrings(a, b)));
    await writeJsonAtomic(this.namesFile, sorted);
  }

  private file(id: string): string {
    return join(this.dir, `${digestHex(id, 'image ID')}.json`);
  }

  /** A record with its names taken from the index; undefined when absent or unreadable. */
  async get(id: string, index?: NameIndex): Promise<ImageRecord | undefined> {
    const value = await readJsonIfExists(this.file(id));
    if (!isRecord(value)) return undefined;
    const names = index ?? (await this.names());
    return withNames(value.image, names);
  }

  async put(record: ImageRecord): Promise<void> {
    const stored: StoredRecord = { schemaVersion: RECORD_SCHEMA_VERSION, image: record };
    await writeJsonAtomic(this.file(record.id), stored);
  }

  async remove(id: string): Promise<void> {
    await removeDurably(this.file(id));
  }

  async ids(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((f) => /^[a-f0-9]{64}\.json$/.test(f)).map((f) => `sha256:${f.slice(0, 64)}`);
    } catch (err) {
      if (isErrnoException(err, 'ENOENT')) return [];
      throw err;
    }
  }

  async all(): Promise<ImageRecord[]> {
    const index = await this.names();
    const out: ImageRecord[] = [];
    for (const id of await this.ids()) {
      const record = await this.get(id, index);
      if (record) out.push(record);
    }
    return out;
  }
}

export function withNames(record: ImageRecord, index: NameIndex): ImageRecord {
  const names = Object.entries(index)
    .filter(([, id]) => id === record.id)
    .map(([name]) => name)
    .sort();
  return { ...record, names };
}
