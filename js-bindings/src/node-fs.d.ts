// The one Node module the façade loads (only in Node, to read its .wasm from the file system);
// declared here so that the package's types do not depend on @types/node.
declare module 'node:fs/promises' {
  export function readFile(path: URL): Promise<Uint8Array>;
}
