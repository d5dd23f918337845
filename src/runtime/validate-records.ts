// Shape checks for records read back from disk (a record written by an older or broken version is skipped, not trusted).
import type { ContainerRecord, SandboxRecord } from './types.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isSandboxRecord(value: unknown): value is SandboxRecord {
  return (
    isObject(value) &&
    value['schema'] === 1 &&
    typeof value['id'] === 'string' &&
    isObject(value['config']) &&
    typeof value['state'] === 'string' &&
    Array.isArray(value['done']) &&
    typeof value['dir'] === 'string'
  );
}

export function isContainerRecord(value: unknown): value is ContainerRecord {
  return (
    isObject(value) &&
    value['schema'] === 1 &&
    typeof value['id'] === 'string' &&
    typeof value['sandboxId'] === 'string' &&
    isObject(value['config']) &&
    typeof value['state'] === 'string' &&
    Array.isArray(value['done']) &&
    typeof value['cgroupsPath'] === 'string'
  );
}
