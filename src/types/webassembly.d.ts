// The part of the WebAssembly JavaScript API that src/falco/deflate.js uses. TypeScript declares
// it only in lib.dom (not in our ES2022 + Node types); Node has had all of it since v8.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array)
  }
  class Instance {
    constructor(module: Module, imports?: object)
    readonly exports: Record<string, unknown>
  }
  class Memory {
    readonly buffer: ArrayBuffer
    grow(pages: number): number
  }
}
