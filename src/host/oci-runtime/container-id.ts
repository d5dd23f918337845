// Container IDs name runc state dirs and our own persist dirs: checked before either is touched.
import { invalid } from '../../common/errors.js';

/** runc's ID rule (libcontainer: ^[\w+-\.]+$) narrowed: IDs are path components of ours too. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function checkId(id: string): void {
  if (!ID_PATTERN.test(id)) throw invalid(`container ID "${id}" is not allowed: use 1-128 letters, digits, '_', '.', '-', starting with a letter or digit`);
}
