/** Paged lists (tags, catalog): the registry's Link cursor, and walking pages with bounds. */

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, from the registry's Link header. */
  next?: string;
}

/** RFC 5988 Link header: `</v2/_catalog?last=x&n=100>; rel="next"`. */
export function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(link);
  return m ? m[1] : undefined;
}

/**
 * Every item of a paged list, up to `limit`. A registry that keeps linking to pages without
 * items, or back to a page already read, ends the list instead of looping for ever.
 */
export async function collectPages<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, limit: number): Promise<T[]> {
  const items: T[] = [];
  const visited = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    // A loop, not push(...items): a page may hold a hundred thousand names.
    for (const item of page.items) {
      if (items.length >= limit) break;
      items.push(item);
    }
    if (cursor) visited.add(cursor);
    if (page.items.length === 0 || (page.next !== undefined && visited.has(page.next))) break;
    cursor = page.next;
  } while (cursor && items.length < limit);
  return items;
}
