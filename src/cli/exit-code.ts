/** Thrown by a verb that wants a specific exit code without an error message (exec passes the container's through). */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * `peapod daemon`'s exit code when another daemon holds the state lock (EX_TEMPFAIL): a CLI that
 * started it knows the other daemon is the one to wait for.
 */
export const DAEMON_ALREADY_RUNNING_EXIT = 75;
