// systemd socket activation (sd_listen_fds(3)): when the service was started by peapod.socket, the
// listening API socket is file descriptor 3, announced by LISTEN_PID (this process) and LISTEN_FDS.
// The variables are removed once read, so that no child (conmon, runc) believes it was activated.

export const SD_LISTEN_FDS_START = 3;

/** The inherited listening descriptor, or undefined when not socket-activated. */
export function takeActivationFd(env: NodeJS.ProcessEnv = process.env, pid = process.pid): number | undefined {
  const listenPid = Number(env['LISTEN_PID']);
  const count = Number(env['LISTEN_FDS']);
  delete env['LISTEN_PID'];
  delete env['LISTEN_FDS'];
  delete env['LISTEN_FDNAMES'];
  return listenPid === pid && Number.isInteger(count) && count >= 1 ? SD_LISTEN_FDS_START : undefined;
}
