// How the CLI prints an error, kubectl's way ("error: ...", "Error from server (NotFound): ..."): its
// own module so that the daemon verb, loaded apart from the bundled CLI, prints errors the same way.
import { PeapodError, errorCode, errorMessage } from '../common/errors.js';

export function formatCliError(err: unknown): string {
  if (err instanceof PeapodError) {
    const prefix = err.code === 'NotFound' ? 'Error from server (NotFound): ' : err.code === 'InvalidArgument' ? 'error: ' : `Error (${err.code}): `;
    const hint = err.hint ? `\nhint: ${err.hint}` : '';
    return `${prefix}${err.message}${hint}\n`;
  }
  if (errorCode(err) === 'Internal' && err instanceof Error && process.env['PEAPOD_DEBUG']) return `${err.stack ?? err.message}\n`;
  return `error: ${errorMessage(err)}\n`;
}
