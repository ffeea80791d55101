// Sizes for messages: "200 MiB", "1.5 MiB", "64 KiB", "512 bytes".

const UNITS: Array<[string, number]> = [
  ['GiB', 1 << 30],
  ['MiB', 1 << 20],
  ['KiB', 1 << 10]
]

export function formatBytes(n: number): string {
  for (const [unit, size] of UNITS) {
    if (n >= size) {
      const v = n / size
      return `${Number.isInteger(v) || v >= 100 ? Math.round(v) : v.toFixed(1)} ${unit}`
    }
  }
  return n === 1 ? '1 byte' : `${n} bytes`
}
