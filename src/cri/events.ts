// GetContainerEvents: a hub fed by the CRI handlers (created, started, deleted) and by the runtime's
// exit watch (stopped, for containers of every door), fanned out to each open stream.
import { EventEmitter } from 'node:events';
import type { RuntimeService } from '../runtime/service.js';
import type { ContainerRecord } from '../runtime/types.js';
import { containerStatus, nowNanos, podSandboxStatus } from './convert.js';
import type { ContainerEventResponse, ContainerEventTypeName } from './types.js';

/** Streams are few (one per kubelet); the cap only guards against a leak of subscribers. */
const MAX_SUBSCRIBERS = 64;

export class CriEventHub {
  private readonly emitter = new EventEmitter();

  constructor(private readonly runtime: RuntimeService) {
    this.emitter.setMaxListeners(MAX_SUBSCRIBERS);
    runtime.onContainerExit((event) => this.emit('CONTAINER_STOPPED_EVENT', event.record));
  }

  subscribe(listener: (event: ContainerEventResponse) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  subscribers(): number {
    return this.emitter.listenerCount('event');
  }

  /** `container` is the record as it was at the event (for deletes: just before removal). */
  emit(type: ContainerEventTypeName, container: ContainerRecord): void {
    if (this.emitter.listenerCount('event') === 0) return;
    const sandbox = this.runtime.sandboxes.get(container.sandboxId);
    const others = this.runtime.containersOf(container.sandboxId).filter((c) => c.id !== container.id);
    const statuses = type === 'CONTAINER_DELETED_EVENT' ? others : [container, ...others];
    const event: ContainerEventResponse = {
      container_id: container.id,
      container_event_type: type,
      created_at: nowNanos(),
      pod_sandbox_status: sandbox ? podSandboxStatus(sandbox) : null,
      containers_statuses: statuses.map((c) => containerStatus(c, sandbox)),
    };
    this.emitter.emit('event', event);
  }
}
