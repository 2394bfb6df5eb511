// Golden program: user annotations, then a non-zero exit (snapshot written synchronously).
const { log, region, task } = require(process.env.RECORDER_PATH);
log('startup', 'config loaded');
region('parse input', () => JSON.parse('{"a":1}'));
const job = task('import job');
setTimeout(async () => {
  await region('async step', () => new Promise((resolve) => setTimeout(resolve, 5)));
  job.end();
  log('shutdown', 'bye');
  process.exit(2);
}, 5);
