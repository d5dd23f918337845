/** Thrown by a verb that wants a specific exit code without an error message (exec passes the container's through). */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
