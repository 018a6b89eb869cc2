// Preloaded into the doctor's process (`node --import bench/rss-probe.mjs bin/platform.js …`): reports the
// process's peak RSS and CPU time on stderr at exit, so the bench measures the doctor's resources, not its own.
// CPU time is reported because the reference machine is shared: wall time alone hides contention.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(
    `\n[bench] maxrss-kb ${process.resourceUsage().maxRSS} cpu-ms ${Math.round((user + system) / 1000)}\n`,
  );
});
