// An idle program (a timer far away keeps it alive): what the recorder costs when nothing
// happens. Prints READY.
setTimeout(() => {}, 600_000);
process.stdout.write('READY\n');
process.on('SIGTERM', () => process.exit(0));
