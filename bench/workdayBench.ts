/**
 * Workday read benchmark: 10k and 100k workers read through the RaaS source (one streamed report)
 * and through the SOAP source (Get_Workers pages of 999), each validated by the core as a cycle
 * reads them. Prints rows, time, rows/s, peak extra heap and peak RSS for each size. Targets
 * (RaaS 100k < 5 s and < 200 MB extra heap; SOAP 100k < 30 s and < 300 MB peak RSS) are printed,
 * not asserted.
 *
 * The simulator runs in a child process (this file with `--serve <size>`): its world of 100k
 * workers and the rendering of the report would otherwise count in this process's heap and CPU.
 *
 *   npm run build && npm run bench:workday
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseWorker } from '../src/core/worker';
import { createRaasSource } from '../src/workday/raasSource';
import { createSoapSource } from '../src/workday/soapSource';
import { createTenant, startWorkdaySimulator, WORKER_PROMPT } from '../sim/workday';
import { buildWorld } from '../sim/world';

/** BENCH_SIZES=10000 for a quick run. */
const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const FIELDS = { workerId: 'WorkerID', personalEmail: 'personalEmail', countryIso: 'CountryISO' };
const MB = 1024 * 1024;

type Protocol = 'raas' | 'soap';

interface Served {
  raasUrl: string;
  soapUrl: string;
  username: string;
  password: string;
}

interface Measure {
  protocol: Protocol;
  size: number;
  rows: number;
  valid: number;
  seconds: number;
  /** This process's CPU time: the machine may be shared, and wall time then says little. */
  cpuSeconds: number;
  peakExtraHeapMb: number;
  peakRssMb: number;
}

/** Child: serve a tenant of `size` workers until the parent disconnects. */
async function serve(size: number): Promise<void> {
  const tenant = createTenant(buildWorld({ size, seed: 42 }).workers);
  const sim = await startWorkdaySimulator({ tenant });
  const served: Served = {
    raasUrl: sim.raasUrl,
    soapUrl: sim.soapUrl,
    username: tenant.username,
    password: tenant.password,
  };
  process.send?.(served);
  process.once('disconnect', () => void sim.close().finally(() => process.exit(0)));
}

function startServer(size: number): Promise<{ child: ChildProcess; served: Served }> {
  const child = fork(__filename, ['--serve', String(size)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (served) => resolve({ child, served: served as Served }));
    child.once('exit', (code) => reject(new Error(`simulator exited with code ${code} before serving`)));
  });
}

/** gc() without starting node with --expose-gc, so baselines start from a collected heap. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function measure(protocol: Protocol, size: number, gc: () => void): Promise<Measure> {
  const { child, served } = await startServer(size);
  try {
    const { username, password } = served;
    const source =
      protocol === 'raas'
        ? createRaasSource({ reportUrl: served.raasUrl, username, password, workerPrompt: WORKER_PROMPT })
        : createSoapSource({ endpoint: served.soapUrl, username, password, pageSize: 999, country: 'businessSite' });
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peakHeap = baseline;
    let peakRss = process.memoryUsage.rss();
    const sample = (): void => {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    };
    const sampler = setInterval(sample, 10);
    let rows = 0;
    let valid = 0;
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    for await (const raw of source.readWorkers({ asOf: new Date() })) {
      if (parseWorker(raw, FIELDS).ok) valid++;
      if (++rows % 1000 === 0) sample();
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    clearInterval(sampler);
    sample();
    return {
      protocol,
      size,
      rows,
      valid,
      seconds,
      cpuSeconds,
      peakExtraHeapMb: (peakHeap - baseline) / MB,
      peakRssMb: peakRss / MB,
    };
  } finally {
    child.disconnect();
  }
}

function report(m: Measure): void {
  const rate = Math.round(m.rows / m.seconds).toLocaleString('en-US');
  console.log(
    `${m.protocol.toUpperCase().padEnd(4)} ${m.size.toLocaleString('en-US').padStart(8)} workers: ${m.rows} rows (${m.valid} valid, ${m.rows - m.valid} rejected), ` +
      `parse+validate ${m.seconds.toFixed(2)} s (CPU ${m.cpuSeconds.toFixed(2)} s), ${rate} rows/s, peak extra heap ${m.peakExtraHeapMb.toFixed(1)} MB, peak RSS ${m.peakRssMb.toFixed(0)} MB`,
  );
}

async function main(): Promise<void> {
  const gc = collector();
  const only = process.argv.slice(2).filter((arg): arg is Protocol => arg === 'raas' || arg === 'soap');
  const protocols: Protocol[] = only.length > 0 ? only : ['raas', 'soap'];
  console.log(`Workday reads (simulator in a child process; Node ${process.version})`);
  console.log('targets for 100k: RaaS < 5 s and < 200 MB extra heap; SOAP (pages of 999) < 30 s and < 300 MB peak RSS');
  for (const protocol of protocols) for (const size of SIZES) report(await measure(protocol, size, gc));
}

if (process.argv[2] === '--serve') {
  void serve(Number(process.argv[3]));
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
