/**
 * The value for `key`, made once and shared by every caller; a failed promise is forgotten so
 * the next caller tries again rather than getting the old failure.
 */
export function memoized<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = cache.get(key);
  if (!p) {
    p = make();
    cache.set(key, p);
    p.catch(() => {
      if (cache.get(key) === p) cache.delete(key);
    });
  }
  return p;
}
