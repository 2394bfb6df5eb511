// Entry of dist/cli.js. Filled in by the CLI.
export {};
