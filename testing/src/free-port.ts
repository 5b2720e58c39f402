import { type AddressInfo, createServer } from 'node:net'

/** A free loopback port, for a process that must be told its port (wrangler cannot report one it got for 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}
