// The built-in configurations: every 9p security model x every cache mode, plus virtiofs.
import {
  DEFAULT_9P_MSIZE,
  DEFAULT_9P_PROTOCOL_VERSION,
  DEFAULT_VIRTIOFS_QUEUE_SIZE,
} from '../lima-compat/defaults.ts'
import { CACHE_MODES, SECURITY_MODELS, type ShareConfig } from '../types.ts'

export function defaultConfigs(): ShareConfig[] {
  const ninep = SECURITY_MODELS.flatMap((securityModel) =>
    CACHE_MODES.map((cache): ShareConfig => ({
      name: `9p-${securityModel}-${cache}`,
      mountType: '9p',
      writable: true,
      ninep: { securityModel, cache, msize: DEFAULT_9P_MSIZE, protocolVersion: DEFAULT_9P_PROTOCOL_VERSION },
    })),
  )
  const virtiofs: ShareConfig = { name: 'virtiofs', mountType: 'virtiofs', writable: true, virtiofs: { queueSize: DEFAULT_VIRTIOFS_QUEUE_SIZE } }
  return [...ninep, virtiofs]
}
