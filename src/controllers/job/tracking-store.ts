// The Job controller's own records, one per Job UID under <root>/records/controllers/job-tracking/: which pods are still to
// be counted (Kubernetes marks them with the batch.kubernetes.io/job-tracking finalizer), the pod failure back-off,
// and the counters themselves. The counters live here first and are copied into the Job's status second, so a
// daemon killed between the two writes neither loses nor double-counts a pod: the next sync starts from here.
import { join } from 'node:path';
import { RecordStore } from '../../store/record-store.js';
import type { JobStatus } from '../../kube/batch.js';
import { NO_BACKOFF, type BackoffRecord } from './backoff.js';
import type { JobTracking } from './sync.js';

export interface JobTrackingRecord {
  /** The Job's UID. */
  readonly id: string;
  readonly tracked: readonly string[];
  readonly backoff: BackoffRecord;
  readonly succeeded: number;
  readonly failed: number;
  readonly completedIndexes?: string;
}

const isTrackingRecord = (v: unknown): v is JobTrackingRecord =>
  typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string' && Array.isArray((v as { tracked?: unknown }).tracked);

export class JobTrackingStore {
  private readonly records: RecordStore<JobTrackingRecord>;
  private loaded: Promise<void> | undefined;

  constructor(root: string) {
    this.records = new RecordStore(join(root, 'records', 'controllers', 'job-tracking'), isTrackingRecord);
  }

  load(): Promise<void> {
    this.loaded ??= this.records.load();
    return this.loaded;
  }

  get(uid: string): JobTrackingRecord | undefined {
    return this.records.get(uid);
  }

  tracking(uid: string): JobTracking {
    const record = this.records.get(uid);
    return record ? { tracked: record.tracked, backoff: record.backoff } : { tracked: [], backoff: NO_BACKOFF };
  }

  /** The Job's status with the counters as this store knows them (they may be ahead of a status write lost in a crash). */
  overlay(uid: string, status: JobStatus | undefined): JobStatus {
    const record = this.records.get(uid);
    if (!record) return status ?? {};
    const { completedIndexes: _stale, ...rest } = status ?? {};
    return { ...rest, succeeded: record.succeeded, failed: record.failed, ...(record.completedIndexes ? { completedIndexes: record.completedIndexes } : {}) };
  }

  async save(uid: string, tracking: JobTracking, status: JobStatus): Promise<void> {
    const record: JobTrackingRecord = {
      id: uid,
      tracked: tracking.tracked,
      backoff: tracking.backoff,
      succeeded: status.succeeded ?? 0,
      failed: status.failed ?? 0,
      ...(status.completedIndexes ? { completedIndexes: status.completedIndexes } : {}),
    };
    if (JSON.stringify(record) !== JSON.stringify(this.records.get(uid))) await this.records.put(record);
  }

  /** Pods created after the plan was saved join the tracked set. */
  async track(uid: string, podUids: readonly string[]): Promise<void> {
    if (podUids.length === 0 || !this.records.get(uid)) return;
    await this.records.update(uid, (r) => ({ ...r, tracked: [...r.tracked, ...podUids] }));
  }

  async forget(uid: string): Promise<void> {
    if (this.records.get(uid)) await this.records.delete(uid);
  }

  /** Drops the records of Jobs that no longer exist. */
  async prune(exists: (uid: string) => boolean): Promise<void> {
    for (const record of this.records.list()) if (!exists(record.id)) await this.records.delete(record.id);
  }
}
