// The kinds' table (kube/kinds/: each kind's names with its shape, validators, defaults and `get`
// columns, a third of the bundled CLI's code) is loaded by a verb only when its command line names something
// other than pods, ConfigMaps and Secrets: `get pods`, `delete pod`, `describe pod` do not compile it.
import type { KindInfo } from '../kube/kinds/kind.js';

export interface KindLookup {
  kindInfo(kind: string): KindInfo | undefined;
  kindForResource(word: string): KindInfo | undefined;
}

/**
 * What a command line about pods, ConfigMaps and Secrets alone needs of the table: nothing, since the
 * table answers undefined for them too (it holds no core kind and none of their words: kinds.test.ts).
 */
const CORE_ONLY: KindLookup = { kindInfo: () => undefined, kindForResource: () => undefined };

/** The kinds' table when `needed`, else a stand-in that knows no kind (nothing loaded). */
export async function kindLookup(needed: boolean): Promise<KindLookup> {
  return needed ? await import('../kube/kinds/index.js') : CORE_ONLY;
}
