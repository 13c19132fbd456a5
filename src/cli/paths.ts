// Option parsers for paths: an empty path is bad usage (exit 2), never "the current directory".
import { InvalidArgumentError } from 'commander';

export function pathArgument(value: string): string {
  if (value === '') throw new InvalidArgumentError('expected a path, got an empty string');
  return value;
}
