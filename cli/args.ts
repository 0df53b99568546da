// Command-line parsing with node:util parseArgs; every mistake is a UsageError (exit 64).
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from '../provision/errors.ts'

type Options = NonNullable<ParseArgsConfig['options']>

export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${usage}`)
  }
}

export function intOption(value: string | undefined, flag: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag}: expected an integer >= ${min}, got ${JSON.stringify(value)}`)
  return n
}

export function choiceOption<T extends string>(value: string | undefined, flag: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`${flag}: must be one of ${choices.join('|')}, got ${JSON.stringify(value)}`)
  return value as T
}
