// Drives @achingbrain/nat-port-mapper (the NAT-PMP client of js-libp2p) one command per line on stdin, one
// answer per line on stdout, so that the system test can look at the controller between steps:
//   external                         -> "external <address>"
//   map <tcp|udp> <port> <lifetime>  -> "mapped <protocol> <internal> <external> <externalHost>"
//   unmap <tcp|udp> <port>           -> "unmapped <port>"
//   quit
// A failure answers "error <message>". The gateway is the default gateway, found the way the library's README
// does it (default-gateway). Automatic refresh is off: the library refreshes by calling map() again, which the
// test does itself, so that no timer fires behind its back.
import { createInterface } from 'node:readline'
import { pmpNat } from '@achingbrain/nat-port-mapper'
import { gateway4sync } from 'default-gateway'

const { gateway, int } = gateway4sync()
const client = pmpNat(gateway)
const timeout = () => AbortSignal.timeout(10000)
console.log(`gateway ${gateway} ${int}`)

for await (const line of createInterface({ input: process.stdin })) {
  const [command, protocol, port, lifetime] = line.trim().split(/\s+/)
  try {
    if (command === 'external') {
      console.log(`external ${await client.externalIp({ signal: timeout() })}`)
    } else if (command === 'map') {
      // the library writes its "ttl" option into the lifetime field as it is (see ClientLibrariesSystemTest)
      const mapping = await client.map(Number(port), process.env.INTERNAL_ADDRESS, {
        protocol, ttl: Number(lifetime), autoRefresh: false, signal: timeout()
      })
      console.log(`mapped ${mapping.protocol} ${mapping.internalPort} ${mapping.externalPort} ${mapping.externalHost}`)
    } else if (command === 'unmap') {
      await client.unmap(Number(port), { protocol, autoRefresh: false, signal: timeout() })
      console.log(`unmapped ${port}`)
    } else if (command === 'quit') {
      break
    } else {
      console.log(`error unknown command ${command}`)
    }
  } catch (err) {
    console.log(`error ${err.message}`)
  }
}
process.exit(0)
