// The Node modules the package loads (only in Node: the .wasm from the file system, and the
// worker pool's threads); declared here so that the package's types do not depend on @types/node.
declare module 'node:fs/promises' {
  export function readFile(path: URL): Promise<Uint8Array>;
}

declare module 'node:os' {
  export function availableParallelism(): number;
}

declare module 'node:worker_threads' {
  /** The end of a channel: a worker's `parentPort`. */
  export interface MessagePort {
    postMessage(value: unknown, transferList?: readonly Transferable[]): void;
    on(event: 'message', listener: (value: unknown) => void): MessagePort;
  }
  /** A thread running a module. */
  export class Worker {
    constructor(url: URL, options?: { readonly workerData?: unknown });
    postMessage(value: unknown, transferList?: readonly Transferable[]): void;
    on(event: 'message', listener: (value: unknown) => void): Worker;
    on(event: 'error' | 'messageerror', listener: (error: unknown) => void): Worker;
    on(event: 'exit', listener: (code: number) => void): Worker;
    terminate(): Promise<number>;
    ref(): void;
    unref(): void;
  }
  export const parentPort: MessagePort | null;
}
