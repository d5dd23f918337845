// The in-browser terminal: `exec -it` over a WebSocket. The command runs as `peapod exec -it` runs it
// (planExec: runc exec -t in the container), inside a pty that util-linux `script` makes
// (host/interactive.ts, as the CRI streaming server does). Binary frames carry terminal bytes both
// ways; text frames carry JSON control: {"resize":{cols,rows}} from the page, {"exit":code} to it.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { errorMessage } from '../common/errors.js';
import { spawnInteractive, type InteractiveProcess } from '../host/interactive.js';
import type { PodManager } from '../kubelet/manager.js';

/** A terminal's size as xterm.js reports it; anything outside is a broken or hostile page. */
const MAX_DIMENSION = 1000;
const MAX_COMMAND_ARGS = 64;

export interface TerminalTarget {
  readonly namespace: string;
  readonly name: string;
  readonly container: string | undefined;
  readonly command: readonly string[];
}

export class TerminalServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  private readonly live = new Set<InteractiveProcess>();

  constructor(private readonly pods: PodManager) {}

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: TerminalTarget): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.session(ws, target));
  }

  private session(ws: WebSocket, target: TerminalTarget): void {
    // Broken frames or a reset connection close the session; they must not reach the daemon as an unhandled 'error'.
    ws.on('error', () => ws.terminate());
    let proc: InteractiveProcess;
    try {
      if (target.command.length > MAX_COMMAND_ARGS) throw new Error(`command: more than ${MAX_COMMAND_ARGS} arguments`);
      const plan = this.pods.planExec(target.namespace, target.name, {
        ...(target.container === undefined ? {} : { container: target.container }),
        command: target.command,
        tty: true,
        stdin: true,
      });
      proc = spawnInteractive(plan.argv, { tty: true });
    } catch (err) {
      ws.send(JSON.stringify({ error: errorMessage(err) }));
      ws.close(1011, 'exec refused');
      return;
    }
    this.live.add(proc);
    const size: { cols?: number; rows?: number } = {};
    let sawOutput = false;
    proc.stdout.on('data', (chunk: Buffer) => {
      // A resize that came before `script` had forked finds no pty and is lost: the first output proves
      // the pty and runc's relay exist, so the last size asked for is applied (again) now.
      if (!sawOutput && size.cols !== undefined && size.rows !== undefined) void proc.resize(size.cols, size.rows).catch(() => undefined);
      sawOutput = true;
      ws.send(chunk);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) proc.stdin.write(bytes);
      else this.control(proc, bytes.toString('utf8'), size);
    });
    ws.on('close', () => proc.kill());
    void proc.exited.then((code) => {
      this.live.delete(proc);
      if (ws.readyState === ws.OPEN) {
        ws.send(JSON.stringify({ exit: code }));
        ws.close(1000, 'exited');
      }
    });
  }

  private control(proc: InteractiveProcess, text: string, size: { cols?: number; rows?: number }): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const resize = (message as { resize?: { cols?: unknown; rows?: unknown } } | null)?.resize;
    const cols = Number(resize?.cols);
    const rows = Number(resize?.rows);
    const valid = (n: number): boolean => Number.isInteger(n) && n > 0 && n <= MAX_DIMENSION;
    if (!valid(cols) || !valid(rows)) return;
    size.cols = cols;
    size.rows = rows;
    void proc.resize(cols, rows).catch(() => undefined);
  }

  close(): void {
    for (const proc of this.live) proc.kill();
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}
