// Preloaded into a profiled proxy with `node --import`: V8's sampling heap profiler, told to keep samples of
// objects that were already collected, so the profile shows where *garbage* is made (what --heap-prof, which
// keeps only live objects, cannot). The first SIGUSR2 starts sampling, the second writes the profile to
// $MESHBENCH_HEAP_PROFILE. It touches nothing else in the process.
import { writeFileSync } from 'node:fs';
import inspector from 'node:inspector';

const out = process.env.MESHBENCH_HEAP_PROFILE;
if (out !== undefined && out !== '') {
  const session = new inspector.Session();
  session.connect();
  let sampling = false;
  process.on('SIGUSR2', () => {
    if (!sampling) {
      sampling = true;
      session.post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      return;
    }
    session.post('HeapProfiler.stopSampling', (err, result) => {
      if (err === null) writeFileSync(out, JSON.stringify(result.profile));
    });
  });
}
