import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { ParseJob, ParseOutcome, ParseReply } from './parse-worker.js';

interface Task {
  job: ParseJob;
  resolve: (outcomes: ParseOutcome[]) => void;
  reject: (error: unknown) => void;
}

/** A job of 64 files of at most 1 MiB each stays far below this. */
const DEFAULT_THREAD_HEAP_MB = 512;

/** As many threads as the machine has cores, up to four: beyond that the main thread's share dominates. */
export function defaultParseThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/**
 * Worker threads that read and process catalog files, so parsing and validation use every core
 * while the main thread keeps the refresh's bookkeeping. Jobs queue and go to whichever thread is
 * free. A thread that dies fails its job and is replaced; one that cannot start closes the pool.
 * Either way the caller reads those files in its own thread.
 */
export class ParsePool {
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private readonly workers = new Set<Worker>();
  private nextId = 0;
  private closed = false;

  /** `heapLimitMb` bounds each thread's heap: a pathological file then costs its thread, not the process. */
  constructor(
    threads: number,
    private readonly heapLimitMb = DEFAULT_THREAD_HEAP_MB,
  ) {
    for (let index = 0; index < threads; index++) this.idle.push(this.spawn());
  }

  run(job: Omit<ParseJob, 'id'>): Promise<ParseOutcome[]> {
    if (this.closed) return Promise.reject(new Error('the parse pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { ...job, id: this.nextId++ }, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error('the parse pool was closed'));
    await Promise.all([...this.workers].map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const task = this.queue.shift()!;
      this.running.set(worker, task);
      worker.postMessage(task.job);
    }
  }

  private spawn(): Worker {
    const worker = startWorker({ maxOldGenerationSizeMb: this.heapLimitMb });
    this.workers.add(worker);
    let replied = false;
    worker.on('message', (reply: ParseReply) => {
      replied = true;
      const task = this.running.get(worker);
      this.running.delete(worker);
      this.idle.push(worker);
      if (task?.job.id === reply.id) task.resolve(reply.outcomes);
      this.dispatch();
    });
    // Whatever ends a thread (an error, running out of heap, an exit, the pool closing) fails its job once.
    const lose = (reason: string) => {
      if (!this.workers.delete(worker)) return;
      const idle = this.idle.indexOf(worker);
      if (idle >= 0) this.idle.splice(idle, 1);
      this.running.get(worker)?.reject(new Error(`a parsing thread failed: ${reason}`));
      this.running.delete(worker);
      if (this.closed) return;
      if (replied) {
        this.idle.push(this.spawn());
        this.dispatch();
      } else {
        // A thread that fails before its first reply cannot start at all: stop, and let callers read the files themselves.
        void this.close();
      }
    };
    worker.on('error', (error) => lose(error.message));
    worker.on('exit', (code) => lose(`it stopped (exit code ${code})`));
    return worker;
  }
}

function startWorker(resourceLimits: ResourceLimits): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./parse-worker.js', import.meta.url), { resourceLimits });
  // Running from source (tsx, vitest): the thread registers tsx's loader, then imports the TypeScript.
  const source = new URL('./parse-worker.ts', import.meta.url).href;
  return new Worker(
    `import(${JSON.stringify(tsxLoaderUrl())}).then((api) => { api.register(); return import(${JSON.stringify(source)}); });`,
    { eval: true, resourceLimits },
  );
}

/** tsx's ESM loader API, found through its package's exports (test runners lack import.meta.resolve). */
function tsxLoaderUrl(): string {
  const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(path.join(path.dirname(manifestPath), manifest.exports['./esm/api']!.import.default)).href;
}
