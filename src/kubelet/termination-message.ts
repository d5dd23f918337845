// Termination messages (kubelet: kuberuntime_container.go): the file at terminationMessagePath, at most
// 4096 bytes; with FallbackToLogsOnError and an empty file after a failure, the log's last 80 lines,
// at most 2048 bytes.
import { open, readFile } from 'node:fs/promises';

export const MAX_TERMINATION_MESSAGE_BYTES = 4096;
export const FALLBACK_LOG_LINES = 80;
export const FALLBACK_LOG_BYTES = 2048;

export async function readTerminationFile(path: string): Promise<string> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const buffer = Buffer.alloc(MAX_TERMINATION_MESSAGE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_TERMINATION_MESSAGE_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The tail of a CRI-format log as plain text. */
export async function logTail(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const lines = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\S+ (stdout|stderr) [FP] ?/, ''))
    .slice(-FALLBACK_LOG_LINES)
    .join('\n');
  const bytes = Buffer.from(lines, 'utf8');
  return bytes.length <= FALLBACK_LOG_BYTES ? lines : bytes.subarray(bytes.length - FALLBACK_LOG_BYTES).toString('utf8');
}
