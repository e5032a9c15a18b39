import { BackendUnavailableError } from "@tensorplug/core";
import { TFJS, type TfjsBackendName } from "./names.js";

/** Which tfjs backend the open `TfjsBackend`s run on, and how many of them are open. */
interface Claim {
  name: TfjsBackendName;
  holders: number;
}

// tfjs keeps one engine per process on a global, and `tf.setBackend` switches it for everyone. The
// claim lives on a global too, so that two copies of this package (say, two versions in one app)
// still see each other's claim.
const KEY = Symbol.for("@tensorplug/backend-tfjs:engine-claim");

function slot(): { current: Claim | null } {
  const host = globalThis as unknown as Record<symbol, { current: Claim | null } | undefined>;
  let s = host[KEY];
  if (s === undefined) {
    s = { current: null };
    host[KEY] = s;
  }
  return s;
}

/** The tfjs backend the open `TfjsBackend`s hold, if any. */
export function claimedEngine(): TfjsBackendName | null {
  return slot().current?.name ?? null;
}

/**
 * Claims the tfjs engine for `name` and returns the function that gives the claim back. Instances
 * on the same tfjs backend share it; asking for another one while any instance is open would switch
 * the engine under the open one, so that is refused with the fix. Synchronous, so two concurrent
 * creations cannot both pass before either has claimed.
 */
export function claimEngine(name: TfjsBackendName): () => void {
  const s = slot();
  if (s.current !== null && s.current.name !== name) {
    const held = s.current.name;
    throw new BackendUnavailableError(
      TFJS,
      `the tfjs backend "${held}" is already running in this process and tfjs runs one backend at a time`,
      `close() the open tfjs backend first, or ask for --tfjs-backend ${held}`,
    );
  }
  if (s.current === null) s.current = { name, holders: 0 };
  const claim = s.current;
  claim.holders++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    claim.holders--;
    if (claim.holders === 0 && s.current === claim) s.current = null;
  };
}
