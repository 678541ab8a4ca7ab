import * as vscode from 'vscode';
import { LogLevel } from '../settings';

const RANK: Record<LogLevel, number> = { off: 0, error: 1, info: 2, debug: 3 };

/**
 * The "Image Rebase" output channel. Callers never pass secrets; as a second line of defence,
 * anything that looks like an Authorization value or a password parameter is masked.
 */
export class OutputLog implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('Image Rebase');

  constructor(private level: LogLevel) {}

  setLevel(level: LogLevel): void {
    this.level = level;
  }

  error(message: string): void {
    this.write('error', message);
  }

  info(message: string): void {
    this.write('info', message);
  }

  debug(message: string): void {
    this.write('debug', message);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }

  private write(level: Exclude<LogLevel, 'off'>, message: string): void {
    if (RANK[level] > RANK[this.level]) return;
    const time = new Date().toISOString().slice(11, 23);
    this.channel.appendLine(`${time} [${level}] ${maskSecrets(message)}`);
  }
}

export function maskSecrets(s: string): string {
  return s
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 ***')
    .replace(/\b(password|token|secret|access_token|refresh_token)=([^&\s]+)/gi, '$1=***');
}
