// The image subsystem's contract with the rest of peapod (runtime/, api/, cli/).
// Implementations: service.ts (pull, load, list, remove, prune) and snapshots/ (unpacked layers).

/** The parts of an OCI image config that decide how a container runs. */
export interface ImageRuntimeConfig {
  readonly user?: string;
  readonly env?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly workingDir?: string;
  readonly exposedPorts?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly stopSignal?: string;
  readonly volumes?: readonly string[];
}

export interface ImageLayer {
  /** Digest of the blob as stored (compressed). */
  readonly digest: string;
  /** Digest of the uncompressed tar (rootfs.diff_ids). */
  readonly diffId: string;
  readonly size: number;
  readonly mediaType: string;
}

export interface ImageRecord {
  /** The config blob's digest, "sha256:…": the image ID, as docker and containerd use it. */
  readonly id: string;
  /** Fully qualified names pointing at it: "docker.io/library/busybox:latest". */
  readonly names: readonly string[];
  /** Manifest digests by which it was pulled (repo@sha256:…). */
  readonly repoDigests: readonly string[];
  readonly manifestDigest: string;
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly created?: string;
  /** Sum of the compressed layer sizes plus config. */
  readonly size: number;
  readonly layers: readonly ImageLayer[];
  readonly config: ImageRuntimeConfig;
  /** When peapod stored it. */
  readonly storedAt: string;
}

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export interface PullProgress {
  readonly phase: 'resolving' | 'downloading' | 'verifying' | 'unpacking' | 'done' | 'cached';
  /** Blob digest the event is about, if any. */
  readonly digest?: string;
  readonly current?: number;
  readonly total?: number;
  readonly message?: string;
}

export interface PullOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: PullProgress) => void;
  /** Registry hosts reached over plain http for this pull, beside the configured ones. */
  readonly insecureRegistries?: readonly string[];
  /** Explicit credentials (CRI's AuthConfig), overriding the auth file. */
  readonly auth?: { readonly username?: string; readonly password?: string; readonly identityToken?: string; readonly registryToken?: string };
}

/** What the runtime needs to build a container's root filesystem. */
export interface RootfsLayers {
  /** Unpacked layer directories, top-most first (overlayfs lowerdir order). */
  readonly lowerDirs: readonly string[];
}

export interface ImageService {
  /** Finds a local image by name (normalised), ID, ID prefix, or repo digest. */
  find(ref: string): Promise<ImageRecord | undefined>;
  /** Pulls (or finds) an image and makes sure its layers are unpacked. */
  pull(ref: string, options?: PullOptions): Promise<ImageRecord>;
  /** Applies a pull policy as the kubelet does. */
  ensure(ref: string, policy: PullPolicy, options?: PullOptions): Promise<ImageRecord>;
  list(): Promise<ImageRecord[]>;
  /** Removes a name, or the image with all its names; refuses an image in use unless forced. */
  remove(ref: string, options?: { force?: boolean }): Promise<{ untagged: string[]; deleted: string[] }>;
  /** Loads images from an OCI layout (dir or tar) or a docker-archive tar. */
  load(path: string, options?: PullOptions): Promise<ImageRecord[]>;
  /** Removes images no container uses and that have no name, then unreferenced blobs and snapshots. */
  prune(options?: { all?: boolean }): Promise<{ deleted: string[]; reclaimedBytes: number }>;
  /** The unpacked layers of a local image, by ID or as the record a find or ensure returned. */
  rootfsLayers(image: string | ImageRecord): Promise<RootfsLayers>;
  /** Tells the image service which image IDs containers use (for rmi and prune). */
  setUsageProvider(provider: () => Promise<ReadonlySet<string>>): void;
  count(): Promise<number>;
  /** Removes blobs and snapshots no image references (left by a crash or an interrupted pull). */
  collectContent(): Promise<{ reclaimedBytes: number; snapshots: number }>;
}
