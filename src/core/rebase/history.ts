import { HistoryEntry } from '../manifest';

/**
 * History entries and layers are aligned only through `empty_layer`: every entry without it
 * made exactly one layer. These helpers keep that bookkeeping in one place.
 */
export function countLayerEntries(history: HistoryEntry[] | undefined): number {
  return (history ?? []).filter((h) => !h.empty_layer).length;
}

/**
 * How many leading history entries of `image` belong to a base that made `baseLayers` layers
 * and whose own history ends with `baseTrailingEmpty` empty entries (CMD, ENV… after its last
 * layer). Returns undefined when the image's history does not contain that many layer entries.
 */
export function baseHistoryLength(
  image: HistoryEntry[],
  baseLayers: number,
  baseTrailingEmpty: number,
): number | undefined {
  let seen = 0;
  let i = 0;
  while (seen < baseLayers) {
    if (i >= image.length) return undefined;
    if (!image[i].empty_layer) seen++;
    i++;
  }
  // The base's trailing empty entries (e.g. its CMD) sit right after its last layer entry.
  let extra = 0;
  while (extra < baseTrailingEmpty && i + extra < image.length && image[i + extra].empty_layer) extra++;
  return i + extra;
}

export function trailingEmptyEntries(history: HistoryEntry[] | undefined): number {
  const h = history ?? [];
  let n = 0;
  for (let i = h.length - 1; i >= 0 && h[i].empty_layer; i--) n++;
  return n;
}

/** For each layer index, the history line that created it (undefined when history is short). */
export function layerHistory(history: HistoryEntry[] | undefined): Array<HistoryEntry | undefined> {
  return (history ?? []).filter((h) => !h.empty_layer);
}
