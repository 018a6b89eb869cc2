// Preloaded into the doctor's process (`node --import bench/rss-probe.mjs bin/platform.js …`): reports the
// process's peak RSS and CPU time on stderr at exit, so the bench measures the doctor's resources, not its own.
// CPU time is reported because the reference machine is shared: wall time alone hides contention. The
// process's start and exit (epoch ms) let a report's startedAt/durationMs split the wall time into before,
// during and after the run.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(
    `\n[bench] maxrss-kb ${process.resourceUsage().maxRSS} cpu-ms ${Math.round((user + system) / 1000)}` +
      ` origin-ms ${Math.round(performance.timeOrigin)} exit-ms ${Date.now()}\n`,
  );
});
