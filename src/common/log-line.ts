// The daemon's log lines: "text" (an ISO time, then the message) or "json" (one object per line with
// time, level and msg, for journald or a log shipper). Levels come from how messages are worded here:
// "error: …" and "… failed …" are errors, "warning: …" and "ignoring …" warnings, the rest info.

export type LogLevel = 'error' | 'warn' | 'info';

export function logLevelOf(message: string): LogLevel {
  if (/^error\b|\bfailed\b|\bpanic\b/i.test(message)) return 'error';
  if (/^warning\b|^ignoring\b|\bunder pressure\b|\bevicting\b/i.test(message)) return 'warn';
  return 'info';
}

export function formatDaemonLogLine(format: 'text' | 'json', message: string, at: Date): string {
  if (format === 'json') return `${JSON.stringify({ time: at.toISOString(), level: logLevelOf(message), msg: message })}\n`;
  return `${at.toISOString()} ${message}\n`;
}
