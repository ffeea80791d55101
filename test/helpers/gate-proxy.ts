// A loopback HTTP proxy in front of the test registry that holds back the requests a test
// names until the test opens the gate: it makes one interleaving of two concurrent releases
// happen every time, whatever the machine's speed.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface GateProxy {
  /** host:port to give the action as its registry. */
  host: string
  /** Resolves when the first held request arrives. */
  hit: Promise<void>
  /** Lets every held request (and every later one) through. */
  open(): void
  stop(): Promise<void>
}

export async function startGateProxy(
  upstream: string,
  hold: (method: string, path: string) => boolean
): Promise<GateProxy> {
  const target = new URL(upstream)
  let opened = false
  let onHit: () => void = () => undefined
  const hit = new Promise<void>((resolve) => (onHit = resolve))
  const waiting: Array<() => void> = []
  const forward = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const up = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host }
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    up.on('error', () => res.destroy())
    req.pipe(up)
  }
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]
    if (!opened && hold(req.method ?? 'GET', path)) {
      req.pause()
      onHit()
      waiting.push(() => {
        req.resume()
        forward(req, res)
      })
      return
    }
    forward(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    host: `127.0.0.1:${port}`,
    hit,
    open: () => {
      opened = true
      for (const go of waiting.splice(0)) go()
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
