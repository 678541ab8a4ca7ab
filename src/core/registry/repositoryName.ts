/** Naming a repository on a registry: the name type every registry call takes, and how messages spell it. */

/** A repository on a registry: the unit every registry API call is scoped to. */
export interface RepositoryName {
  registry: string;
  repository: string;
}

export function display(repo: RepositoryName): string {
  return `${repo.registry}/${repo.repository}`;
}
