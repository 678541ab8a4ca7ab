import * as vscode from 'vscode';

const MAX = 12;

/** Recently used image references (sources and bases), newest first, kept across sessions. */
export class RecentImages {
  constructor(
    private readonly memento: vscode.Memento,
    private readonly key: string,
  ) {}

  list(): string[] {
    return this.memento.get<string[]>(this.key, []);
  }

  async add(reference: string): Promise<void> {
    await this.memento.update(this.key, [reference, ...this.list().filter((r) => r !== reference)].slice(0, MAX));
  }
}
