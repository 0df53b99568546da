import t from 'tap'
import { MIN_GUEST_NODE_MAJOR, nodeMajor } from '../../provision/agent-upload.ts'

t.test('the guest Node version is read from `node --version`', async (t) => {
  const table: Array<[string, number | undefined]> = [['v18.19.1\n', 18], ['v20.20.2', 20], ['v12.22.9', 12], ['node: not found', undefined], ['', undefined]]
  for (const [out, want] of table) t.equal(nodeMajor(out), want, JSON.stringify(out))
  t.equal(MIN_GUEST_NODE_MAJOR, 18, 'the bundle targets Node 18 (Ubuntu 24.04 apt)')
})
