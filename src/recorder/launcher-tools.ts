// Package managers and runners that only start the real program (`npm run start`, `npx`,
// `yarn`, `pnpm`, `tsx app.ts`) inherit NODE_OPTIONS like any child. Recording them would list
// a second, uninteresting process next to the program and cost them a watchdog thread; they are
// skipped, and their children — the programs — are recorded as usual.
// argv[1] is the path as started: `/usr/bin/npm` (a link) as well as `.../npm/bin/npm-cli.js`.
const LAUNCHER_SCRIPT = /(?:^|[\\/])(?:npm|npx|yarn|yarnpkg|pnpm|pnpx|corepack|tsx)(?:-cli)?(?:\.c?js)?$|[\\/]tsx[\\/]dist[\\/]cli\.m?js$/;

/** True when this process is a package manager or runner CLI rather than a program to record. */
export function isLauncherProcess(argv: readonly string[] = process.argv): boolean {
  const script = argv[1];
  return typeof script === 'string' && LAUNCHER_SCRIPT.test(script);
}
