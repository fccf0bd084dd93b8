// Types for scripts/test-peers.mjs, which stays plain JavaScript so that it runs before
// `npm ci` has installed TypeScript.
export interface TestPeer {
  /** The program the tests spawn. */
  readonly command: string;
  /** The Debian package that installs it. */
  readonly pkg: string;
  /** What needs it. */
  readonly why: string;
  /** Directories looked in after PATH (`*` for any one name). */
  readonly dirs?: readonly string[];
}

export const TEST_PEERS: readonly TestPeer[];
export const TEST_ALL_COMMAND: string;
export function findPeer(
  command: string,
  path?: string,
  extraDirs?: readonly string[],
): string | undefined;
export function missingPeers(path?: string, peers?: readonly TestPeer[]): TestPeer[];
export function requirePeer(command: string, path?: string): string;
export function aptCommand(packages: readonly string[]): string;
