// Entry of a daemon the CLI starts on demand (and the tests' daemons): the settings come from the PEAPOD_*
// variables the CLI passes (configToEnv), so none of the CLI's own code (commander, the verbs) is loaded:
// it would stay resident for the daemon's whole life. `peapod daemon` from a shell or systemd runs the
// same runDaemon through the CLI.
import { formatCliError } from './format-error.js';
import { resolveConfig } from '../common/config.js';
import { runDaemon } from './run-daemon.js';

runDaemon(resolveConfig({}, process.env)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(formatCliError(err));
    process.exitCode = 1;
  },
);
