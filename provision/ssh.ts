// The ONLY module that opens ssh2 connections. The guest's host key is pinned: a connection to
// anything else is refused rather than trusted on first use.
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2'
import { InfraError } from './errors.ts'
import { sleep } from './process.ts'

export interface SshTarget {
  host: string
  port: number
  username: string
  privateKey: Buffer
  /** OpenSSH public key line of the guest's host key ("ssh-ed25519 AAAA... comment"); absent = accept any (Lima's own StrictHostKeyChecking=no). */
  hostKey?: string
}

export interface ExecResult {
  code: number | null
  signal: string | undefined
  stdout: string
  stderr: string
}

export interface ExecOptions {
  stdin?: string | Buffer
  timeoutMs?: number
}

/** A running remote command whose streams the caller drives (the agent run + host bridge). */
export interface RemoteProcess {
  stdout: NodeJS.ReadableStream
  stderr: NodeJS.ReadableStream
  /** Resolves once the channel has taken it: at once, or after 'drain' when its buffer is full. */
  write(data: string | Buffer): Promise<void>
  end(): void
  /** Resolves when the command ends; rejects when the connection drops first. */
  done: Promise<{ code: number | null; signal: string | undefined }>
}

function blobOf(openSshLine: string): Buffer {
  const b64 = openSshLine.trim().split(/\s+/)[1]
  if (!b64) throw new InfraError(`not an OpenSSH public key: ${JSON.stringify(openSshLine.slice(0, 40))}`)
  return Buffer.from(b64, 'base64')
}

export class SshConnection {
  private closed = false
  /** One SFTP session per connection, opened on the first upload (each costs round trips). */
  private sftp?: Promise<SFTPWrapper>
  private closeListeners: Array<(why: Error) => void> = []

  private constructor(
    private readonly client: Client,
    readonly target: SshTarget,
  ) {
    const onGone = (why: Error) => {
      if (this.closed) return
      this.closed = true
      for (const listener of this.closeListeners) listener(why)
    }
    client.on('error', (err) => onGone(err))
    client.on('close', () => onGone(new InfraError(`ssh connection to ${target.host}:${target.port} closed`)))
  }

  /** Connects once; rejects with the reason (refused, timed out, host key mismatch, auth). */
  static connect(target: SshTarget, readyTimeoutMs = 10_000): Promise<SshConnection> {
    return new Promise((resolve, reject) => {
      const client = new Client()
      let hostKeyMismatch = false
      const config: ConnectConfig = {
        host: target.host,
        port: target.port,
        username: target.username,
        privateKey: target.privateKey,
        readyTimeout: readyTimeoutMs,
        keepaliveInterval: 5_000,
        keepaliveCountMax: 3,
      }
      if (target.hostKey) {
        const pinned = blobOf(target.hostKey)
        config.hostVerifier = (key: Buffer) => {
          hostKeyMismatch = !key.equals(pinned)
          return !hostKeyMismatch
        }
      }
      let settled = false
      const onError = (err: Error) => {
        // ssh2 may report more than one error for a failed attempt; only the first counts.
        if (settled) return
        settled = true
        client.removeListener('ready', onReady)
        client.end()
        reject(hostKeyMismatch ? new InfraError(`ssh ${target.host}:${target.port}: host key does not match the pinned one`, { hint: 'another machine answers on this port; stop it or pick another port' }) : err)
      }
      const onReady = () => {
        settled = true
        client.removeListener('error', onError)
        // Small messages both ways (host-bridge requests and answers): Nagle would hold one back
        // until the guest's delayed ACK (up to 40 ms) whenever another is still unacknowledged.
        client.setNoDelay(true)
        resolve(new SshConnection(client, target))
      }
      client.once('ready', onReady)
      client.on('error', onError)
      client.connect(config)
    })
  }

  get isOpen(): boolean {
    return !this.closed
  }

  /** Called once when the connection drops or is closed. */
  onClose(listener: (why: Error) => void): void {
    this.closeListeners.push(listener)
  }

  private channel(command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new InfraError(`ssh connection to ${this.target.host}:${this.target.port} is closed`))
      this.client.exec(command, (err, channel) => (err ? reject(err) : resolve(channel)))
    })
  }

  /** Starts a remote command and hands its streams to the caller. */
  async spawn(command: string): Promise<RemoteProcess> {
    const channel = await this.channel(command)
    const done = new Promise<{ code: number | null; signal: string | undefined }>((resolve, reject) => {
      let code: number | null = null
      let signal: string | undefined
      channel.on('exit', (c: number | null, s?: string) => {
        code = c
        signal = s
      })
      channel.on('close', () => resolve({ code, signal }))
      this.onClose((why) => reject(why))
    })
    return {
      stdout: channel,
      stderr: channel.stderr,
      write: (data) =>
        new Promise<void>((resolve) => {
          if (channel.write(data)) return resolve()
          const done = () => {
            channel.off('drain', done)
            channel.off('close', done)
            resolve()
          }
          channel.on('drain', done)
          channel.on('close', done)
        }),
      end: () => void channel.end(),
      done,
    }
  }

  /** Runs a command to completion and collects its output. */
  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const proc = await this.spawn(command)
    const out: Buffer[] = []
    const err: Buffer[] = []
    proc.stdout.on('data', (d: Buffer) => out.push(d))
    proc.stderr.on('data', (d: Buffer) => err.push(d))
    if (options.stdin !== undefined) void proc.write(options.stdin)
    proc.end()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      if (options.timeoutMs) {
        timer = setTimeout(() => reject(new InfraError(`ssh command timed out after ${options.timeoutMs} ms: ${command.slice(0, 120)}`)), options.timeoutMs)
      }
    })
    try {
      const { code, signal } = await Promise.race([proc.done, timeout])
      return { code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }
    } finally {
      clearTimeout(timer)
    }
  }

  /** Writes a file on the remote side over SFTP. */
  async upload(data: Buffer, remotePath: string, mode = 0o644): Promise<void> {
    this.sftp ??= new Promise((resolve, reject) => this.client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))))
    const sftp = await this.sftp
    await new Promise<void>((resolve, reject) =>
      sftp.writeFile(remotePath, data, { mode }, (err) => (err ? reject(new InfraError(`sftp upload to ${remotePath} failed: ${err.message}`, { cause: err })) : resolve())),
    )
  }

  close(): void {
    this.closed = true
    this.client.end()
  }
}

/** Connects, retrying while the guest boots, until deadline; `alive` aborts early when the VM died. */
export async function waitForSsh(
  target: SshTarget,
  deadline: number,
  alive: () => boolean,
): Promise<SshConnection> {
  let lastError: unknown
  while (Date.now() < deadline) {
    if (!alive()) throw new InfraError('the guest stopped before ssh answered', { cause: lastError })
    try {
      return await SshConnection.connect(target, Math.max(1_000, Math.min(5_000, deadline - Date.now())))
    } catch (err) {
      if (err instanceof InfraError) throw err // host key mismatch: retrying won't help
      lastError = err
      await sleep(150)
    }
  }
  throw new InfraError(`ssh to ${target.host}:${target.port} did not answer in time`, { cause: lastError })
}
